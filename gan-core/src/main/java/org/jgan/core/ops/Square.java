package org.jgan.core.ops;

import org.jgan.core.autograd.Node;
import org.jgan.core.autograd.Op;
import org.jgan.core.kernels.Kernels;
import org.jgan.core.tensor.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/** {@code x^2}; d/dx = 2 g x. */
public final class Square extends Op {
  @Override
  public String name() {
    return "square";
  }

  @Override
  public INDArray forward(INDArray... in) {
    return Kernels.unary(in[0], org.nd4j.linalg.api.ops.impl.transforms.same.Square::new);
  }

  @Override
  public Tensor[] backward(Node n, Tensor g) {
    return new Tensor[] {g.mul(n.input(0)).mul(2.0)};
  }
}
