package org.jgan.core.ops;

import org.jgan.core.autograd.Node;
import org.jgan.core.autograd.Op;
import org.jgan.core.kernels.Kernels;
import org.jgan.core.tensor.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/** {@code x * c} for a constant {@code c}; d/dx = g c. */
public final class MulScalar extends Op {
  private final double c;

  /** Multiplies by {@code c}. */
  public MulScalar(double c) {
    this.c = c;
  }

  @Override
  public String name() {
    return "mul_scalar";
  }

  @Override
  public INDArray forward(INDArray... in) {
    return Kernels.mulScalar(in[0], c);
  }

  @Override
  public Tensor[] backward(Node n, Tensor g) {
    return new Tensor[] {g.mul(c)};
  }
}
