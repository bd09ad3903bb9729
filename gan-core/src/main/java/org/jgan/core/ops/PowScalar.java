package org.jgan.core.ops;

import org.jgan.core.autograd.Node;
import org.jgan.core.autograd.Op;
import org.jgan.core.kernels.Kernels;
import org.jgan.core.tensor.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.Pow;

/** {@code x^p} for a constant exponent; d/dx = g p x^(p-1). */
public final class PowScalar extends Op {
  private final double p;

  /** Raises to the power {@code p}. */
  public PowScalar(double p) {
    this.p = p;
  }

  @Override
  public String name() {
    return "pow";
  }

  @Override
  public INDArray forward(INDArray... in) {
    return Kernels.unary(in[0], (x, z) -> new Pow(x, z, p));
  }

  @Override
  public Tensor[] backward(Node n, Tensor g) {
    Tensor x = n.input(0);
    Tensor d = p == 2.0 ? x.mul(2.0) : p == 1.0 ? null : x.pow(p - 1.0).mul(p);
    return new Tensor[] {d == null ? g : g.mul(d)};
  }
}
