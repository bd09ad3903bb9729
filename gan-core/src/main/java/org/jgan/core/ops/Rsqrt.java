package org.jgan.core.ops;

import org.jgan.core.autograd.Node;
import org.jgan.core.autograd.Op;
import org.jgan.core.kernels.Kernels;
import org.jgan.core.tensor.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.floating.RSqrt;

/** {@code 1 / sqrt(x)}; d/dx = -g y^3 / 2. */
public final class Rsqrt extends Op {
  @Override
  public String name() {
    return "rsqrt";
  }

  @Override
  public INDArray forward(INDArray... in) {
    return Kernels.unary(in[0], RSqrt::new);
  }

  @Override
  public Tensor[] backward(Node n, Tensor g) {
    Tensor y = n.output();
    return new Tensor[] {g.mul(y.square().mul(y)).mul(-0.5)};
  }
}
