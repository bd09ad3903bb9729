package org.jgan.core.ops;

import org.jgan.core.autograd.Node;
import org.jgan.core.autograd.Op;
import org.jgan.core.kernels.Kernels;
import org.jgan.core.tensor.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/** {@code a / b} with broadcasting; d/da = g / b, d/db = -g a / b^2. */
public final class Div extends Op {
  @Override
  public String name() {
    return "div";
  }

  @Override
  public INDArray forward(INDArray... in) {
    Kernels.checkSameType("div", in[0], in[1]);
    return Kernels.div(in[0], in[1]);
  }

  @Override
  public Tensor[] backward(Node n, Tensor g) {
    Tensor a = n.input(0);
    Tensor b = n.input(1);
    return new Tensor[] {
      n.needsGrad(0) ? g.div(b) : null, n.needsGrad(1) ? g.mul(a).div(b.square()).neg() : null
    };
  }
}
