package org.jgan.core.ops;

import org.jgan.core.autograd.Node;
import org.jgan.core.autograd.Op;
import org.jgan.core.kernels.Kernels;
import org.jgan.core.tensor.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Natural logarithm; d/dx = g / x. */
public final class Log extends Op {
  @Override
  public String name() {
    return "log";
  }

  @Override
  public INDArray forward(INDArray... in) {
    return Kernels.unary(in[0], org.nd4j.linalg.api.ops.impl.transforms.strict.Log::new);
  }

  @Override
  public Tensor[] backward(Node n, Tensor g) {
    return new Tensor[] {g.div(n.input(0))};
  }
}
