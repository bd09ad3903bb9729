package org.jgan.train.loop;

/**
 * Adam's settings for one network.
 *
 * @param lr learning rate
 * @param beta1 first-moment decay
 * @param beta2 second-moment decay
 * @param eps denominator epsilon
 */
public record OptimizerSettings(double lr, double beta1, double beta2, double eps) {
  /** Validates the values. */
  public OptimizerSettings {
    if (!(lr > 0) || Double.isInfinite(lr)) {
      throw new IllegalArgumentException("learning rate must be positive, got " + lr);
    }
    if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
      throw new IllegalArgumentException(
          "Adam betas must be in [0, 1), got " + beta1 + ", " + beta2);
    }
    if (!(eps >= 0)) {
      throw new IllegalArgumentException("Adam eps must be >= 0, got " + eps);
    }
  }

  /** DCGAN's Adam: 2e-4, betas (0.5, 0.999). */
  public static OptimizerSettings dcgan() {
    return new OptimizerSettings(2e-4, 0.5, 0.999, 1e-8);
  }

  /** The progressive GAN's and StyleGAN's Adam: 0.001, betas (0, 0.99). */
  public static OptimizerSettings progressive() {
    return new OptimizerSettings(0.001, 0.0, 0.99, 1e-8);
  }

  /**
   * The 2014 GAN on 2-D points: Adam 1e-3, betas (0.5, 0.999) (25 of 25 modes of the grid in 2M
   * samples, docs/results.md).
   */
  public static OptimizerSettings gan2dPoints() {
    return new OptimizerSettings(1e-3, 0.5, 0.999, 1e-8);
  }

  /** StyleGAN2-ADA's Adam: 0.0025, betas (0, 0.99). */
  public static OptimizerSettings styleGan2() {
    return new OptimizerSettings(0.0025, 0.0, 0.99, 1e-8);
  }

  /** These settings with another learning rate. */
  public OptimizerSettings withLr(double lr) {
    return new OptimizerSettings(lr, beta1, beta2, eps);
  }

  /**
   * The settings for a lazily regularised network (StyleGAN2): with regularisation every {@code k}
   * minibatches, {@code c = k / (k + 1)}, lr times c and betas to the power c.
   */
  public OptimizerSettings lazy(int interval) {
    if (interval <= 1) {
      return this;
    }
    double c = interval / (interval + 1.0);
    return new OptimizerSettings(lr * c, Math.pow(beta1, c), Math.pow(beta2, c), eps);
  }
}
