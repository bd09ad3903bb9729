package org.jgan.core.ops;

import org.jgan.core.autograd.Node;
import org.jgan.core.autograd.Op;
import org.jgan.core.kernels.Kernels;
import org.jgan.core.tensor.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/** {@code a * b} with broadcasting; d/da = g b, d/db = g a. */
public final class Mul extends Op {
  @Override
  public String name() {
    return "mul";
  }

  @Override
  public INDArray forward(INDArray... in) {
    Kernels.checkSameType("mul", in[0], in[1]);
    return Kernels.mul(in[0], in[1]);
  }

  @Override
  public Tensor[] backward(Node n, Tensor g) {
    return new Tensor[] {
      n.needsGrad(0) ? g.mul(n.input(1)) : null, n.needsGrad(1) ? g.mul(n.input(0)) : null
    };
  }
}
