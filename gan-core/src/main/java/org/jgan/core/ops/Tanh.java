package org.jgan.core.ops;

import org.jgan.core.autograd.Node;
import org.jgan.core.autograd.Op;
import org.jgan.core.kernels.Kernels;
import org.jgan.core.tensor.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Hyperbolic tangent; d/dx = g (1 - y^2). */
public final class Tanh extends Op {
  @Override
  public String name() {
    return "tanh";
  }

  @Override
  public INDArray forward(INDArray... in) {
    return Kernels.unary(in[0], org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh::new);
  }

  @Override
  public Tensor[] backward(Node n, Tensor g) {
    return new Tensor[] {g.mul(n.output().square().rsub(1.0))};
  }
}
