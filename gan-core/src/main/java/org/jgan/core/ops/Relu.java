package org.jgan.core.ops;

import org.jgan.core.autograd.Node;
import org.jgan.core.autograd.Op;
import org.jgan.core.kernels.Kernels;
import org.jgan.core.tensor.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.api.ops.impl.scalar.Step;

/** {@code max(x, 0)}; d/dx = g where x > 0, else 0. */
public final class Relu extends Op {
  @Override
  public String name() {
    return "relu";
  }

  @Override
  public INDArray forward(INDArray... in) {
    return Kernels.unary(in[0], RectifiedLinear::new);
  }

  @Override
  public Tensor[] backward(Node n, Tensor g) {
    // The step mask is piecewise constant: a constant here (relu's second derivative is 0).
    Tensor mask = Tensor.owned(Kernels.unary(n.input(0).data(), (x, z) -> new Step(x, z, 0.0)));
    return new Tensor[] {g.mul(mask)};
  }
}
