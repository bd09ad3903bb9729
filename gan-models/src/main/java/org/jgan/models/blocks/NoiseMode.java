package org.jgan.models.blocks;

/** Where per-pixel noise comes from (StyleGAN2-ADA {@code noise_mode}). */
public enum NoiseMode {
  /** Fresh Gaussian noise on every call (training). */
  RANDOM,
  /** A fixed noise image stored with the model, so the same latent gives the same image. */
  CONST,
  /** No noise. */
  NONE
}
