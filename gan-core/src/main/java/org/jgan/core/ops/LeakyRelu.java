package org.jgan.core.ops;

import org.jgan.core.autograd.Node;
import org.jgan.core.autograd.Op;
import org.jgan.core.tensor.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.LeakyReLU;
import org.nd4j.linalg.api.ops.impl.scalar.Step;

/**
 * {@code x > 0 ? x : alpha x}; d/dx = g where x > 0, else {@code alpha g} (PyTorch's convention at
 * exactly 0). The mask is piecewise constant, so the second derivative is 0 ({@code
 * leaky_relu_backward}).
 */
public final class LeakyRelu extends Op {
  private final double alpha;

  /** Leaky ReLU with negative slope {@code alpha}. */
  public LeakyRelu(double alpha) {
    this.alpha = alpha;
  }

  @Override
  public String name() {
    return "leaky_relu";
  }

  @Override
  public INDArray forward(INDArray... in) {
    return Kernels.unary(in[0], (x, z) -> new LeakyReLU(x, z, alpha));
  }

  @Override
  public Tensor[] backward(Node n, Tensor g) {
    return new Tensor[] {g.mul(Tensor.owned(mask(n.input(0).data(), alpha)))};
  }

  /** {@code x > 0 ? 1 : alpha}, a fresh array. */
  static INDArray mask(INDArray x, double alpha) {
    INDArray m = Kernels.unary(x, (a, z) -> new Step(a, z, 0.0));
    if (alpha != 0.0) {
      m.muli(1.0 - alpha).addi(alpha);
    }
    return m;
  }
}
