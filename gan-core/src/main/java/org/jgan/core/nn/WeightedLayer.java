package org.jgan.core.nn;

import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;

/**
 * A layer with a weight and an optional bias, initialised as PyTorch's {@code nn.Linear}, {@code
 * nn.Conv2d} and {@code nn.ConvTranspose2d}: the weight by {@code kaiming_uniform_(a = sqrt 5)},
 * the bias from {@code U(-1/sqrt(fan_in), 1/sqrt(fan_in))}, with {@code fan_in} the product of the
 * weight's sizes after the first.
 */
public abstract class WeightedLayer extends Layer {
  private final Parameter weight;
  private final Parameter bias;

  /**
   * Draws the weight of {@code weightShape}, then (when {@code withBias}) a bias of {@code
   * biasSize}, from {@code rng}.
   */
  protected WeightedLayer(long[] weightShape, int biasSize, boolean withBias, Rng rng) {
    double bound = 1.0 / Math.sqrt((double) Init.fanIn(weightShape));
    this.weight = param("weight", Init.kaimingUniform(rng, Math.sqrt(5), weightShape));
    this.bias = withBias ? param("bias", Init.uniform(rng, -bound, bound, biasSize)) : null;
  }

  /** The weight. */
  public Parameter weight() {
    return weight;
  }

  /** The bias, or null. */
  public Parameter bias() {
    return bias;
  }

  /** The bias's value, or null without a bias. */
  protected Tensor biasValue() {
    return bias == null ? null : bias.value();
  }
}
