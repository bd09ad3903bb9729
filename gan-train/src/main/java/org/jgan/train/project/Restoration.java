package org.jgan.train.project;

import org.jgan.core.autograd.GradMode;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Tensor;
import org.jgan.models.blocks.Fir;

/** What restoration adds around a projection: keeping observed pixels, and the baselines. */
public final class Restoration {
  private Restoration() {}

  /**
   * The observed pixels where {@code known [1, 1, H, W]} is 1 and the restoration elsewhere: {@code
   * known o + (1 - known) r}, exactly the observation on the known pixels.
   */
  public static Tensor keepKnown(Tensor restored, Tensor observed, Tensor known) {
    try (GradMode.Guard off = GradMode.disabled()) {
      Tensor k = known.to(restored.dtype());
      return observed.to(restored.dtype()).mul(k).add(restored.mul(k.rsub(1)));
    }
  }

  /**
   * The inpainting baseline: the unknown pixels filled with the mean of the known ones (per
   * channel), then those pixels blurred with their neighbours ({@link Degradation#blur}), the known
   * ones kept.
   */
  public static Tensor meanFill(Tensor observed, Tensor known) {
    try (GradMode.Guard off = GradMode.disabled()) {
      Tensor k = known.to(observed.dtype());
      Tensor mean = observed.mul(k).sum(true, 2, 3).div(k.sum().item()); // [N, C, 1, 1]
      Tensor filled = observed.mul(k).add(mean.mul(k.rsub(1)));
      return keepKnown(Degradation.blur(filled), observed, known);
    }
  }

  /** The denoising baseline: a Gaussian filter ({@link Degradation#blur}). */
  public static Tensor gaussianFilter(Tensor observed) {
    try (GradMode.Guard off = GradMode.disabled()) {
      return Degradation.blur(observed);
    }
  }

  /**
   * The super-resolution baseline: bicubic interpolation (Keys' kernel, a = -0.5, PyTorch's {@code
   * align_corners=False} sampling, edges clamped) of {@code low [1, C, h, w]} by {@code factor}, as
   * separable matrix products.
   */
  public static Tensor bicubic(Tensor low, int factor) {
    try (GradMode.Guard off = GradMode.disabled()) {
      int h = (int) low.size(2);
      int w = (int) low.size(3);
      return Fir.separable(
              low.to(DType.FLOAT64),
              cubic(h, h * factor),
              h * factor,
              cubic(w, w * factor),
              w * factor)
          .to(low.dtype());
    }
  }

  /** The transposed 1-D bicubic operator {@code [in, out]}. */
  static double[] cubic(int in, int out) {
    double[] m = new double[in * out];
    double scale = (double) in / out;
    for (int o = 0; o < out; o++) {
      double src = (o + 0.5) * scale - 0.5;
      int i0 = (int) Math.floor(src);
      double t = src - i0;
      for (int k = -1; k <= 2; k++) {
        int i = Math.min(Math.max(i0 + k, 0), in - 1);
        m[i * out + o] += keys(t - k);
      }
    }
    return m;
  }

  private static double keys(double x) {
    double a = -0.5;
    double ax = Math.abs(x);
    if (ax <= 1) {
      return (a + 2) * ax * ax * ax - (a + 3) * ax * ax + 1;
    }
    if (ax < 2) {
      return a * ax * ax * ax - 5 * a * ax * ax + 8 * a * ax - 4 * a;
    }
    return 0;
  }
}
