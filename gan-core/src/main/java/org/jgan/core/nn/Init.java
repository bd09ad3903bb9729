package org.jgan.core.nn;

import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;

/**
 * Weight initialisers with PyTorch's definitions ({@code torch.nn.init}). Fans are computed as
 * PyTorch does: for a tensor {@code [d0, d1, k...]}, fan_in = d1 * prod(k) and fan_out = d0 *
 * prod(k) (so a transposed conv weight {@code [I, O, k, k]} has fan_in = O k^2, as in PyTorch).
 */
public final class Init {
  private Init() {}

  /** {@code N(mean, std^2)}. */
  public static Tensor normal(Rng rng, double mean, double std, long... shape) {
    return rng.normal(DType.FLOAT32, mean, std, shape);
  }

  /** {@code U(low, high)}. */
  public static Tensor uniform(Rng rng, double low, double high, long... shape) {
    return rng.uniform(DType.FLOAT32, low, high, shape);
  }

  /** Glorot uniform: {@code U(-b, b)}, {@code b = gain sqrt(6 / (fan_in + fan_out))}. */
  public static Tensor xavierUniform(Rng rng, double gain, long... shape) {
    double b = gain * Math.sqrt(6.0 / (fanIn(shape) + fanOut(shape)));
    return uniform(rng, -b, b, shape);
  }

  /** Glorot normal: {@code std = gain sqrt(2 / (fan_in + fan_out))}. */
  public static Tensor xavierNormal(Rng rng, double gain, long... shape) {
    return normal(rng, 0, gain * Math.sqrt(2.0 / (fanIn(shape) + fanOut(shape))), shape);
  }

  /**
   * He uniform over fan_in: {@code U(-b, b)}, {@code b = gain sqrt(3 / fan_in)} with {@code gain =
   * sqrt(2 / (1 + a^2))} (leaky ReLU of slope {@code a}; {@code a = 0} for ReLU).
   */
  public static Tensor kaimingUniform(Rng rng, double a, long... shape) {
    double gain = Math.sqrt(2.0 / (1 + a * a));
    double b = gain * Math.sqrt(3.0 / fanIn(shape));
    return uniform(rng, -b, b, shape);
  }

  /** He normal over fan_in: {@code std = sqrt(2 / (1 + a^2)) / sqrt(fan_in)}. */
  public static Tensor kaimingNormal(Rng rng, double a, long... shape) {
    return normal(rng, 0, Math.sqrt(2.0 / (1 + a * a)) / Math.sqrt(fanIn(shape)), shape);
  }

  /** fan_in of a weight shape. */
  public static long fanIn(long... shape) {
    if (shape.length < 2) {
      throw new IllegalArgumentException("fan in needs a tensor of rank >= 2");
    }
    return shape[1] * receptive(shape);
  }

  /** fan_out of a weight shape. */
  public static long fanOut(long... shape) {
    if (shape.length < 2) {
      throw new IllegalArgumentException("fan out needs a tensor of rank >= 2");
    }
    return shape[0] * receptive(shape);
  }

  private static long receptive(long[] shape) {
    long r = 1;
    for (int i = 2; i < shape.length; i++) {
      r *= shape[i];
    }
    return r;
  }
}
