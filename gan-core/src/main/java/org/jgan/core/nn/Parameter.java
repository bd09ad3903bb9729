package org.jgan.core.nn;

import org.jgan.core.kernels.Kernels;
import org.jgan.core.kernels.Shapes;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A trainable tensor of a {@link Module}: a leaf that owns its array (never freed by a scope) and
 * accumulates a gradient. Only optimisers and loaders change its values, in place and outside any
 * graph.
 */
public final class Parameter {
  private Tensor value;

  /** A parameter initialised with a copy of {@code init}. */
  public Parameter(Tensor init) {
    this.value = Tensor.parameterLeaf(Kernels.copy(init.data()));
  }

  /** The current value, a leaf that requires a gradient (unless frozen). */
  public Tensor value() {
    return value;
  }

  /** The accumulated gradient, or null. */
  public Tensor grad() {
    return value.grad();
  }

  /** Forgets the gradient. */
  public void zeroGrad() {
    value.clearGrad();
  }

  /** Shape of the value. */
  public long[] shape() {
    return value.shape();
  }

  /** Number of elements. */
  public long numel() {
    return value.numel();
  }

  /** Whether gradients flow into this parameter. */
  public boolean requiresGrad() {
    return value.requiresGrad();
  }

  /** Freezes ({@code false}) or unfreezes the parameter. */
  public void setRequiresGrad(boolean on) {
    if (on != value.requiresGrad()) {
      value.clearGrad();
      value = leaf(value.data(), on);
    }
  }

  /**
   * Copies {@code source} into the value in place.
   *
   * @throws IllegalArgumentException when the shapes differ
   */
  public void copyFrom(INDArray source, String name) {
    Shapes.checkEqual(name, value.shape(), source.shape());
    value.data().assign(source);
  }

  /** Converts the value to another element type (drops the gradient). */
  public void to(DType type) {
    if (type != value.dtype()) {
      INDArray old = value.data();
      boolean rg = value.requiresGrad();
      value.clearGrad();
      value = leaf(Kernels.copy(old, type.nd4j()), rg);
      Kernels.free(old);
    }
  }

  private static Tensor leaf(INDArray data, boolean requiresGrad) {
    return requiresGrad ? Tensor.parameterLeaf(data) : Tensor.leaf(data, false);
  }
}
