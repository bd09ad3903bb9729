package org.jgan.train.augment;

import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;

/**
 * What happens to every image the discriminator sees, real and generated alike, in every phase (its
 * losses, R1 and the gradient penalty take their gradient through it, as StyleGAN2-ADA does):
 * nothing, {@link DiffAugment}'s colour, translation and cutout, or {@link Ada}'s pipeline at the
 * probability the trainer adapts.
 */
public enum Augmentation {
  /** The images as they are. */
  NONE,
  /** DiffAugment with all three groups (Zhao et al. 2020). */
  DIFFAUGMENT,
  /** Adaptive discriminator augmentation, the {@code bgc} pipeline (Karras et al. 2020). */
  ADA;

  /**
   * {@code x} as the discriminator sees it, random draws from {@code rng}; {@code p} is ADA's
   * probability (the others ignore it).
   */
  public Tensor apply(Tensor x, double p, Rng rng) {
    return switch (this) {
      case NONE -> x;
      case DIFFAUGMENT -> DiffAugment.apply(x, DiffAugment.ALL, rng);
      case ADA -> Ada.apply(x, p, rng);
    };
  }
}
