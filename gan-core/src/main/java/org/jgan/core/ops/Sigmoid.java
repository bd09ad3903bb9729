package org.jgan.core.ops;

import org.jgan.core.autograd.Node;
import org.jgan.core.autograd.Op;
import org.jgan.core.kernels.Kernels;
import org.jgan.core.tensor.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Logistic sigmoid; d/dx = g y (1 - y). */
public final class Sigmoid extends Op {
  @Override
  public String name() {
    return "sigmoid";
  }

  @Override
  public INDArray forward(INDArray... in) {
    return Kernels.unary(in[0], org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid::new);
  }

  @Override
  public Tensor[] backward(Node n, Tensor g) {
    Tensor y = n.output();
    return new Tensor[] {g.mul(y.mul(y.rsub(1.0)))};
  }
}
