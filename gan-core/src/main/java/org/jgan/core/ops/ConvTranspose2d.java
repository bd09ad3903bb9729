package org.jgan.core.ops;

import org.jgan.core.autograd.GradMode;
import org.jgan.core.autograd.Node;
import org.jgan.core.autograd.Op;
import org.jgan.core.kernels.ConvGeometry;
import org.jgan.core.kernels.ConvKernels;
import org.jgan.core.kernels.DataFormat;
import org.jgan.core.tensor.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Transposed 2-D convolution (PyTorch {@code conv_transpose2d}), the adjoint of {@link Conv2d}:
 * {@code x [N, I, H, W]}, {@code w [I, O, kH, kW]}, optional {@code b [O]}, output {@code [N, O, (H
 * - 1) s - 2p + kH + outputPadding, ...]}. Output padding keeps that many more rows and columns at
 * the bottom and right, as in PyTorch. In the {@link DataFormat#NHWC} layout input and output are
 * {@code [N, H, W, C]}; the weight keeps its layout.
 *
 * <pre>
 *   dx = conv2d(g, w)
 *   dw = conv2dWeightGrad(g, x)
 *   db = sum over N, H, W of g
 * </pre>
 */
public final class ConvTranspose2d extends Op {
  private final ConvGeometry geo;
  private final int outPadH;
  private final int outPadW;

  /**
   * Transposed convolution in {@code format}; {@code outPadH, outPadW} must be below the stride.
   */
  public ConvTranspose2d(int stride, int padding, int outPadH, int outPadW, DataFormat format) {
    this.geo = new ConvGeometry(stride, padding, format);
    geo.checkOutputPadding(outPadH, outPadW);
    this.outPadH = outPadH;
    this.outPadW = outPadW;
  }

  @Override
  public String name() {
    return "conv_transpose2d";
  }

  @Override
  public INDArray forward(INDArray... in) {
    return ConvKernels.convTranspose2d(
        in[0], in[1], in.length > 2 ? in[2] : null, geo, outPadH, outPadW);
  }

  @Override
  public Tensor[] backward(Node n, Tensor g) {
    Tensor x = n.input(0);
    Tensor w = n.input(1);
    Tensor[] grads = new Tensor[n.inputCount()];
    boolean padded = outPadH > 0 || outPadW > 0;
    if (!GradMode.isEnabled() && !padded && n.needsGrad(0) && n.needsGrad(1)) {
      INDArray[] fused = ConvKernels.convTranspose2dBackward(x.data(), w.data(), g.data(), geo);
      if (fused != null) {
        grads[0] = Tensor.owned(fused[0]);
        grads[1] = Tensor.owned(fused[1]);
      }
    }
    if (grads[0] == null && n.needsGrad(0)) {
      grads[0] = Conv.conv2d(g, w, null, geo.stride(), geo.padding(), geo.format());
    }
    if (grads[1] == null && n.needsGrad(1)) {
      grads[1] =
          Conv.weightGrad(g, x, geo.stride(), geo.padding(), w.size(2), w.size(3), geo.format());
    }
    if (n.inputCount() > 2 && n.needsGrad(2)) {
      grads[2] = g.sum(false, geo.format().nonChannelAxes());
    }
    return grads;
  }
}
