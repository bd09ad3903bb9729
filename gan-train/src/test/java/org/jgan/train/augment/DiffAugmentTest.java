package org.jgan.train.augment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.EnumSet;
import java.util.List;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.testing.TensorAssert;
import org.junit.jupiter.api.Test;

/** DiffAugment's groups: identities, inverses, exact small cases and gradients. */
class DiffAugmentTest {
  private static Tensor leaf(long seed, long... shape) {
    return Tensor.leaf(new Rng(seed).normalArray(DType.FLOAT64, 0, 1, shape), true);
  }

  @Test
  void colorWithMiddleDrawsIsTheIdentityAndOtherwiseAsDefined() {
    Tensor x = leaf(1, 2, 3, 4, 4);
    double[] half = {0.5, 0.5};
    TensorAssert.assertClose(x, DiffAugment.color(x, half, half, half), 1e-12, "identity");
    // brightness alone: + (u - 0.5)
    Tensor b = DiffAugment.color(x, new double[] {0.9, 0.1}, half, half);
    TensorAssert.assertClose(x.slice(0, 0, 1).add(0.4), b.slice(0, 0, 1), 1e-12, "brighter by 0.4");
    TensorAssert.assertClose(x.slice(0, 1, 2).sub(0.4), b.slice(0, 1, 2), 1e-12, "darker by 0.4");
    // saturation 0 (u = 0): every channel becomes the channel mean
    Tensor grey = DiffAugment.color(x, half, new double[] {0, 0}, half);
    Tensor mean = x.mean(true, 1).expand(2, 3, 4, 4);
    TensorAssert.assertClose(mean, grey, 1e-12, "no saturation");
    // contrast u = 0: (x - m) 0.5 + m
    Tensor low = DiffAugment.color(x, half, half, new double[] {0, 0});
    Tensor m = x.mean(true, 1, 2, 3);
    TensorAssert.assertClose(x.sub(m).mul(0.5).add(m), low, 1e-12, "half contrast");
  }

  @Test
  void translationMovesPixelsAndFillsWithZeroAndItsInverseRestoresTheInterior() {
    double[] v = new double[16];
    for (int i = 0; i < 16; i++) {
      v[i] = i + 1;
    }
    Tensor x = Tensor.of(v, 1, 1, 4, 4);
    Tensor moved = DiffAugment.translate(x, new int[] {1}, new int[] {-1});
    // down one, left one: row 0 empty, column 3 empty
    double[] expected = {0, 0, 0, 0, 2, 3, 4, 0, 6, 7, 8, 0, 10, 11, 12, 0};
    TensorAssert.assertClose(Tensor.of(expected, 1, 1, 4, 4), moved, 0, "shifted");
    Tensor back = DiffAugment.translate(moved, new int[] {-1}, new int[] {1});
    // the bottom row and the left column left the image; the rest is back where it was
    double[] kept = {0, 2, 3, 4, 0, 6, 7, 8, 0, 10, 11, 12, 0, 0, 0, 0};
    TensorAssert.assertClose(Tensor.of(kept, 1, 1, 4, 4), back, 0, "inverse on what stayed");
    assertSame(x, DiffAugment.translate(x, new int[] {0}, new int[] {0}), "no shift, no copy");
  }

  @Test
  void cutoutZeroesExactlyTheClippedSquare() {
    Tensor x = Tensor.ones(DType.FLOAT64, 2, 1, 6, 6);
    Tensor y = DiffAugment.cutout(x, new int[] {3, 0}, new int[] {3, 6}, 3, 3);
    double[] v = y.toDoubleArray();
    int zeros0 = 0;
    int zeros1 = 0;
    for (int i = 0; i < 36; i++) {
      int r = i / 6;
      int c = i % 6;
      boolean in0 = r >= 2 && r < 5 && c >= 2 && c < 5; // centred at (3, 3): rows/cols 2-4
      boolean in1 = r < 2 && c >= 5; // centred at (0, 6): rows -1..1, cols 5..7, clipped
      assertEquals(in0 ? 0 : 1, v[i], 0, "image 0 pixel " + i);
      assertEquals(in1 ? 0 : 1, v[36 + i], 0, "image 1 pixel " + i);
      zeros0 += in0 ? 1 : 0;
      zeros1 += in1 ? 1 : 0;
    }
    assertEquals(9, zeros0);
    assertEquals(2, zeros1);
  }

  @Test
  void everyGroupIsDifferentiableTwice() {
    for (DiffAugment.Group g : DiffAugment.Group.values()) {
      EnumSet<DiffAugment.Group> one = EnumSet.of(g);
      TensorAssert.assertGradients(
          in -> List.of(DiffAugment.apply(in.get(0), one, new Rng(5))),
          List.of(leaf(2, 3, 2, 8, 8)),
          1e-6);
      // R1 through the augmentation: the gradient of a non-linear function of the output
      TensorAssert.assertSecondOrder(
          in -> List.of(DiffAugment.apply(in.get(0), one, new Rng(5)).square().sum()),
          List.of(leaf(3, 2, 2, 8, 8)),
          1e-6);
    }
  }

  @Test
  void theSameSeedGivesTheSameAugmentationAndAnotherDoesNot() {
    Tensor x = leaf(4, 4, 1, 16, 16);
    Tensor a = DiffAugment.apply(x, DiffAugment.ALL, new Rng(8));
    TensorAssert.assertClose(a, DiffAugment.apply(x, DiffAugment.ALL, new Rng(8)), 0, "seeded");
    assertNotEquals(
        a.sub(DiffAugment.apply(x, DiffAugment.ALL, new Rng(9))).abs().sum().item(), 0.0);
    TensorAssert.assertClose(
        x, DiffAugment.apply(x, EnumSet.noneOf(DiffAugment.Group.class), new Rng(8)), 0, "none");
  }
}
