package org.jgan.core.ops;

import org.jgan.core.autograd.Node;
import org.jgan.core.autograd.Op;
import org.jgan.core.kernels.Kernels;
import org.jgan.core.tensor.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Broadcasts to a larger shape, materialised; the gradient is the output gradient summed back over
 * the repeated axes (done by the engine).
 */
public final class Expand extends Op {
  private final long[] shape;

  /** Expands to {@code shape}. */
  public Expand(long[] shape) {
    this.shape = shape.clone();
  }

  @Override
  public String name() {
    return "expand";
  }

  @Override
  public INDArray forward(INDArray... in) {
    INDArray out = Kernels.alloc(in[0].dataType(), shape);
    Kernels.custom(
        "assign", new INDArray[] {out, in[0]}, new INDArray[] {out}); // broadcasting copy, one pass
    return out;
  }

  @Override
  public Tensor[] backward(Node n, Tensor g) {
    return new Tensor[] {g};
  }
}
