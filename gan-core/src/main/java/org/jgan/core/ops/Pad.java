package org.jgan.core.ops;

import org.jgan.core.autograd.Node;
import org.jgan.core.autograd.Op;
import org.jgan.core.kernels.Kernels;
import org.jgan.core.tensor.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Zero padding along one axis; its gradient is the matching {@link Slice}. */
public final class Pad extends Op {
  private final int axis;
  private final long before;
  private final long after;

  /** Pads {@code before} zeros in front and {@code after} behind along {@code axis}. */
  public Pad(int axis, long before, long after) {
    this.axis = axis;
    this.before = before;
    this.after = after;
  }

  @Override
  public String name() {
    return "pad";
  }

  @Override
  public INDArray forward(INDArray... in) {
    long[] shape = in[0].shape().clone();
    long n = shape[axis];
    shape[axis] = n + before + after;
    INDArray out = Kernels.full(in[0].dataType(), 0.0, shape);
    out.get(Slice.range(shape.length, axis, before, before + n)).assign(in[0]);
    return out;
  }

  @Override
  public Tensor[] backward(Node n, Tensor g) {
    long size = n.input(0).size(axis);
    return new Tensor[] {g.slice(axis, before, before + size)};
  }
}
