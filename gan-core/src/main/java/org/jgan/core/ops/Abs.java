package org.jgan.core.ops;

import org.jgan.core.autograd.Node;
import org.jgan.core.autograd.Op;
import org.jgan.core.kernels.Kernels;
import org.jgan.core.tensor.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.same.Sign;

/** {@code |x|}; d/dx = g sign(x) (0 at 0). */
public final class Abs extends Op {
  @Override
  public String name() {
    return "abs";
  }

  @Override
  public INDArray forward(INDArray... in) {
    return Kernels.unary(in[0], org.nd4j.linalg.api.ops.impl.transforms.same.Abs::new);
  }

  @Override
  public Tensor[] backward(Node n, Tensor g) {
    // sign(x) is piecewise constant: a constant here, so its own derivative is zero.
    Tensor sign = Tensor.owned(Kernels.unary(n.input(0).data(), Sign::new));
    return new Tensor[] {g.mul(sign)};
  }
}
