package org.jgan.train.augment;

import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;

/**
 * What happens to every image the discriminator sees, real and generated alike, in every phase (its
 * losses, R1 and the gradient penalty take their gradient through it, as StyleGAN2-ADA does):
 * nothing, or {@link DiffAugment}'s colour, translation and cutout.
 */
public enum Augmentation {
  /** The images as they are. */
  NONE,
  /** DiffAugment with all three groups (Zhao et al. 2020). */
  DIFFAUGMENT;

  /** {@code x} as the discriminator sees it, random draws from {@code rng}. */
  public Tensor apply(Tensor x, Rng rng) {
    return this == NONE ? x : DiffAugment.apply(x, DiffAugment.ALL, rng);
  }
}
