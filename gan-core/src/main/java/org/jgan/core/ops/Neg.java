package org.jgan.core.ops;

import org.jgan.core.autograd.Node;
import org.jgan.core.autograd.Op;
import org.jgan.core.kernels.Kernels;
import org.jgan.core.tensor.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.same.Negative;

/** {@code -x}; d/dx = -g. */
public final class Neg extends Op {
  @Override
  public String name() {
    return "neg";
  }

  @Override
  public INDArray forward(INDArray... in) {
    return Kernels.unary(in[0], Negative::new);
  }

  @Override
  public Tensor[] backward(Node n, Tensor g) {
    return new Tensor[] {g.neg()};
  }
}
