package org.jgan.core.nn;

import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;

/**
 * Fully connected layer {@code y = x W^T + b}, {@code W [out, in]}, {@code b [out]}, initialised as
 * PyTorch's {@code nn.Linear}: {@code U(-1/sqrt(in), 1/sqrt(in))} for both.
 */
public final class Linear extends Layer {
  private final Parameter weight;
  private final Parameter bias;

  /** A linear layer with bias. */
  public Linear(int in, int out, Rng rng) {
    this(in, out, true, rng);
  }

  /** A linear layer, with or without bias. */
  public Linear(int in, int out, boolean bias, Rng rng) {
    double bound = 1.0 / Math.sqrt(in);
    this.weight = param("weight", Init.kaimingUniform(rng, Math.sqrt(5), out, in));
    this.bias = bias ? param("bias", Init.uniform(rng, -bound, bound, out)) : null;
  }

  /** The weight {@code [out, in]}. */
  public Parameter weight() {
    return weight;
  }

  /** The bias {@code [out]}, or null. */
  public Parameter bias() {
    return bias;
  }

  @Override
  public Tensor forward(Tensor x) {
    return Functional.linear(x, weight.value(), bias == null ? null : bias.value());
  }
}
