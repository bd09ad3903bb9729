package org.jgan.train.augment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.testing.TensorAssert;
import org.jgan.train.loop.AdaSettings;
import org.junit.jupiter.api.Test;

/**
 * ADA's pipeline: the identity at p = 0, each geometric operation where it is exact (flips, quarter
 * turns, integer shifts with the mirrored border, bilinear fractions), inverses, each colour
 * operation's inverse and its effect on grey images, gradients to second order, and the controller.
 */
class AdaTest {
  private static final double[] LUMA = {1 / Math.sqrt(3), 1 / Math.sqrt(3), 1 / Math.sqrt(3)};

  private static Tensor ramp(int c, int h, int w) {
    double[] v = new double[c * h * w];
    for (int i = 0; i < v.length; i++) {
      v[i] = i + 1;
    }
    return Tensor.of(v, 1, c, h, w);
  }

  private static Tensor leaf(long seed, long... shape) {
    return Tensor.leaf(new Rng(seed).normalArray(DType.FLOAT64, 0, 1, shape), true);
  }

  private static double[][] one(double[] m) {
    return new double[][] {m};
  }

  @Test
  void atProbabilityZeroTheImagesPassUntouchedAndNothingIsDrawn() {
    Tensor x = leaf(1, 2, 3, 8, 8);
    Rng rng = new Rng(3);
    assertSame(x, Ada.apply(x, 0, rng));
    assertEquals(0, rng.counter());
    assertSame(x, Ada.warp(x, new double[][] {Ada.identity(3), Ada.identity(3)}));
    assertSame(x, Ada.color(x, new double[][] {Ada.identity(4), Ada.identity(4)}));
  }

  @Test
  void theStreamAdvancesByTheBatchAloneWhateverP() {
    Tensor x = leaf(1, 4, 1, 8, 8);
    Rng a = new Rng(3);
    Rng b = new Rng(3);
    Ada.apply(x, 0.1, a);
    Ada.apply(x, 1.0, b);
    assertEquals(a.counter(), b.counter());
  }

  @Test
  void aFlipAndQuarterTurnsMovePixelsExactly() {
    Tensor x = ramp(2, 4, 4);
    TensorAssert.assertClose(x.flip(3), Ada.warp(x, one(Ada.scale(-1, 1))), 0, "x-flip");
    // the output at (row i, column j) is the input at (row j, column W-1-i)
    Tensor turned = Ada.warp(x, one(Ada.rotate90(1)));
    double[] in = x.toDoubleArray();
    double[] out = turned.toDoubleArray();
    for (int c = 0; c < 2; c++) {
      for (int i = 0; i < 4; i++) {
        for (int j = 0; j < 4; j++) {
          assertEquals(
              in[c * 16 + j * 4 + (3 - i)], out[c * 16 + i * 4 + j], "(" + i + "," + j + ")");
        }
      }
    }
    Tensor y = x;
    for (int k = 0; k < 4; k++) {
      y = Ada.warp(y, one(Ada.rotate90(1)));
    }
    TensorAssert.assertClose(x, y, 0, "four quarter turns");
  }

  @Test
  void integerShiftsMirrorTheBorderAndFractionsInterpolate() {
    Tensor x = ramp(1, 3, 5);
    // out(x, y) = in(x + 2, y): columns 2, 3, 4, then 3, 2 mirrored about the last column
    Tensor shifted = Ada.warp(x, one(Ada.translate(2, 0)));
    double[] row0 = {3, 4, 5, 4, 3};
    double[] got = shifted.toDoubleArray();
    for (int j = 0; j < 5; j++) {
      assertEquals(row0[j], got[j]);
      assertEquals(row0[j] + 10, got[10 + j]);
    }
    // a quarter pixel: 0.75 of the pixel and 0.25 of its right neighbour
    double[] frac = Ada.warp(x, one(Ada.translate(0.25, 0))).toDoubleArray();
    for (int j = 0; j < 4; j++) {
      assertEquals(0.75 * (j + 6) + 0.25 * (j + 7), frac[5 + j], 1e-12);
    }
  }

  @Test
  void aWarpFollowedByItsInverseRestoresASmoothImage() {
    int s = 32;
    double[] v = new double[s * s];
    for (int i = 0; i < s; i++) {
      for (int j = 0; j < s; j++) {
        v[i * s + j] = Math.sin(2 * Math.PI * i / 32.0) * Math.cos(2 * Math.PI * j / 40.0);
      }
    }
    Tensor x = Tensor.of(v, 1, 1, s, s);
    double[] g =
        Ada.mul3(Ada.mul3(Ada.rotate(0.4), Ada.scale(1.15, 0.9)), Ada.translate(0.3, -0.7));
    double[] inverse =
        Ada.mul3(
            Ada.mul3(Ada.translate(-0.3, 0.7), Ada.scale(1 / 1.15, 1 / 0.9)), Ada.rotate(-0.4));
    Tensor there = Ada.warp(x, one(g));
    Tensor back = Ada.warp(there, one(inverse));
    Tensor centre = back.slice(2, 8, 24).slice(3, 8, 24);
    Tensor want = x.slice(2, 8, 24).slice(3, 8, 24);
    double err = centre.sub(want).abs().data().maxNumber().doubleValue();
    double moved =
        there.slice(2, 8, 24).slice(3, 8, 24).sub(want).abs().data().maxNumber().doubleValue();
    // bilinear sampling twice blurs by about f'' / 4 per unit of a pixel squared: ~0.02 here
    assertTrue(err < 0.02, "round trip error " + err);
    assertTrue(moved > 0.2, "the warp itself moved the image: " + moved);
  }

  @Test
  void eachColourOperationIsUndoneByItsInverse() {
    Tensor x = leaf(2, 2, 3, 4, 4);
    double[][][] pairs = {
      {Ada.brightness(0.3), Ada.brightness(-0.3)},
      {Ada.contrast(1.7), Ada.contrast(1 / 1.7)},
      {Ada.lumaFlip(LUMA), Ada.lumaFlip(LUMA)},
      {Ada.hue(LUMA, 2.1), Ada.hue(LUMA, -2.1)},
      {Ada.saturation(LUMA, 0.4), Ada.saturation(LUMA, 1 / 0.4)},
    };
    for (double[][] pair : pairs) {
      Tensor y = Ada.color(x, new double[][] {pair[0], pair[0]});
      assertTrue(y.sub(x).abs().sum().item() > 1e-3, "the operation changes the image");
      Tensor back = Ada.color(y, new double[][] {pair[1], pair[1]});
      TensorAssert.assertClose(x, back, 1e-12, "inverse");
    }
    // hue and saturation keep each pixel's luma (the channel mean)
    for (double[] m : new double[][] {Ada.hue(LUMA, 1.0), Ada.saturation(LUMA, 3)}) {
      Tensor y = Ada.color(x, new double[][] {m, m});
      TensorAssert.assertClose(x.mean(true, 1), y.mean(true, 1), 1e-12, "luma kept");
    }
  }

  @Test
  void onGreyImagesBrightnessAddsContrastScalesLumaFlipNegatesAndHueAndSaturationDoNothing() {
    Tensor x = leaf(3, 1, 1, 5, 5);
    TensorAssert.assertClose(x.add(0.3), Ada.color(x, one(Ada.brightness(0.3))), 1e-12, "b");
    TensorAssert.assertClose(x.mul(1.5), Ada.color(x, one(Ada.contrast(1.5))), 1e-12, "c");
    TensorAssert.assertClose(x.neg(), Ada.color(x, one(Ada.lumaFlip(LUMA))), 1e-12, "flip");
    TensorAssert.assertClose(x, Ada.color(x, one(Ada.hue(LUMA, 1.3))), 1e-12, "hue");
    TensorAssert.assertClose(x, Ada.color(x, one(Ada.saturation(LUMA, 2.5))), 1e-12, "sat");
  }

  @Test
  void thePipelineDifferentiatesToSecondOrder() {
    for (int c : new int[] {1, 3}) {
      List<Tensor> in = List.of(leaf(4, 2, c, 6, 6));
      // the same draws at every evaluation: a fresh stream per call
      TensorAssert.assertGradients(
          xs -> List.of(Ada.apply(xs.get(0), 1.0, new Rng(9)).square()), in, 1e-6);
      TensorAssert.assertSecondOrder(
          xs -> List.of(Ada.apply(xs.get(0), 1.0, new Rng(9)).square()), in, 1e-6);
    }
  }

  @Test
  void atProbabilityOneEveryImageIsChangedAndFloat32AgreesWithFloat64() {
    Tensor x = leaf(5, 8, 3, 8, 8);
    Tensor y = Ada.apply(x, 1.0, new Rng(11));
    for (int i = 0; i < 8; i++) {
      assertTrue(y.slice(0, i, i + 1).sub(x.slice(0, i, i + 1)).abs().sum().item() > 1e-3);
    }
    Tensor y32 = Ada.apply(x.to(DType.FLOAT32), 1.0, new Rng(11));
    TensorAssert.assertClose(y, y32.to(DType.FLOAT64), 1e-5, "float32");
  }

  @Test
  void badInputIsRefusedByName() {
    Tensor x = leaf(1, 1, 2, 4, 4);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Ada.apply(x, 0.5, new Rng(1)));
    assertTrue(e.getMessage().contains("grey (1) or RGB (3)"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> Ada.apply(leaf(1, 1, 1, 4, 4), 1.5, new Rng(1)));
  }

  @Test
  void theControllerStepsTowardsTheTargetAndStaysInZeroOne() {
    AdaSettings s = new AdaSettings(0.6, 100, 4, 0);
    // batch 32, every 4 minibatches: 128 images of 100,000 per adjustment
    assertEquals(0.5 + 0.00128, s.adjust(0.5, 0.7, 32), 1e-15);
    assertEquals(0.5 - 0.00128, s.adjust(0.5, 0.2, 32), 1e-15);
    assertEquals(0, s.adjust(0.001, -1, 32));
    assertEquals(1, s.adjust(0.9995, 1, 32));
    assertEquals(0.3, new AdaSettings(0, 100, 4, 0.3).adjust(0.3, 1, 32), "target 0: fixed p");
    assertThrows(IllegalArgumentException.class, () -> new AdaSettings(0.6, 0, 4, 0));
    assertThrows(IllegalArgumentException.class, () -> new AdaSettings(1.2, 100, 4, 0));
  }
}
