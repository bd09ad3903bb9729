package org.jgan.models;

import org.jgan.core.nn.Functional;
import org.jgan.core.tensor.Tensor;
import org.jgan.models.blocks.Fir;

/**
 * Where a growing network stands: its stage resolution and the fade-in weight {@code alpha} of the
 * newest block (Karras et al. 2018). A network that does not grow stays at its full resolution.
 */
public final class Stage {
  /** How images change resolution between two stages. */
  public enum Filter {
    /** 2x2 average pooling down, nearest-neighbour up (the progressive GAN, StyleGAN). */
    BOX,
    /** StyleGAN2's {@code [1, 3, 3, 1]} FIR filter both ways ({@link Fir#STYLEGAN2}). */
    FIR
  }

  private final int min;
  private final int max;
  private final boolean growing;
  private final Filter filter;
  private int resolution;
  private double alpha = 1.0;

  /**
   * A stage between {@code min} and {@code max}, starting at {@code max} with alpha 1, resampling
   * images with the box filter.
   */
  public Stage(int min, int max, boolean growing) {
    this(min, max, growing, Filter.BOX);
  }

  /** A stage between {@code min} and {@code max}, starting at {@code max} with alpha 1. */
  public Stage(int min, int max, boolean growing, Filter filter) {
    this.min = min;
    this.max = max;
    this.growing = growing;
    this.filter = filter;
    this.resolution = max;
  }

  /** Halves an image's resolution with this stage's filter. */
  public Tensor downsample(Tensor x) {
    return filter == Filter.FIR ? Fir.STYLEGAN2.downsample2d(x) : Functional.avgPool2d(x, 2);
  }

  /** Doubles an image's resolution with this stage's filter. */
  public Tensor upsample(Tensor x) {
    return filter == Filter.FIR ? Fir.STYLEGAN2.upsample2d(x) : Functional.upsampleNearest2d(x, 2);
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
