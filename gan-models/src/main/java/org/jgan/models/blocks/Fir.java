package org.jgan.models.blocks;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jgan.core.autograd.Autograd;
import org.jgan.core.kernels.DataFormat;
import org.jgan.core.kernels.Shapes;
import org.jgan.core.nn.Functional;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Tensor;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Resampling with a separable FIR filter, after StyleGAN2-ADA's {@code upfirdn2d}: zero insertion
 * by {@code up}, zero padding (negative padding crops), true convolution with the filter, keeping
 * every {@code down}-th sample. The filter is the outer product of its taps with themselves,
 * normalised to sum 1 ({@code [1, 3, 3, 1]} for StyleGAN2, {@code [1, 2, 1]} for StyleGAN).
 *
 * <p>Because the filter is separable and the whole operation is linear, it is computed exactly as
 * two small matrix products, one per axis, with the 1-D operator {@code M [L_out, L]} built from
 * the definition: {@code y = M_H x M_W^T} for every channel. That runs on the GEMM kernel (a
 * one-channel convolution over {@code N C} images is far slower in oneDNN) and, being made of
 * matmuls and reshapes, is differentiable to any order. Channels-last float32 maps without zero
 * insertion and with symmetric padding (filtering, down-sampling) take oneDNN's depthwise
 * convolution instead ({@link FirConv}), which beats the products there by 3 to 6 times.
 */
public final class Fir {
  /** StyleGAN2's filter {@code [1, 3, 3, 1]}. */
  public static final Fir STYLEGAN2 = new Fir(1, 3, 3, 1);

  /** StyleGAN's blur {@code [1, 2, 1]}. */
  public static final Fir STYLEGAN = new Fir(1, 2, 1);

  private final double[] taps; // normalised to sum 1
  private volatile Fir reversed;

  /** Depthwise kernels {@code [k, k, C, 1]} by type, channels and gain (small, made once each). */
  private final Map<String, INDArray> depthwise = new ConcurrentHashMap<>();

  /** A filter from its one-dimensional taps. */
  public Fir(double... taps) {
    if (taps.length < 1) {
      throw new IllegalArgumentException("a FIR filter needs at least one tap");
    }
    double sum = 0;
    for (double t : taps) {
      sum += t;
    }
    this.taps = new double[taps.length];
    for (int i = 0; i < taps.length; i++) {
      this.taps[i] = taps[i] / sum;
    }
  }

  /**
   * The 2-D kernel times {@code gain} as libnd4j's depthwise weight {@code [k, k, C, 1]}: entry
   * {@code [u, v, c]} is {@code gain f[k-1-u] f[k-1-v]}, the filter flipped, so that correlating
   * with it convolves with the filter. Made once per type, channel count and gain, then shared.
   */
  INDArray depthwiseWeight(DataType type, long channels, double gain) {
    return depthwise.computeIfAbsent(
        type + "/" + channels + "/" + gain,
        key -> {
          int k = taps.length;
          double[] w = new double[(int) ((long) k * k * channels)];
          for (int u = 0; u < k; u++) {
            for (int v = 0; v < k; v++) {
              Arrays.fill(
                  w,
                  (int) ((u * k + v) * channels),
                  (int) ((u * k + v + 1) * channels),
                  gain * taps[k - 1 - u] * taps[k - 1 - v]);
            }
          }
          try (MemoryWorkspace none = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            return Nd4j.create(w, new long[] {k, k, channels, 1}, DataType.DOUBLE).castTo(type);
          }
        });
  }

  /** The filter with its taps in reverse order (this filter when they are symmetric). */
  Fir reversed() {
    Fir r = reversed;
    if (r == null) {
      double[] t = new double[taps.length];
      for (int i = 0; i < t.length; i++) {
        t[i] = taps[taps.length - 1 - i];
      }
      r = Arrays.equals(t, taps) ? this : new Fir(t);
      reversed = r;
    }
    return r;
  }

  /**
   * The transpose of filtering with padding {@code pad} on both sides and keeping every {@code
   * down}-th sample: from the gradient {@code g} of that output back to {@code inShape}, by the
   * separable form with the transposed one-dimensional operators.
   */
  Tensor transposed(Tensor g, long[] inShape, int down, int pad, double gain, DataFormat format) {
    int h = (int) inShape[format.heightAxis()];
    int w = (int) inShape[format.widthAxis()];
    int k = taps.length;
    double g1 = Math.sqrt(gain);
    int ho = outLength(h, 1, down, pad, pad, k);
    int wo = outLength(w, 1, down, pad, pad, k);
    return separable(
        g,
        transpose(operator(h, 1, down, pad, pad, g1, taps), h, ho),
        h,
        transpose(operator(w, 1, down, pad, pad, g1, taps), w, wo),
        w,
        format);
  }

  /** The row-major {@code [cols, rows]} transpose of a row-major {@code [rows, cols]} matrix. */
  static double[] transpose(double[] m, int rows, int cols) {
    double[] t = new double[m.length];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        t[j * rows + i] = m[i * cols + j];
      }
    }
    return t;
  }

  /** Number of taps. */
  public int size() {
    return taps.length;
  }

  /**
   * The 1-D operator of {@code upfirdn1d} for an input of length {@code n}, transposed: {@code [n,
   * out]} with {@code out = (n up + pad0 + pad1 - k) / down + 1}. Entry {@code [i, o]} is the
   * weight of {@code x[i]} in {@code y[o] = gain sum_t f[k-1-t] xpad[o down + t]}.
   */
  static double[] operator(int n, int up, int down, int pad0, int pad1, double gain, double[] f) {
    int k = f.length;
    int out = Math.floorDiv(n * up + pad0 + pad1 - k, down) + 1;
    if (out < 1) {
      throw new IllegalArgumentException("FIR: input of length " + n + " leaves no output");
    }
    double[] m = new double[n * out];
    for (int i = 0; i < n; i++) {
      for (int o = 0; o < out; o++) {
        int t = i * up + pad0 - o * down; // position of x[i] in the filter window of y[o]
        if (t >= 0 && t < k) {
          m[i * out + o] = gain * f[k - 1 - t];
        }
      }
    }
    return m;
  }

  private static int outLength(int n, int up, int down, int pad0, int pad1, int k) {
    return Math.floorDiv(n * up + pad0 + pad1 - k, down) + 1;
  }

  /** upfirdn2d with the same up/down/padding on both axes; {@code gain} is the 2-D gain. */
  private Tensor upfirdn(
      Tensor x, int up, int down, int pad0, int pad1, double gain, DataFormat format) {
    Shapes.check(x.shape(), "FIR input", -1, -1, -1, -1);
    if (format == DataFormat.NHWC
        && up == 1
        && pad0 == pad1
        && pad0 >= 0
        && pad0 < taps.length
        && x.dtype() == DType.FLOAT32) {
      // No zero insertion, symmetric padding below the filter's length (the transpose pads
      // k - 1 - p), channels-last float32 maps: a depthwise convolution on oneDNN (faster than
      // the products with their layout copies; docs/benchmarks.md). NCHW maps gain nothing from
      // it, float64 runs a scalar loop there.
      return Autograd.apply(new FirConv(this, gain, down, pad0, format), x);
    }
    int h = (int) x.size(format.heightAxis());
    int w = (int) x.size(format.widthAxis());
    int k = taps.length;
    double g1 = Math.sqrt(gain);
    return separable(
        x,
        operator(h, up, down, pad0, pad1, g1, taps),
        outLength(h, up, down, pad0, pad1, k),
        operator(w, up, down, pad0, pad1, g1, taps),
        outLength(w, up, down, pad0, pad1, k),
        format);
  }

  /**
   * Applies a separable linear map to every channel: {@code y = M_H x M_W^T} for {@code x [N, C, H,
   * W]}, given the transposed operators {@code mh [H, ho]} and {@code mw [W, wo]} (row-major). Two
   * GEMMs and two layout changes; differentiable to any order since it is made of matmuls.
   */
  public static Tensor separable(Tensor x, double[] mh, int ho, double[] mw, int wo) {
    return separable(x, mh, ho, mw, wo, DataFormat.NCHW);
  }

  /**
   * {@link #separable(Tensor, double[], int, double[], int)} for maps in {@code format}. NHWC maps
   * are rearranged to NCHW first (a copy of the input) and the last transposing copy writes NHWC,
   * so the output costs no conversion of its own; one-channel maps need no rearranging at all.
   */
  public static Tensor separable(
      Tensor x, double[] mh, int ho, double[] mw, int wo, DataFormat format) {
    Shapes.check(x.shape(), "FIR input", -1, -1, -1, -1);
    if (format == DataFormat.NHWC) {
      long[] s = x.shape();
      if (s[3] == 1) {
        return separable(x.reshape(s[0], 1, s[1], s[2]), mh, ho, mw, wo, DataFormat.NCHW)
            .reshape(s[0], ho, wo, 1);
      }
      Tensor y =
          along(
              Functional.relayout(x, DataFormat.NHWC, DataFormat.NCHW),
              mh,
              ho,
              mw,
              wo); // [N, C, W', H']
      // [N, C W', H'] -> [N, H', C, W'] -> [N, H', W', C]: two batched 2-D transposes, each far
      // cheaper in ND4J than the one 4-D permutation.
      y = Functional.transposeLast(y.reshape(s[0], s[3] * wo, ho));
      return Functional.transposeLast(y.reshape(s[0] * ho, s[3], wo)).reshape(s[0], ho, wo, s[3]);
    }
    Tensor y = along(x, mh, ho, mw, wo);
    long[] s = x.shape();
    return y.reshape(s[0] * s[1], wo, ho).permute(0, 2, 1).reshape(s[0], s[1], ho, wo);
  }

  /** Both matrix products on NCHW {@code x}: {@code [N, C, W', H']}, the last two axes swapped. */
  private static Tensor along(Tensor x, double[] mh, int ho, double[] mw, int wo) {
    long[] s = x.shape();
    long nc = s[0] * s[1];
    int h = (int) s[2];
    int w = (int) s[3];
    Tensor tw = Tensor.of(mw, w, wo).to(x.dtype());
    Tensor th =
        h == w && ho == wo && Arrays.equals(mh, mw) ? tw : Tensor.of(mh, h, ho).to(x.dtype());
    Tensor y = x.reshape(nc * h, w).matmul(tw); // along W: [NCH, W']
    y = y.reshape(nc, h, wo).permute(0, 2, 1).reshape(nc * wo, h).matmul(th); // along H: [NCW', H']
    return y.reshape(s[0], s[1], wo, ho);
  }

  /**
   * Bilinear up-sampling by 2 with {@code align_corners = False} (PyTorch's {@code F.interpolate},
   * edges replicated): {@code y[2i] = x[i] 3/4 + x[i-1] 1/4}, {@code y[2i+1] = x[i] 3/4 + x[i+1]
   * 1/4}, indices clamped to the image.
   */
  public static Tensor bilinearUp2(Tensor x) {
    return bilinearUp2(x, DataFormat.NCHW);
  }

  /**
   * {@link #bilinearUp2(Tensor)} for maps in {@code format}; NHWC maps, and one-channel NCHW maps
   * (the same memory), go to libnd4j's native resize ({@link BilinearUp2}).
   */
  public static Tensor bilinearUp2(Tensor x, DataFormat format) {
    Shapes.check(x.shape(), "bilinear up-sampling input", -1, -1, -1, -1);
    if (format == DataFormat.NHWC) {
      return Autograd.apply(new BilinearUp2(), x);
    }
    if (x.size(1) == 1) {
      long[] s = x.shape();
      return Autograd.apply(new BilinearUp2(), x.reshape(s[0], s[2], s[3], 1))
          .reshape(s[0], 1, 2 * s[2], 2 * s[3]);
    }
    int h = (int) x.size(format.heightAxis());
    int w = (int) x.size(format.widthAxis());
    return separable(x, bilinearOperator(h), 2 * h, bilinearOperator(w), 2 * w, format);
  }

  /** The transposed 1-D bilinear x2 operator {@code [n, 2n]}. */
  static double[] bilinearOperator(int n) {
    double[] m = new double[n * 2 * n];
    for (int o = 0; o < 2 * n; o++) {
      // source coordinate (o + 0.5) / 2 - 0.5, clamped at 0 as PyTorch does
      double src = Math.max((o + 0.5) / 2 - 0.5, 0);
      int i0 = (int) Math.floor(src);
      int i1 = Math.min(i0 + 1, n - 1);
      double f = src - i0;
      m[i0 * 2 * n + o] += 1 - f;
      m[i1 * 2 * n + o] += f;
    }
    return m;
  }

  /**
   * Filters without changing the sampling rate: zero-pads {@code pad0} before and {@code pad1}
   * after along H and W, then convolves ({@code gain} scales the 2-D filter).
   */
  public Tensor filter(Tensor x, int pad0, int pad1, double gain) {
    return filter(x, pad0, pad1, gain, DataFormat.NCHW);
  }

  /** {@link #filter(Tensor, int, int, double)} for maps in {@code format}. */
  public Tensor filter(Tensor x, int pad0, int pad1, double gain, DataFormat format) {
    return upfirdn(x, 1, 1, pad0, pad1, gain, format);
  }

  /**
   * Doubles H and W: zero insertion, padding {@code ((k + 1) / 2, (k - 2) / 2)}, filtering with
   * gain 4, as {@code upfirdn2d.upsample2d}. For {@code [1, 3, 3, 1]} a constant image stays
   * constant but for its border.
   */
  public Tensor upsample2d(Tensor x) {
    return upsample2d(x, DataFormat.NCHW);
  }

  /** {@link #upsample2d(Tensor)} for maps in {@code format}. */
  public Tensor upsample2d(Tensor x, DataFormat format) {
    int k = taps.length;
    return upfirdn(x, 2, 1, (k + 1) / 2, (k - 2) / 2, 4.0, format);
  }

  /**
   * Halves H and W: padding {@code ((k - 1) / 2, (k - 2) / 2)} ({@code (1, 1)} for four taps),
   * filtering, keeping every second pixel, as {@code upfirdn2d.downsample2d}.
   */
  public Tensor downsample2d(Tensor x) {
    return downsample2d(x, DataFormat.NCHW);
  }

  /** {@link #downsample2d(Tensor)} for maps in {@code format}. */
  public Tensor downsample2d(Tensor x, DataFormat format) {
    int k = taps.length;
    return upfirdn(x, 1, 2, (k - 1) / 2, (k - 2) / 2, 1.0, format);
  }
}
