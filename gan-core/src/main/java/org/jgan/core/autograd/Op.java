package org.jgan.core.autograd;

import org.jgan.core.tensor.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One differentiable primitive: a forward on arrays and a backward written in {@link Tensor} ops.
 *
 * <p>Because the backward is itself made of recorded ops, running it with gradients on ({@code
 * createGraph = true}) records a graph of the gradient, so gradients of gradients work (R1,
 * WGAN-GP, path length). An instance is created per call and may hold the call's attributes
 * (stride, axes); tensors it needs for backward are the node's inputs and output.
 */
public abstract class Op {
  /** Short name used in error messages and profiles, e.g. {@code "conv2d"}. */
  public abstract String name();

  /**
   * Computes the output array. It must be a fresh array owned by the caller unless {@link
   * #aliasesInput()} is true.
   */
  public abstract INDArray forward(INDArray... inputs);

  /**
   * Gradients with respect to each input, given the gradient of the output. An entry may be null
   * only where {@link Node#needsGrad(int)} is false; a gradient may have the output's broadcast
   * shape, the engine sums it down to the input's shape.
   */
  public abstract Tensor[] backward(Node node, Tensor gradOutput);

  /**
   * How many times this op can be differentiated: 1 means its backward cannot itself be
   * differentiated (an error names this op if that is attempted).
   */
  public int maxGradOrder() {
    return Integer.MAX_VALUE;
  }

  /** True for view ops (reshape, permute) whose output may share the input's memory. */
  public boolean aliasesInput() {
    return false;
  }
}
