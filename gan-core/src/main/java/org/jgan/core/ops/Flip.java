package org.jgan.core.ops;

import org.jgan.core.autograd.Node;
import org.jgan.core.autograd.Op;
import org.jgan.core.tensor.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Reverses the order of elements along the given axes (e.g. a kernel's spatial axes, turning a
 * correlation into a convolution); the gradient is flipped back.
 */
public final class Flip extends Op {
  private final int[] axes;

  /** Flips along {@code axes} (non-negative). */
  public Flip(int... axes) {
    this.axes = axes.clone();
  }

  @Override
  public String name() {
    return "flip";
  }

  @Override
  public INDArray forward(INDArray... in) {
    INDArray out = Kernels.alloc(in[0].dataType(), in[0].shape());
    Kernels.custom("reverse", new INDArray[] {in[0]}, new INDArray[] {out}, axes);
    return out;
  }

  @Override
  public Tensor[] backward(Node n, Tensor g) {
    return new Tensor[] {g.flip(axes)};
  }
}
