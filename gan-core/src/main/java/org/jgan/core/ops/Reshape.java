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
    INDArray view = in[0].reshape('c', shape);
    if (view.isView() || view.data() == in[0].data()) {
      return view;
    }
    // ND4J copied a non-contiguous input; make the copy ours so that a scope can free it.
    INDArray out = Kernels.alloc(in[0].dataType(), shape);
    out.assign(in[0]);
    return out;
  }

  @Override
  public Tensor[] backward(Node n, Tensor g) {
    return new Tensor[] {g.reshape(n.input(0).shape())};
  }
}
