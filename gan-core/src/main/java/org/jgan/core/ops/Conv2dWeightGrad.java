package org.jgan.core.ops;

import org.jgan.core.autograd.Node;
import org.jgan.core.autograd.Op;
import org.jgan.core.kernels.ConvGeometry;
import org.jgan.core.kernels.ConvKernels;
import org.jgan.core.kernels.DataFormat;
import org.jgan.core.tensor.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The weight gradient of {@link Conv2d} as an op of its own, so that double backward through a
 * convolution is exact: given {@code x [N, I, H, W]} and {@code gy [N, O, Ho, Wo]}, returns {@code
 * dW [O, I, kH, kW]} with {@code dW[o,i,u,v] = sum_{n,p,q} gy[n,o,p,q] xpad[n,i,sp+u,sq+v]}. It is
 * bilinear, {@code <dW, G> = <gy, conv2d(x, G)> = <x, conv2dTranspose(gy, G)>}, so
 *
 * <pre>
 *   d/dx  = conv2dTranspose(gy, G)
 *   d/dgy = conv2d(x, G)
 * </pre>
 *
 * In the {@link DataFormat#NHWC} layout {@code x} and {@code gy} are {@code [N, H, W, C]}; {@code
 * dW} is {@code [O, I, kH, kW]} in both.
 */
public final class Conv2dWeightGrad extends Op {
  private final ConvGeometry geo;
  private final long kh;
  private final long kw;

  /** Weight gradient of a {@code kh x kw} convolution with the given stride, padding and format. */
  public Conv2dWeightGrad(int stride, int padding, long kh, long kw, DataFormat format) {
    this.geo = new ConvGeometry(stride, padding, format);
    this.kh = kh;
    this.kw = kw;
  }

  @Override
  public String name() {
    return "conv2d_weight_grad";
  }

  @Override
  public INDArray forward(INDArray... in) {
    return ConvKernels.conv2dWeightGrad(in[0], in[1], geo, kh, kw);
  }

  @Override
  public Tensor[] backward(Node n, Tensor g) {
    Tensor x = n.input(0);
    Tensor gy = n.input(1);
    Tensor dx = null;
    Tensor dgy = null;
    if (n.needsGrad(0)) {
      int padH = geo.outputPadding(geo.height(x.shape()), geo.height(gy.shape()), kh);
      int padW = geo.outputPadding(geo.width(x.shape()), geo.width(gy.shape()), kw);
      dx = Conv.transpose(gy, g, null, geo.stride(), geo.padding(), padH, padW, geo.format());
    }
    if (n.needsGrad(1)) {
      dgy = Conv.conv2d(x, g, null, geo.stride(), geo.padding(), geo.format());
    }
    return new Tensor[] {dx, dgy};
  }
}
