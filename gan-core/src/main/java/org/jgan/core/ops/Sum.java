package org.jgan.core.ops;

import java.util.Arrays;
import org.jgan.core.autograd.Node;
import org.jgan.core.autograd.Op;
import org.jgan.core.kernels.Kernels;
import org.jgan.core.tensor.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Sum over axes (all axes when none are given), optionally keeping them as size 1; d/dx = g
 * broadcast back over the summed axes.
 */
public final class Sum extends Op {
  private final int[] axes;
  private final boolean keepDims;

  /** Sums over {@code axes} (sorted, non-negative; empty = all). */
  public Sum(int[] axes, boolean keepDims) {
    this.axes = axes.clone();
    this.keepDims = keepDims;
  }

  @Override
  public String name() {
    return "sum";
  }

  @Override
  public INDArray forward(INDArray... in) {
    return Kernels.sum(in[0], keepDims, axes);
  }

  @Override
  public Tensor[] backward(Node n, Tensor g) {
    long[] in = n.input(0).shape();
    long[] kept = in.clone();
    if (axes.length == 0) {
      Arrays.fill(kept, 1);
    }
    for (int a : axes) {
      kept[a] = 1;
    }
    return new Tensor[] {g.reshape(kept).expand(in)};
  }
}
