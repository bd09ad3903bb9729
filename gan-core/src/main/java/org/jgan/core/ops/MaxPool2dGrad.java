package org.jgan.core.ops;

import org.jgan.core.autograd.Node;
import org.jgan.core.autograd.Op;
import org.jgan.core.kernels.Kernels;
import org.jgan.core.tensor.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The gradient of {@link MaxPool2d}: inputs {@code x} and the output gradient {@code g}; each
 * window's {@code g} goes to the position of its maximum in {@code x} (libnd4j's {@code
 * maxpool2d_bp}). Not differentiable itself: {@link MaxPool2d#maxGradOrder()} is 1, so the engine
 * stops a second derivative before it gets here.
 */
final class MaxPool2dGrad extends Op {
  private final MaxPool2d pool;

  MaxPool2dGrad(MaxPool2d pool) {
    this.pool = pool;
  }

  @Override
  public String name() {
    return "max_pool2d_backward";
  }

  @Override
  public int maxGradOrder() {
    return 0;
  }

  @Override
  public INDArray forward(INDArray... in) {
    INDArray out = Kernels.alloc(in[0].dataType(), in[0].shape());
    Kernels.custom(
        "maxpool2d_bp", new INDArray[] {in[0], in[1]}, new INDArray[] {out}, pool.args());
    return out;
  }

  @Override
  public Tensor[] backward(Node n, Tensor g) {
    throw new UnsupportedOperationException(
        "max_pool2d is once differentiable; its backward has no gradient");
  }
}
