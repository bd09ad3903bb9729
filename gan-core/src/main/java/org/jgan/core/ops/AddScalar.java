package org.jgan.core.ops;

import org.jgan.core.autograd.Node;
import org.jgan.core.autograd.Op;
import org.jgan.core.kernels.Kernels;
import org.jgan.core.tensor.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/** {@code x + c} for a constant {@code c}; d/dx = g. */
public final class AddScalar extends Op {
  private final double c;

  /** Adds {@code c}. */
  public AddScalar(double c) {
    this.c = c;
  }

  @Override
  public String name() {
    return "add_scalar";
  }

  @Override
  public INDArray forward(INDArray... in) {
    return Kernels.addScalar(in[0], c);
  }

  @Override
  public Tensor[] backward(Node n, Tensor g) {
    return new Tensor[] {g};
  }
}
