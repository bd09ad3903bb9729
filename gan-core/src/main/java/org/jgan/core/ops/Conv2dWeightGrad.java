package org.jgan.core.ops;

import org.jgan.core.autograd.Node;
import org.jgan.core.autograd.Op;
import org.jgan.core.tensor.Shapes;
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
 * <p>The forward runs libnd4j's {@code conv2d_bp} and discards its input gradient, the one kernel
 * that computes a convolution's weight gradient on oneDNN in libnd4j; float32 3x3 stride-1
 * convolutions take oneDNN's Winograd weight-gradient kernel instead ({@link Winograd}). In the
 * {@link DataFormat#NHWC} layout {@code x} and {@code gy} are {@code [N, H, W, C]}; {@code dW} is
 * {@code [O, I, kH, kW]} in both.
 */
public final class Conv2dWeightGrad extends Op {
  private final ConvGeometry geo;
  private final long kh;
  private final long kw;

  /** Weight gradient of a {@code kh x kw} NCHW convolution with the given stride and padding. */
  public Conv2dWeightGrad(int stride, int padding, long kh, long kw) {
    this(stride, padding, kh, kw, DataFormat.NCHW);
  }

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
    INDArray x = in[0];
    INDArray gy = in[1];
    ConvGeometry.checkRank4("conv2d_weight_grad", geo.layout("input"), x);
    ConvGeometry.checkRank4("conv2d_weight_grad", geo.layout("output gradient"), gy);
    if (gy.size(0) != x.size(0)
        || geo.height(gy) != geo.convOut(geo.height(x), kh)
        || geo.width(gy) != geo.convOut(geo.width(x), kw)) {
      throw new IllegalArgumentException(
          "conv2d_weight_grad: " + geo.format() + " output gradient " + Shapes.str(gy.shape())
              + " does not match input " + Shapes.str(x.shape()) + " for a " + kh + "x" + kw + " kernel");
    }
    if (kh == 3 && kw == 3) {
      INDArray wino = Winograd.weightGrad(x, gy, geo);
      if (wino != null) {
        return wino;
      }
    }
    long o = geo.channels(gy);
    long i = geo.channels(x);
    INDArray gw = Kernels.alloc(x.dataType(), o, i, kh, kw);
    INDArray w = Kernels.full(x.dataType(), 0.0, o, i, kh, kw);
    INDArray gx = Kernels.alloc(x.dataType(), x.shape());
    Kernels.custom("conv2d_bp", new INDArray[] {x, w, gy}, new INDArray[] {gx, gw}, geo.args(kh, kw));
    Kernels.free(gx);
    Kernels.free(w);
    return gw;
  }

  @Override
  public Tensor[] backward(Node n, Tensor g) {
    Tensor x = n.input(0);
    Tensor gy = n.input(1);
    Tensor dx = null;
    Tensor dgy = null;
    if (n.needsGrad(0)) {
      int padH = geo.outputPadding(geo.height(x), geo.height(gy), kh);
      int padW = geo.outputPadding(geo.width(x), geo.width(gy), kw);
      dx = Conv.transpose(gy, g, null, geo.stride(), geo.padding(), padH, padW, geo.format());
    }
    if (n.needsGrad(1)) {
      dgy = Conv.conv2d(x, g, null, geo.stride(), geo.padding(), geo.format());
    }
    return new Tensor[] {dx, dgy};
  }
}
