package org.jgan.train.reg;

import java.util.function.Function;
import org.jgan.core.autograd.Autograd;
import org.jgan.core.tensor.Tensor;

/**
 * WGAN-GP's regularisers (Gulrajani et al. 2017; progressive GAN's {@code D_wgangp_acgan}): the
 * gradient penalty on random interpolates and the drift term,
 *
 * <pre>
 *   x^    = x + u (G(z) - x),  u ~ U(0, 1) per sample
 *   GP    = lambda mean_n (||d sum D(x^) / d x^_n||_2 - 1)^2      (lambda = 10)
 *   drift = eps mean_n D(x)^2                                   (eps = 0.001)
 * </pre>
 */
public final class GradientPenalty {
  /** WGAN-GP's lambda. */
  public static final double LAMBDA = 10.0;

  /** The progressive GAN's drift epsilon. */
  public static final double DRIFT = 0.001;

  private GradientPenalty() {}

  /**
   * The gradient penalty at interpolates of {@code real} and {@code fake} with per-sample weights
   * {@code u [N, 1, ..., 1]}.
   */
  public static Tensor penalty(
      Function<Tensor, Tensor> discriminator, Tensor real, Tensor fake, Tensor u, double lambda) {
    Tensor xHat = Tensor.leaf(real.add(u.mul(fake.detach().sub(real))).data(), true);
    Tensor g = Autograd.grad(discriminator.apply(xHat).sum(), xHat, true);
    int[] axes = new int[g.rank() - 1];
    for (int i = 0; i < axes.length; i++) {
      axes[i] = i + 1;
    }
    Tensor norm = g.square().sum(false, axes).sqrt();
    return norm.sub(1.0).square().mean().mul(lambda);
  }

  /** The drift term {@code eps mean D(x)^2} on real logits. */
  public static Tensor drift(Tensor realLogits, double eps) {
    return realLogits.square().mean().mul(eps);
  }
}
