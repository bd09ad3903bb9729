package org.jgan.train.loop;

/**
 * How adaptive discriminator augmentation moves its probability p (Karras et al. 2020): every
 * {@code interval} minibatches, {@code r_t = E[sign(D(x_real))]} over those minibatches is compared
 * with {@code target}, and p moves by {@code sign(r_t - target) batch interval / (kimg 1000)},
 * clamped to [0, 1], so that it can cross from 0 to 1 in {@code kimg} thousand images.
 *
 * @param target the target of {@code r_t} (0.6); 0 keeps p fixed at {@code p}
 * @param kimg thousands of images for p to move from 0 to 1 (ADA: 500, for runs of tens of millions
 *     of images; 100 here, for runs of hundreds of thousands)
 * @param interval minibatches between adjustments (4)
 * @param p the probability at the start (0)
 */
public record AdaSettings(double target, double kimg, int interval, double p) {
  /** Validates the values. */
  public AdaSettings {
    if (!(target >= 0 && target < 1)) {
      throw new IllegalArgumentException(
          "the ADA target must be in [0, 1) (0 keeps p fixed), got " + target);
    }
    if (!(kimg > 0) || Double.isInfinite(kimg)) {
      throw new IllegalArgumentException("ADA's kimg must be a positive number, got " + kimg);
    }
    if (interval < 1) {
      throw new IllegalArgumentException("ADA's interval must be >= 1, got " + interval);
    }
    if (!(p >= 0 && p <= 1)) {
      throw new IllegalArgumentException("ADA's initial p must be in [0, 1], got " + p);
    }
  }

  /** Target 0.6, p from 0 to 1 in 100k images at the fastest, adjusted every 4 minibatches. */
  public static AdaSettings defaults() {
    return new AdaSettings(0.6, 100, 4, 0);
  }

  /**
   * p after one adjustment.
   *
   * @param p the current probability
   * @param rt the mean sign of the discriminator's outputs on reals since the last adjustment
   * @param batch images per minibatch
   */
  public double adjust(double p, double rt, int batch) {
    if (target == 0) {
      return p;
    }
    double step = Math.signum(rt - target) * batch * interval / (kimg * 1000);
    return Math.min(1, Math.max(0, p + step));
  }
}
