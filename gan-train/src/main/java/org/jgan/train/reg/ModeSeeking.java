package org.jgan.train.reg;

import org.jgan.core.tensor.Tensor;

/**
 * The mode-seeking term of Mao et al. 2019 ("Mode Seeking Generative Adversarial Networks for
 * Diverse Image Synthesis"), added to the generator's loss against collapse within a condition. The
 * batch is taken as two halves whose samples are paired (sample {@code i} with {@code i + N/2},
 * drawn with the same label), and
 *
 * <pre>
 *   ratio = mean |G(z_i) - G(z_{i+N/2})| / mean |z_i - z_{i+N/2}|
 *   L_ms  = weight / (ratio + 1e-5)
 * </pre>
 *
 * where the means run over the pairs and every element of a sample. Minimising {@code L_ms} pushes
 * two samples of one label apart in proportion to how far apart their latents are; a generator that
 * draws one picture per label has {@code ratio = 0}, the largest term and the largest gradient.
 */
public final class ModeSeeking {
  /** Keeps the term finite when two samples coincide. */
  public static final double EPS = 1e-5;

  private ModeSeeking() {}

  /**
   * The term for samples {@code images [N, ...]} made from latents {@code z [N, d]} ({@code N}
   * even; pairs {@code i, i + N/2}). The latents take no gradient.
   */
  public static Tensor loss(Tensor images, Tensor z, double weight) {
    long n = images.size(0);
    if (n % 2 != 0 || z.size(0) != n) {
      throw new IllegalArgumentException(
          "mode seeking pairs the two halves of a batch: needs an even count of images and as"
              + " many latents, got "
              + n
              + " images and "
              + z.size(0)
              + " latents");
    }
    long h = n / 2;
    Tensor dx = images.slice(0, 0, h).sub(images.slice(0, h, n)).abs().mean();
    double dz = z.detach().slice(0, 0, h).sub(z.detach().slice(0, h, n)).abs().mean().item();
    return dx.div(dz).add(EPS).pow(-1).mul(weight);
  }

  /**
   * Gives the second half of every pass of {@code pass} labels the labels of its first half, so
   * that the pairs of {@link #loss} share a label.
   */
  public static void pairLabels(int[] labels, int pass) {
    if (labels == null) {
      return;
    }
    int h = pass / 2;
    for (int at = 0; at + pass <= labels.length; at += pass) {
      System.arraycopy(labels, at, labels, at + h, h);
    }
  }
}
