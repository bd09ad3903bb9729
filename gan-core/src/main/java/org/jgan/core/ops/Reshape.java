package org.jgan.core.ops;

import org.jgan.core.autograd.Node;
import org.jgan.core.autograd.Op;
import org.jgan.core.tensor.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Same elements (row-major order) in a new shape; a view when the input is contiguous. */
public final class Reshape extends Op {
  private final long[] shape;

  /** Reshapes to {@code shape} (fully specified). */
  public Reshape(long[] shape) {
    this.shape = shape.clone();
  }

  @Override
  public String name() {
    return "reshape";
  }

  @Override
  public INDArray forward(INDArray... in) {
    return in[0].reshape('c', shape);
  }

  @Override
  public Tensor[] backward(Node n, Tensor g) {
    return new Tensor[] {g.reshape(n.input(0).shape())};
  }
}
