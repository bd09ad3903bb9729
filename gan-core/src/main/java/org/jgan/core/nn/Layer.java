package org.jgan.core.nn;

import org.jgan.core.tensor.Tensor;

/** A module with one input and one output, so that it can sit in a {@link Sequential}. */
public abstract class Layer extends Module {
  /** Applies the layer. */
  public abstract Tensor forward(Tensor x);
}
