package org.jgan.models.blocks;

import org.jgan.core.ops.Conv;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Shapes;
import org.jgan.core.tensor.Tensor;

/**
 * Resampling with a separable FIR filter, after StyleGAN2-ADA's {@code upfirdn2d}. The filter is
 * the outer product of its taps with itself, normalised to sum 1 ({@code [1, 3, 3, 1]} for
 * StyleGAN2, {@code [1, 2, 1]} for StyleGAN). Each channel is filtered separately (the batch and
 * channel axes are folded into one and the filter runs as a one-channel convolution). Filtering is
 * a true convolution, as in {@code upfirdn2d} with {@code flip_filter = False}.
 */
public final class Fir {
  /** StyleGAN2's filter {@code [1, 3, 3, 1]}. */
  public static final Fir STYLEGAN2 = new Fir(1, 3, 3, 1);
  /** StyleGAN's blur {@code [1, 2, 1]}. */
  public static final Fir STYLEGAN = new Fir(1, 2, 1);

  private final double[] taps;
  private final double[] kernel; // row-major k x k, normalised to sum 1

  /** A filter from its one-dimensional taps. */
  public Fir(double... taps) {
    if (taps.length < 1) {
      throw new IllegalArgumentException("a FIR filter needs at least one tap");
    }
    this.taps = taps.clone();
    int k = taps.length;
    double sum = 0;
    kernel = new double[k * k];
    for (int i = 0; i < k; i++) {
      for (int j = 0; j < k; j++) {
        kernel[i * k + j] = taps[i] * taps[j];
        sum += kernel[i * k + j];
      }
    }
    for (int i = 0; i < kernel.length; i++) {
      kernel[i] /= sum;
    }
  }

  /** Number of taps. */
  public int size() {
    return taps.length;
  }

  /** The normalised 2-D filter {@code f [k, k]}. */
  public Tensor kernel(DType type) {
    return Tensor.of(kernel, taps.length, taps.length).to(type);
  }

  /** {@code gain * f}, flipped, as a one-channel correlation weight {@code [1, 1, k, k]}. */
  private Tensor correlationWeight(DType type, double gain) {
    int k = taps.length;
    double[] w = new double[k * k];
    for (int i = 0; i < k * k; i++) {
      w[i] = kernel[k * k - 1 - i] * gain;
    }
    return Tensor.of(w, 1, 1, k, k).to(type);
  }

  private static Tensor perChannel(Tensor x) {
    Shapes.check(x, "FIR input", -1, -1, -1, -1);
    long[] s = x.shape();
    return x.reshape(s[0] * s[1], 1, s[2], s[3]);
  }

  private static Tensor unfold(Tensor y, long n, long c) {
    return y.reshape(n, c, y.size(2), y.size(3));
  }

  /**
   * Filters without changing the sampling rate: zero-pads {@code pad0} before and {@code pad1} after
   * along H and W, then convolves ({@code gain} scales the filter).
   */
  public Tensor filter(Tensor x, int pad0, int pad1, double gain) {
    long n = x.size(0);
    long c = x.size(1);
    Tensor p = perChannel(x).pad(2, pad0, pad1).pad(3, pad0, pad1);
    return unfold(Conv.conv2d(p, correlationWeight(x.dtype(), gain), null, 1, 0), n, c);
  }

  /**
   * Doubles H and W: zero insertion, padding {@code ((k + 1) / 2, (k - 2) / 2)}, filtering with
   * gain 4, as {@code upfirdn2d.upsample2d}. Computed as a stride-2 transposed convolution with
   * {@code 4 f}; for {@code [1, 3, 3, 1]} a constant image stays constant but for its border.
   */
  public Tensor upsample2d(Tensor x) {
    int k = taps.length;
    int p0 = (k + 1) / 2;
    // conv_transpose(x, K, s=2, p) keeps rows p..; zero insertion + pad p0 + valid filter keeps
    // rows (k - 1 - p0)..: so p = k - 1 - p0, and the transposed kernel is the unflipped 4 f.
    int p = k - 1 - p0;
    long n = x.size(0);
    long c = x.size(1);
    long h = x.size(2);
    long wd = x.size(3);
    // The transposed convolution crops p rows at the bottom too; the zero-insertion definition
    // crops k - 2 - p there: pad (output padding) or slice the difference.
    int extraH = (int) (2 * h - ((h - 1) * 2 - 2L * p + k));
    int extraW = (int) (2 * wd - ((wd - 1) * 2 - 2L * p + k));
    Tensor w = kernel(x.dtype()).mul(4.0).reshape(1, 1, k, k);
    Tensor y = Conv.transpose(perChannel(x), w, null, 2, p, Math.max(extraH, 0), Math.max(extraW, 0));
    return unfold(y.slice(2, 0, 2 * h).slice(3, 0, 2 * wd), n, c);
  }

  /**
   * Halves H and W: padding {@code ((k - 1) / 2, (k - 2) / 2)} ({@code (1, 1)} for four taps),
   * filtering, keeping every second pixel, as {@code upfirdn2d.downsample2d}.
   */
  public Tensor downsample2d(Tensor x) {
    int k = taps.length;
    int p0 = (k - 1) / 2;
    int p1 = (k - 2) / 2;
    long n = x.size(0);
    long c = x.size(1);
    Tensor p = perChannel(x);
    if (p0 != p1) {
      p = p.pad(2, p0, p1).pad(3, p0, p1);
      return unfold(Conv.conv2d(p, correlationWeight(x.dtype(), 1.0), null, 2, 0), n, c);
    }
    return unfold(Conv.conv2d(p, correlationWeight(x.dtype(), 1.0), null, 2, p0), n, c);
  }
}
