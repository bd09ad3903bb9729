package org.jgan.core.nn;

import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;

/**
 * Fully connected layer {@code y = x W^T + b}, {@code W [out, in]}, {@code b [out]}, initialised as
 * PyTorch's {@code nn.Linear}: {@code U(-1/sqrt(in), 1/sqrt(in))} for both.
 */
public final class Linear extends WeightedLayer {
  /** A linear layer with bias. */
  public Linear(int in, int out, Rng rng) {
    this(in, out, true, rng);
  }

  /** A linear layer, with or without bias. */
  public Linear(int in, int out, boolean bias, Rng rng) {
    super(new long[] {out, in}, out, bias, rng);
  }

  @Override
  public Tensor forward(Tensor x) {
    return Functional.linear(x, weight().value(), biasValue());
  }
}
