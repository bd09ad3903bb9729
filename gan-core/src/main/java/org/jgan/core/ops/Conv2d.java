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
 * 2-D cross-correlation (PyTorch {@code conv2d}): {@code x [N, I, H, W]}, {@code w [O, I, kH, kW]},
 * optional {@code b [O]}, output {@code [N, O, (H + 2p - kH) / s + 1, ...]}; in the {@link
 * DataFormat#NHWC} layout input and output are {@code [N, H, W, C]}, the weight keeps its layout.
 *
 * <pre>
 *   dx = conv2dTranspose(g, w)          (output padding restores H, W)
 *   dw = conv2dWeightGrad(x, g)
 *   db = sum over N, H, W of g
 * </pre>
 *
 * Both backward ops are differentiable again ({@code conv2d_gradfix}). When no graph of the
 * gradient is recorded and both {@code dx} and {@code dw} are needed, the kernel layer may compute
 * them in one fused call ({@link ConvKernels#conv2dBackward}); where oneDNN's primitives take the
 * convolution, {@code dw} and {@code db} come from one call instead, except for 1x1 kernels ({@link
 * ConvKernels#conv2dWeightBiasGrad}).
 */
public final class Conv2d extends Op {
  private final ConvGeometry geo;

  /** Convolution with the given stride, zero padding and data format. */
  public Conv2d(int stride, int padding, DataFormat format) {
    this.geo = new ConvGeometry(stride, padding, format);
  }

  @Override
  public String name() {
    return "conv2d";
  }

  @Override
  public INDArray forward(INDArray... in) {
    return ConvKernels.conv2d(in[0], in[1], in.length > 2 ? in[2] : null, geo);
  }

  @Override
  public Tensor[] backward(Node n, Tensor g) {
    Tensor x = n.input(0);
    Tensor w = n.input(1);
    Tensor b = n.inputCount() > 2 ? n.input(2) : null;
    Tensor[] grads = new Tensor[n.inputCount()];
    if (!GradMode.isEnabled() && n.needsGrad(0) && n.needsGrad(1)) {
      INDArray bias = b == null ? null : b.data();
      INDArray[] fused = ConvKernels.conv2dBackward(x.data(), w.data(), bias, g.data(), geo);
      if (fused != null) {
        for (int i = 0; i < fused.length; i++) {
          grads[i] = Tensor.owned(fused[i]);
        }
        return grads;
      }
    }
    if (b != null && n.needsGrad(1) && n.needsGrad(2) && !GradMode.isEnabled()) {
      weightAndBiasGrads(x, w, g, grads);
    }
    if (n.needsGrad(0)) {
      int padH = geo.outputPadding(geo.height(x.shape()), geo.height(g.shape()), w.size(2));
      int padW = geo.outputPadding(geo.width(x.shape()), geo.width(g.shape()), w.size(3));
      grads[0] = Conv.transpose(g, w, null, geo.stride(), geo.padding(), padH, padW, geo.format());
    }
    if (n.needsGrad(1) && grads[1] == null) {
      grads[1] =
          Conv.weightGrad(x, g, geo.stride(), geo.padding(), w.size(2), w.size(3), geo.format());
    }
    if (b != null && n.needsGrad(2) && grads[2] == null) {
      grads[2] = g.sum(false, geo.format().nonChannelAxes());
    }
    return grads;
  }

  /**
   * Sets {@code grads[1]} and {@code grads[2]} from one oneDNN call where the kernel layer has one
   * that writes the bias gradient beside the weight gradient (the bias sum then costs no pass of
   * its own over {@code g}); leaves them null otherwise. Like the fused libnd4j kernel, the call
   * profiles as {@code conv2d.backward}.
   */
  private void weightAndBiasGrads(Tensor x, Tensor w, Tensor g, Tensor[] grads) {
    INDArray[] fused =
        ConvKernels.conv2dWeightBiasGrad(x.data(), g.data(), geo, w.size(2), w.size(3));
    if (fused != null) {
      grads[1] = Tensor.owned(fused[0]);
      grads[2] = Tensor.owned(fused[1]);
    }
  }
}
