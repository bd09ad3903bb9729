package org.jgan.core.ops;

import org.jgan.core.autograd.Node;
import org.jgan.core.autograd.Op;
import org.jgan.core.kernels.Kernels;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Converts the element type; the gradient is converted back to the input's type. */
public final class Cast extends Op {
  private final DType type;

  /** Converts to {@code type}. */
  public Cast(DType type) {
    this.type = type;
  }

  @Override
  public String name() {
    return "cast";
  }

  @Override
  public INDArray forward(INDArray... in) {
    return Kernels.copy(in[0], type.nd4j());
  }

  @Override
  public Tensor[] backward(Node n, Tensor g) {
    return new Tensor[] {g.to(n.input(0).dtype())};
  }
}
