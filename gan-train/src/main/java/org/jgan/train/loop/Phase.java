package org.jgan.train.loop;

/** The phases of one training step (StyleGAN2-ADA's names). */
public enum Phase {
  /** Discriminator on real and generated images (with R1 when it is not lazy). */
  D_MAIN,
  /** Lazy R1 regularisation of the discriminator. */
  D_REG,
  /** Generator against the discriminator. */
  G_MAIN,
  /** Lazy path-length regularisation of the generator. */
  G_REG
}
