package org.jgan.train.project;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.testing.TensorAssert;
import org.junit.jupiter.api.Test;

/** The degradations (differentiable), the quality measures and the baselines of restoration. */
class RestorationTest {
  private static Tensor leaf(long seed, long... shape) {
    return Tensor.leaf(new Rng(seed).normalArray(DType.FLOAT64, 0, 1, shape), true);
  }

  private static Tensor box(int h, int w, int y0, int x0, int side) {
    double[] v = new double[h * w];
    for (int i = 0; i < v.length; i++) {
      int y = i / w;
      int x = i % w;
      boolean inside = y >= y0 && y < y0 + side && x >= x0 && x < x0 + side;
      v[i] = inside ? 0 : 1; // 0 = unknown
    }
    return Tensor.of(v, 1, 1, h, w);
  }

  @Test
  void degradationsAreDifferentiable() {
    Tensor known = box(8, 8, 2, 3, 3);
    for (Degradation d :
        List.of(Degradation.mask(known), Degradation.downsample(2), Degradation.identity())) {
      TensorAssert.assertGradients(
          x -> List.of(d.apply(x.get(0))), List.of(leaf(1, 1, 2, 8, 8)), 1e-6);
    }
  }

  @Test
  void keepingKnownPixelsNeverChangesThem() {
    Tensor known = box(8, 8, 2, 3, 3);
    Tensor observed = leaf(2, 1, 3, 8, 8);
    Tensor restored = leaf(3, 1, 3, 8, 8);
    double[] out = Restoration.keepKnown(restored, observed, known).toDoubleArray();
    double[] o = observed.toDoubleArray();
    double[] r = restored.toDoubleArray();
    double[] k = known.toDoubleArray();
    for (int i = 0; i < out.length; i++) {
      assertEquals(k[i % 64] == 1 ? o[i] : r[i], out[i], 0.0, "pixel " + i);
    }
    double[] baseline = Restoration.meanFill(observed, known).toDoubleArray();
    for (int i = 0; i < out.length; i++) {
      if (k[i % 64] == 1) {
        assertEquals(o[i], baseline[i], 0.0, "the baseline keeps known pixels too");
      }
    }
  }

  @Test
  void theMeanFillTakesEachImagesOwnMean() {
    // two constant images, 0.5 and -0.25, with a hole in the middle: each hole takes its own value
    double[] v = new double[2 * 16 * 16];
    for (int i = 0; i < v.length; i++) {
      v[i] = i < 256 ? 0.5 : -0.25;
    }
    double[] m = new double[256];
    for (int i = 0; i < 256; i++) {
      int y = i / 16;
      int x = i % 16;
      m[i] = x >= 6 && x < 10 && y >= 6 && y < 10 ? 0 : 1;
    }
    Tensor known = Tensor.of(m, 1, 1, 16, 16);
    Tensor observed = Tensor.of(v, 2, 1, 16, 16).mul(known);
    double[] filled = Restoration.meanFill(observed, known).toDoubleArray();
    assertEquals(0.5, filled[8 * 16 + 8], 1e-12);
    assertEquals(-0.25, filled[256 + 8 * 16 + 8], 1e-12);
  }

  @Test
  void psnrAndSsimByHand() {
    Tensor a = leaf(4, 1, 1, 16, 16);
    assertEquals(1.0, ImageQuality.ssim(a, a), 1e-12);
    // a uniform error of 0.02 in [-1, 1]: MSE 4e-4, PSNR 10 log10(4 / 4e-4) = 40 dB
    assertEquals(40.0, ImageQuality.psnr(a, a.add(0.02)), 1e-9);
    // SSIM falls as noise grows
    Tensor noisy = a.add(Tensor.of(new Rng(5).normalArray(DType.FLOAT64, 0, 0.3, 1, 1, 16, 16)));
    Tensor noisier = a.add(Tensor.of(new Rng(5).normalArray(DType.FLOAT64, 0, 0.9, 1, 1, 16, 16)));
    assertTrue(ImageQuality.ssim(a, noisy) > ImageQuality.ssim(a, noisier));
  }

  @Test
  void bicubicKeepsConstantsAndInterpolatesLines() {
    Tensor c = Tensor.full(DType.FLOAT64, 0.3, 1, 1, 4, 4);
    for (double v : Restoration.bicubic(c, 2).toDoubleArray()) {
      assertEquals(0.3, v, 1e-12);
    }
    // a linear ramp stays linear away from the clamped edges
    double[] ramp = new double[16];
    for (int i = 0; i < 16; i++) {
      ramp[i] = i % 4;
    }
    double[] up = Restoration.bicubic(Tensor.of(ramp, 1, 1, 4, 4), 2).toDoubleArray();
    // output column o samples input x = (o + 0.5) / 2 - 0.5; columns 3 and 4 (x = 1.25, 1.75)
    // need input columns 0..3 only, so no clamping: the cubic reproduces the line exactly
    assertArrayEquals(new double[] {1.25, 1.75}, new double[] {up[3], up[4]}, 1e-12);
  }
}
