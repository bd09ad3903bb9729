package org.jgan.train.loss;

import org.jgan.core.tensor.Tensor;

/**
 * Adversarial losses on discriminator logits, averaged over the batch ({@code r = D(x)} on real
 * data, {@code f = D(G(z))} on generated data):
 *
 * <pre>
 *   non-saturating logistic:  L_D = softplus(f) + softplus(-r)        L_G = softplus(-f)
 *   minimax (Goodfellow):     L_D = softplus(f) + softplus(-r)        L_G = -softplus(f)
 *   WGAN(-GP):                L_D = f - r  (+ gradient penalty, drift) L_G = -f
 *   hinge:                    L_D = relu(1 - r) + relu(1 + f)         L_G = -f
 *   least squares:            L_D = (r - 1)^2 / 2 + f^2 / 2           L_G = (f - 1)^2 / 2
 * </pre>
 *
 * The WGAN-GP penalty and drift live in {@link org.jgan.train.reg.GradientPenalty}.
 */
public enum GanLoss {
  /** Non-saturating logistic loss (StyleGAN, StyleGAN2). */
  NON_SATURATING,
  /** The original minimax loss; its generator gradient saturates when D is confident. */
  MINIMAX,
  /** Wasserstein loss, used with the gradient penalty (progressive GAN). */
  WGAN_GP,
  /** Hinge loss (SNGAN, BigGAN). */
  HINGE,
  /** Least-squares loss (LSGAN). */
  LEAST_SQUARES;

  /** The discriminator's loss from real and fake logits. */
  public Tensor discriminator(Tensor real, Tensor fake) {
    switch (this) {
      case NON_SATURATING:
      case MINIMAX:
        return fake.softplus().mean().add(real.neg().softplus().mean());
      case WGAN_GP:
        return fake.mean().sub(real.mean());
      case HINGE:
        return real.rsub(1.0).relu().mean().add(fake.add(1.0).relu().mean());
      case LEAST_SQUARES:
        return real.sub(1.0).square().mul(0.5).mean().add(fake.square().mul(0.5).mean());
      default:
        throw new IllegalStateException(name());
    }
  }

  /** The generator's loss from fake logits. */
  public Tensor generator(Tensor fake) {
    switch (this) {
      case NON_SATURATING:
        return fake.neg().softplus().mean();
      case MINIMAX:
        return fake.softplus().mean().neg();
      case WGAN_GP:
      case HINGE:
        return fake.mean().neg();
      case LEAST_SQUARES:
        return fake.sub(1.0).square().mul(0.5).mean();
      default:
        throw new IllegalStateException(name());
    }
  }
}
