package org.jgan.train.project;

import org.jgan.core.autograd.GradMode;
import org.jgan.core.kernels.Shapes;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Tensor;
import org.jgan.models.blocks.Fir;

/**
 * How close a restored image is to a clean reference, both {@code [1, C, H, W]} in [-1, 1]: PSNR
 * (peak-to-peak 2, so the same figure as on 8-bit pixels) and SSIM (Wang et al. 2004: an 11x11
 * Gaussian window of sigma 1.5, constants {@code (0.01 L)^2}, {@code (0.03 L)^2} with {@code L = 1}
 * on images scaled to [0, 1], averaged over the windows that lie inside the image and over
 * channels).
 */
public final class ImageQuality {
  private static final Fir WINDOW = gaussian();

  private ImageQuality() {}

  private static Fir gaussian() {
    double[] taps = new double[11];
    for (int i = 0; i < 11; i++) {
      taps[i] = Math.exp(-((i - 5) * (i - 5)) / (2 * 1.5 * 1.5));
    }
    return new Fir(taps);
  }

  /** Peak signal-to-noise ratio in dB. */
  public static double psnr(Tensor a, Tensor b) {
    Shapes.check(a.shape(), "PSNR image", b.shape());
    try (GradMode.Guard off = GradMode.disabled()) {
      double mse = a.to(DType.FLOAT64).sub(b.to(DType.FLOAT64)).square().mean().item();
      return 10 * Math.log10(4 / mse);
    }
  }

  /** Structural similarity (1 for identical images). */
  public static double ssim(Tensor a, Tensor b) {
    Shapes.check(a.shape(), "SSIM image", b.shape());
    if (a.size(2) < 11 || a.size(3) < 11) {
      throw new IllegalArgumentException("SSIM needs images of at least 11x11");
    }
    try (GradMode.Guard off = GradMode.disabled()) {
      Tensor x = a.to(DType.FLOAT64).add(1).mul(0.5);
      Tensor y = b.to(DType.FLOAT64).add(1).mul(0.5);
      double c1 = 0.01 * 0.01;
      double c2 = 0.03 * 0.03;
      Tensor mx = local(x);
      Tensor my = local(y);
      Tensor sxx = local(x.mul(x)).sub(mx.mul(mx));
      Tensor syy = local(y.mul(y)).sub(my.mul(my));
      Tensor sxy = local(x.mul(y)).sub(mx.mul(my));
      Tensor num = mx.mul(my).mul(2).add(c1).mul(sxy.mul(2).add(c2));
      Tensor den = mx.mul(mx).add(my.mul(my)).add(c1).mul(sxx.add(syy).add(c2));
      return num.div(den).mean().item();
    }
  }

  /** The Gaussian-weighted local mean over windows inside the image (no padding). */
  private static Tensor local(Tensor x) {
    return WINDOW.filter(x, 0, 0, 1.0);
  }
}
