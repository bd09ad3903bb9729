package org.jgan.core.ops;

import org.jgan.core.autograd.Node;
import org.jgan.core.autograd.Op;
import org.jgan.core.kernels.Kernels;
import org.jgan.core.tensor.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code a + b} with broadcasting; d/da = g, d/db = g (summed to each input's shape by the engine).
 */
public final class Add extends Op {
  @Override
  public String name() {
    return "add";
  }

  @Override
  public INDArray forward(INDArray... in) {
    Kernels.checkSameType("add", in[0], in[1]);
    return Kernels.add(in[0], in[1]);
  }

  @Override
  public Tensor[] backward(Node n, Tensor g) {
    return new Tensor[] {g, g};
  }
}
