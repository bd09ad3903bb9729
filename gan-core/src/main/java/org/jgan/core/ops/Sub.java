package org.jgan.core.ops;

import org.jgan.core.autograd.Node;
import org.jgan.core.autograd.Op;
import org.jgan.core.kernels.Kernels;
import org.jgan.core.tensor.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/** {@code a - b} with broadcasting; d/da = g, d/db = -g. */
public final class Sub extends Op {
  @Override
  public String name() {
    return "sub";
  }

  @Override
  public INDArray forward(INDArray... in) {
    Kernels.checkSameType("sub", in[0], in[1]);
    return Kernels.sub(in[0], in[1]);
  }

  @Override
  public Tensor[] backward(Node n, Tensor g) {
    return new Tensor[] {g, n.needsGrad(1) ? g.neg() : null};
  }
}
