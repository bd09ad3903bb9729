package org.jgan.core.ops;

import org.jgan.core.autograd.Node;
import org.jgan.core.autograd.Op;
import org.jgan.core.kernels.Kernels;
import org.jgan.core.tensor.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Square root; d/dx = g / (2 y). */
public final class Sqrt extends Op {
  @Override
  public String name() {
    return "sqrt";
  }

  @Override
  public INDArray forward(INDArray... in) {
    return Kernels.unary(in[0], org.nd4j.linalg.api.ops.impl.transforms.floating.Sqrt::new);
  }

  @Override
  public Tensor[] backward(Node n, Tensor g) {
    return new Tensor[] {g.div(n.output()).mul(0.5)};
  }
}
