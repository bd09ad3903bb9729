package org.jgan.train.reg;

import java.util.function.Function;
import org.jgan.core.autograd.Autograd;
import org.jgan.core.tensor.Tensor;

/**
 * The R1 penalty (Mescheder et al. 2018), as in StyleGAN2: the squared norm of the discriminator's
 * gradient on real images,
 *
 * <pre>
 *   R1 = (gamma / 2) mean_n sum_{C,H,W} (d sum_n D(x_n) / d x_n)^2
 * </pre>
 *
 * computed with {@code createGraph = true} so that its own gradient with respect to the
 * discriminator's parameters (a double backward) can be taken.
 */
public final class R1Penalty {
  private R1Penalty() {}

  /** The penalty for real samples {@code x} (any shape with the batch first). */
  public static Tensor compute(Function<Tensor, Tensor> discriminator, Tensor x, double gamma) {
    Tensor real = Tensor.leaf(x.data(), true);
    Tensor logits = discriminator.apply(real);
    Tensor g = Autograd.grad(logits.sum(), real, true);
    int[] axes = new int[g.rank() - 1];
    for (int i = 0; i < axes.length; i++) {
      axes[i] = i + 1;
    }
    return g.square().sum(false, axes).mean().mul(gamma / 2);
  }
}
