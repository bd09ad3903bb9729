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
 * that computes a convolution's weight gradient on oneDNN.
 */
public final class Conv2dWeightGrad extends Op {
  private final ConvGeometry geo;
  private final long kh;
  private final long kw;

  /** Weight gradient of a {@code kh x kw} convolution with the given stride and padding. */
  public Conv2dWeightGrad(int stride, int padding, long kh, long kw) {
    this.geo = new ConvGeometry(stride, padding);
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
    ConvGeometry.checkRank4("conv2d_weight_grad", "input [N, I, H, W]", x);
    ConvGeometry.checkRank4("conv2d_weight_grad", "output gradient [N, O, Ho, Wo]", gy);
    if (gy.size(0) != x.size(0)
        || gy.size(2) != geo.convOut(x.size(2), kh)
        || gy.size(3) != geo.convOut(x.size(3), kw)) {
      throw new IllegalArgumentException(
          "conv2d_weight_grad: output gradient " + Shapes.str(gy.shape()) + " does not match input "
              + Shapes.str(x.shape()) + " for a " + kh + "x" + kw + " kernel");
    }
    INDArray gw = Kernels.alloc(x.dataType(), gy.size(1), x.size(1), kh, kw);
    INDArray w = Kernels.full(x.dataType(), 0.0, gy.size(1), x.size(1), kh, kw);
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
      int padH = geo.outputPadding(x.size(2), gy.size(2), kh);
      int padW = geo.outputPadding(x.size(3), gy.size(3), kw);
      dx = Conv.transpose(gy, g, null, geo.stride(), geo.padding(), padH, padW);
    }
    if (n.needsGrad(1)) {
      dgy = Conv.conv2d(x, g, null, geo.stride(), geo.padding());
    }
    return new Tensor[] {dx, dgy};
  }
}
