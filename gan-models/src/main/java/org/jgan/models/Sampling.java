package org.jgan.models;

import org.jgan.core.tensor.Rng;
import org.jgan.models.blocks.NoiseMode;

/**
 * How a generator samples: where per-pixel noise comes from, and the truncation trick (StyleGAN):
 * latents are pulled towards the average, {@code w' = w_avg + psi (w - w_avg)}, for the first
 * {@code truncationCutoff} layers (negative: all), or towards the centre of each sample's class
 * (conditional style generators). Generators without a mapping network refuse a truncation.
 *
 * @param rng source of random noise (needed in {@link NoiseMode#RANDOM} mode for noisy families)
 * @param noiseMode random, const or none
 * @param truncationPsi 1 = no truncation
 * @param truncationCutoff layers truncated; negative = all
 * @param classCentres truncate towards the mean {@code w} of each sample's class ({@link
 *     org.jgan.models.blocks.MappingNetwork#classCentres}) instead of the tracked average
 */
public record Sampling(
    Rng rng,
    NoiseMode noiseMode,
    double truncationPsi,
    int truncationCutoff,
    boolean classCentres) {
  /** Validates psi. */
  public Sampling {
    if (!(truncationPsi >= 0 && truncationPsi <= 2)) {
      throw new IllegalArgumentException("truncation psi must be in [0, 2], got " + truncationPsi);
    }
    if (noiseMode == NoiseMode.RANDOM && rng == null) {
      throw new IllegalArgumentException("random noise needs an Rng");
    }
  }

  /** Truncation towards the tracked average {@code w_avg}. */
  public Sampling(Rng rng, NoiseMode noiseMode, double truncationPsi, int truncationCutoff) {
    this(rng, noiseMode, truncationPsi, truncationCutoff, false);
  }

  /** This sampling, truncating towards each sample's class centre instead of the average. */
  public Sampling towardsClassCentres() {
    return new Sampling(rng, noiseMode, truncationPsi, truncationCutoff, true);
  }

  /** Training: random noise from {@code rng}, no truncation. */
  public static Sampling training(Rng rng) {
    return new Sampling(rng, NoiseMode.RANDOM, 1.0, -1);
  }

  /** Reproducible pictures: the model's constant noise and the given truncation. */
  public static Sampling fixed(double truncationPsi) {
    return new Sampling(null, NoiseMode.CONST, truncationPsi, -1);
  }
}
