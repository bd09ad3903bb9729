package org.jgan.models.blocks;

import java.util.ArrayList;
import java.util.List;
import org.jgan.core.kernels.DataFormat;
import org.jgan.core.kernels.Shapes;
import org.jgan.core.ops.Conv;
import org.jgan.core.tensor.InPlace;
import org.jgan.core.tensor.Tensor;

/**
 * Weight modulation and demodulation (Karras et al. 2020, StyleGAN2; StyleGAN2-ADA {@code
 * modulated_conv2d}). With styles {@code s [N, I]} and weight {@code W [O, I, k, k]}:
 *
 * <pre>
 *   w'[n,o,i,:,:] = W[o,i,:,:] s[n,i]
 *   d[n,o]        = 1 / sqrt(sum_{i,u,v} w'[n,o,i,u,v]^2 + 1e-8)       (demodulation)
 *   y[n]          = conv(x[n], w'[n] d[n])
 * </pre>
 *
 * computed without materialising per-sample weights, as StyleGAN2-ADA does in training: {@code y =
 * conv(x * s, W) * d}, with {@code d} from {@code s^2 @ (sum_{u,v} W^2)^T}. Demodulation makes each
 * output channel of a unit-variance input have unit variance, replacing StyleGAN's instance norm
 * (without its mean subtraction).
 */
public final class Modulation {
  /** The epsilon inside the demodulation's square root. */
  public static final double EPS = 1e-8;

  private Modulation() {}

  /**
   * The modulated convolution, non-fused form.
   *
   * @param x input {@code [N, I, H, W]}
   * @param weight {@code [O, I, k, k]}, used as given (no gain)
   * @param styles {@code [N, I]}
   * @param demodulate divide each output channel by its weight norm
   * @param up double the resolution ({@link #convUp})
   */
  public static Tensor modulatedConv2d(
      Tensor x, Tensor weight, Tensor styles, boolean demodulate, boolean up) {
    return modulatedConv2d(x, weight, styles, demodulate, up, DataFormat.NCHW);
  }

  /**
   * {@link #modulatedConv2d(Tensor, Tensor, Tensor, boolean, boolean)} on maps in {@code format}:
   * styles and demodulation broadcast over the channel axis of that layout.
   */
  public static Tensor modulatedConv2d(
      Tensor x, Tensor weight, Tensor styles, boolean demodulate, boolean up, DataFormat format) {
    return modulatedConv2d(x, weight, styles, demodulate, up, format, 1.0);
  }

  /**
   * The modulated convolution times {@code gain}, which costs no pass of its own: it scales the
   * demodulation coefficients {@code [N, O]}, or, without demodulation, the styles {@code [N, I]}.
   */
  public static Tensor modulatedConv2d(
      Tensor x,
      Tensor weight,
      Tensor styles,
      boolean demodulate,
      boolean up,
      DataFormat format,
      double gain) {
    long n = x.size(0);
    long in = weight.size(1);
    Shapes.check(x.shape(), "modulated conv " + format + " input", format.shape(-1, in, -1, -1));
    Shapes.check(styles.shape(), "modulated conv styles", n, in);
    Tensor s = !demodulate && gain != 1.0 ? styles.mul(gain) : styles;
    Tensor xs = x.mul(s.reshape(format.sampleChannelShape(n, in)));
    Tensor y =
        up
            ? convUp(xs, weight, Fir.STYLEGAN2, format)
            : Conv.conv2d(xs, weight, null, 1, (int) weight.size(2) / 2, format);
    if (!demodulate) {
      return y;
    }
    Tensor d = demodulation(weight, styles);
    Tensor dd =
        (gain == 1.0 ? d : d.mul(gain)).reshape(format.sampleChannelShape(n, weight.size(0)));
    // y is this method's own fresh result: without a graph it can be scaled where it lies
    return InPlace.allowed(y, dd) ? InPlace.mul(y, dd) : y.mul(dd);
  }

  /** {@code d [N, O] = rsqrt(s^2 @ (sum_{u,v} W^2)^T + 1e-8)}. */
  public static Tensor demodulation(Tensor weight, Tensor styles) {
    Tensor w2 = weight.square().sum(false, 2, 3); // [O, I]
    return styles.square().matmul(w2, false, true).add(EPS).rsqrt();
  }

  /**
   * Convolution at twice the resolution, as StyleGAN2-ADA's {@code conv2d_resample} with {@code up
   * = 2}: the input is zero-interleaved and correlated with {@code W} (done as a stride-2
   * transposed convolution with the flipped, transposed weight), then FIR-filtered with gain 4.
   * {@code [N, I, H, W]} to {@code [N, O, 2H, 2W]} for odd k.
   */
  public static Tensor convUp(Tensor x, Tensor weight, Fir fir) {
    return convUp(x, weight, fir, DataFormat.NCHW);
  }

  /** {@link #convUp(Tensor, Tensor, Fir)} on maps in {@code format}. */
  public static Tensor convUp(Tensor x, Tensor weight, Fir fir, DataFormat format) {
    int k = (int) weight.size(2);
    Tensor wt = weight.flip(2, 3).permute(1, 0, 2, 3); // [I, O, k, k]
    Tensor y = Conv.transpose(x, wt, null, 2, 0, 0, 0, format); // [N, O, 2H + k - 2, ...]
    // conv2d_resample's padding for up = 2 and padding k/2, after the transposed convolution:
    int p0 = k / 2 + (fir.size() + 1) / 2 - (k - 1);
    int p1 = k / 2 + (fir.size() - 2) / 2 - (k - 2);
    return fir.filter(y, p0, p1, 4.0, format);
  }

  /**
   * The fused reference form: per-sample weights {@code w'[n] (d[n])} and one convolution per
   * sample, as StyleGAN2's grouped convolution computes it. Slow; for tests and for checking the
   * non-fused form.
   */
  public static Tensor fusedReference(Tensor x, Tensor weight, Tensor styles, boolean demodulate) {
    long n = x.size(0);
    long o = weight.size(0);
    long in = weight.size(1);
    List<Tensor> outs = new ArrayList<>();
    for (long i = 0; i < n; i++) {
      Tensor s = styles.slice(0, i, i + 1).reshape(1, in, 1, 1);
      Tensor w = weight.mul(s); // [O, I, k, k]
      if (demodulate) {
        w = w.mul(w.square().sum(true, 1, 2, 3).add(EPS).rsqrt());
      }
      outs.add(Conv.conv2d(x.slice(0, i, i + 1), w, null, 1, (int) weight.size(2) / 2));
    }
    return Tensor.concat(0, outs.toArray(new Tensor[0])).reshape(n, o, x.size(2), x.size(3));
  }
}
