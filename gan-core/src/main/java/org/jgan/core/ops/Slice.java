package org.jgan.core.ops;

import org.jgan.core.autograd.Node;
import org.jgan.core.autograd.Op;
import org.jgan.core.kernels.Kernels;
import org.jgan.core.tensor.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Elements {@code start..end-1} along one axis, copied; its gradient zero-pads ({@link Pad}). */
public final class Slice extends Op {
  private final int axis;
  private final long start;
  private final long end;

  /** Slices {@code [start, end)} of {@code axis}. */
  public Slice(int axis, long start, long end) {
    this.axis = axis;
    this.start = start;
    this.end = end;
  }

  @Override
  public String name() {
    return "slice";
  }

  @Override
  public INDArray forward(INDArray... in) {
    return Kernels.copy(in[0].get(range(in[0].rank(), axis, start, end)));
  }

  @Override
  public Tensor[] backward(Node n, Tensor g) {
    long size = n.input(0).size(axis);
    return new Tensor[] {g.pad(axis, start, size - end)};
  }

  /** Indices selecting {@code [start, end)} along {@code axis}, everything along other axes. */
  static INDArrayIndex[] range(int rank, int axis, long start, long end) {
    INDArrayIndex[] idx = new INDArrayIndex[rank];
    for (int i = 0; i < rank; i++) {
      idx[i] = i == axis ? NDArrayIndex.interval(start, end) : NDArrayIndex.all();
    }
    return idx;
  }
}
