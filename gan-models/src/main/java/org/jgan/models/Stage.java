package org.jgan.models;

import org.jgan.core.tensor.Tensor;

/**
 * Where a growing network stands: its stage resolution and the fade-in weight {@code alpha} of the
 * newest block (Karras et al. 2018). A network that does not grow stays at its full resolution.
 */
public final class Stage {
  private final int min;
  private final int max;
  private final boolean growing;
  private int resolution;
  private double alpha = 1.0;

  /** A stage between {@code min} and {@code max}, starting at {@code max} with alpha 1. */
  public Stage(int min, int max, boolean growing) {
    this.min = min;
    this.max = max;
    this.growing = growing;
    this.resolution = max;
  }

  /**
   * Moves to a stage.
   *
   * @throws IllegalArgumentException for a resolution that is not a power of two in range, or an
   *     alpha outside [0, 1]
   * @throws IllegalStateException for any other stage of a network that does not grow
   */
  public void set(int resolution, double alpha) {
    if (resolution < min || resolution > max || Integer.bitCount(resolution) != 1) {
      throw new IllegalArgumentException(
          "stage resolution must be a power of two in ["
              + min
              + ", "
              + max
              + "], got "
              + resolution);
    }
    if (!(alpha >= 0 && alpha <= 1)) {
      throw new IllegalArgumentException("fade-in alpha must be in [0, 1], got " + alpha);
    }
    if (!growing && (resolution != max || alpha != 1.0)) {
      throw new IllegalStateException("this network does not grow (its config is not progressive)");
    }
    this.resolution = resolution;
    this.alpha = alpha;
  }

  /** The stage resolution. */
  public int resolution() {
    return resolution;
  }

  /** The newest block's weight. */
  public double alpha() {
    return alpha;
  }

  /** The highest resolution. */
  public int max() {
    return max;
  }

  /** Whether the network grows. */
  public boolean growing() {
    return growing;
  }

  /** Whether a block is fading in (alpha below 1 above the lowest resolution). */
  public boolean fading() {
    return alpha < 1.0 && resolution > min;
  }

  /** {@code low + alpha (high - low)}: the fade-in blend. */
  public Tensor blend(Tensor low, Tensor high) {
    return low.add(high.sub(low).mul(alpha));
  }
}
