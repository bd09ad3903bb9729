package org.jgan.models.blocks;

import org.jgan.core.tensor.Tensor;

/**
 * Pixel-wise feature normalisation (Karras et al. 2018; StyleGAN2-ADA {@code
 * normalize_2nd_moment}): {@code x / sqrt(mean_C(x^2) + 1e-8)} over axis 1, so that the mean of
 * {@code x^2} over channels is 1 at every pixel (every row for {@code [N, C]}).
 */
public final class PixelNorm {
  /** The epsilon inside the square root. */
  public static final double EPS = 1e-8;

  private PixelNorm() {}

  /** Normalises over axis 1. */
  public static Tensor apply(Tensor x) {
    return x.mul(x.square().mean(true, 1).add(EPS).rsqrt());
  }
}
