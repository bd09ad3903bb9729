package org.jgan.models.blocks;

import java.util.HashMap;
import java.util.Map;
import org.jgan.core.kernels.Shapes;
import org.jgan.core.tensor.Tensor;

/**
 * Minibatch standard deviation (Karras et al. 2018; StyleGAN2-ADA {@code MinibatchStdLayer}):
 * appends {@code F} feature maps holding the standard deviation of each feature across a group of
 * {@code G = min(groupSize, N)} samples, averaged over channels and pixels, so the discriminator
 * can see the variety of a batch.
 *
 * <pre>
 *   y = x.reshape(G, N/G, F, C/F, H, W)          sample n = g (N/G) + m is in group m = n mod N/G
 *   y = sqrt(mean_G (y - mean_G y)^2 + 1e-8)     [N/G, F, C/F, H, W]
 *   y = mean over (C/F, H, W)                     [N/G, F]
 *   out = concat(x, y tiled to [N, F, H, W])     [N, C + F, H, W]
 * </pre>
 *
 * A batch that {@code G} does not divide is an error (as in StyleGAN3's training script).
 *
 * <p>{@link #forward(Tensor, int[])} groups by label instead, for a conditional discriminator: each
 * sample's group is every sample of the (micro-)batch with its label, so that the statistic shows
 * the variety within a class rather than the differences between the classes that a group of
 * randomly labelled samples mixes (a generator drawing one picture per class has nearly the variety
 * of real data in mixed groups, and none in groups by label):
 *
 * <pre>
 *   A   = [N, N], A_nm = 1 / |{k : label_k = label_n}| where label_m = label_n, else 0
 *   d   = x - A x                                   (x as [N, C H W])
 *   y_n = mean over (C/F, H, W) of sqrt((A d^2)_n + 1e-8)
 * </pre>
 *
 * A sample alone with its label gets {@code sqrt(1e-8)}, for real and generated images alike.
 */
public final class MinibatchStdDev {
  private final int groupSize;
  private final int channels;

  /** Groups of {@code groupSize} samples (4 in the papers), {@code channels} appended maps (1). */
  public MinibatchStdDev(int groupSize, int channels) {
    if (groupSize < 1 || channels < 1) {
      throw new IllegalArgumentException(
          "MinibatchStdDev: group size and channels must be >= 1, got "
              + groupSize
              + ", "
              + channels);
    }
    this.groupSize = groupSize;
    this.channels = channels;
  }

  /** The configured group size. */
  public int groupSize() {
    return groupSize;
  }

  /**
   * {@code x [N, C, H, W]} to {@code [N, C + F, H, W]} with the statistic over each sample's label
   * (see the class comment); {@code labels} null: {@link #forward(Tensor)}.
   */
  public Tensor forward(Tensor x, int[] labels) {
    if (labels == null) {
      return forward(x);
    }
    Shapes.check(x.shape(), "MinibatchStdDev input", labels.length, -1, -1, -1);
    long[] s = x.shape();
    int n = labels.length;
    long c = s[1];
    if (c % channels != 0) {
      throw new IllegalArgumentException(
          "MinibatchStdDev: " + c + " channels are not divisible into " + channels + " groups");
    }
    Map<Integer, Integer> counts = new HashMap<>();
    for (int l : labels) {
      counts.merge(l, 1, Integer::sum);
    }
    double[] a = new double[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        a[i * n + j] = labels[i] == labels[j] ? 1.0 / counts.get(labels[i]) : 0.0;
      }
    }
    Tensor avg = Tensor.of(a, n, n).to(x.dtype());
    Tensor flat = x.reshape(n, c * s[2] * s[3]);
    Tensor d = flat.sub(avg.matmul(flat));
    Tensor y = avg.matmul(d.square()).add(1e-8).sqrt(); // [N, C H W]
    y = y.reshape(n, channels, c / channels * s[2] * s[3]).mean(true, 2); // [N, F, 1]
    y = y.reshape(n, channels, 1, 1).expand(n, channels, s[2], s[3]);
    return Tensor.concat(1, x, y);
  }

  /** {@code x [N, C, H, W]} to {@code [N, C + F, H, W]}. */
  public Tensor forward(Tensor x) {
    Shapes.check(x.shape(), "MinibatchStdDev input", -1, -1, -1, -1);
    long[] s = x.shape();
    long n = s[0];
    long c = s[1];
    long g = Math.min(groupSize, n);
    if (n % g != 0) {
      throw new IllegalArgumentException(
          "MinibatchStdDev: batch "
              + n
              + " is not divisible by the group size "
              + g
              + "; use a batch that is a multiple of "
              + g);
    }
    if (c % channels != 0) {
      throw new IllegalArgumentException(
          "MinibatchStdDev: " + c + " channels are not divisible into " + channels + " groups");
    }
    long m = n / g;
    Tensor y = x.reshape(g, m, channels, c / channels, s[2], s[3]);
    y = y.sub(y.mean(true, 0)).square().mean(false, 0); // [M, F, c, H, W]
    y = y.add(1e-8).sqrt().mean(false, 2, 3, 4); // [M, F]
    y =
        y.reshape(1, m, channels, 1, 1)
            .expand(g, m, channels, s[2], s[3])
            .reshape(n, channels, s[2], s[3]);
    return Tensor.concat(1, x, y);
  }
}
