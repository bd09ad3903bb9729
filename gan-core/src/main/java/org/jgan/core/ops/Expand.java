package org.jgan.core.ops;

import org.jgan.core.autograd.Node;
import org.jgan.core.autograd.Op;
import org.jgan.core.tensor.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.factory.Nd4j;

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
    INDArray out = Kernels.full(in[0].dataType(), 0.0, shape);
    Nd4j.exec(new AddOp(new INDArray[] {out, in[0]}, new INDArray[] {out}));
    return out;
  }

  @Override
  public Tensor[] backward(Node n, Tensor g) {
    return new Tensor[] {g};
  }
}
