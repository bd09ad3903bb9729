package org.jgan.core.ops;

import org.jgan.core.autograd.Node;
import org.jgan.core.autograd.Op;
import org.jgan.core.kernels.Kernels;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.tensor.TensorScope;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code gain * (x > 0 ? x : alpha x)}; d/dx = {@code g m} with the mask {@code m = gain (x > 0 ? 1
 * : alpha)} (alpha at exactly 0, PyTorch's convention). The mask is piecewise constant, so the
 * second derivative is 0 ({@code leaky_relu_backward}); the gain (StyleGAN2's {@code sqrt(2)})
 * rides in the mask, saving a separate multiplication and its backward. The forward multiplies by
 * the mask and keeps it for the backward (freed with the step's scope); an op made with {@code
 * forBackward = false} computes {@code max(y, alpha y)}, {@code y = gain x}, without a mask.
 */
public final class LeakyRelu extends Op {
  private final double alpha;
  private final double gain;
  private final boolean forBackward;
  private INDArray mask;

  /**
   * Leaky ReLU with negative slope {@code alpha}, scaled by {@code gain}; {@code forBackward} false
   * promises that {@link #backward} will not be called (no graph is recorded).
   */
  public LeakyRelu(double alpha, double gain, boolean forBackward) {
    this.alpha = alpha;
    this.gain = gain;
    this.forBackward = forBackward;
  }

  @Override
  public String name() {
    return "leaky_relu";
  }

  @Override
  public INDArray forward(INDArray... in) {
    if (!forBackward && alpha >= 0 && alpha <= 1 && gain > 0) {
      return gain == 1.0
          ? Kernels.leakyReluNoMask(in[0], alpha, false)
          : Kernels.leakyReluNoMask(Kernels.mulScalar(in[0], gain), alpha, true);
    }
    mask = Kernels.leakyReluMask(in[0], alpha, gain);
    TensorScope.register(mask);
    return Kernels.mul(in[0], mask);
  }

  @Override
  public Tensor[] backward(Node n, Tensor g) {
    if (mask == null) {
      throw new IllegalStateException(
          "leaky_relu: created without a mask for the backward (forBackward = false)");
    }
    return new Tensor[] {g.mul(Tensor.of(mask))};
  }
}
