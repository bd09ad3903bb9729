package org.jgan.train.reg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.jgan.core.autograd.Autograd;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.testing.GradCheck;
import org.junit.jupiter.api.Test;

class ModeSeekingTest {
  @Test
  void aHandComputedPair() {
    // images 1 and 2 of two pixels: |1 - 3| and |2 - 5| give 2.5; latents |0 - 1|, |0 - 3| give 2
    Tensor x = Tensor.of(new double[] {1, 2, 3, 5}, 2, 1, 1, 2);
    Tensor z = Tensor.of(new double[] {0, 0, 1, 3}, 2, 2);
    assertEquals(0.5 / (1.25 + 1e-5), ModeSeeking.loss(x, z, 0.5).item(), 1e-12);
    // two pairs: (a, c) and (b, d)
    Tensor x4 = Tensor.of(new double[] {0, 1, 2, 5}, 4, 1);
    Tensor z4 = Tensor.of(new double[] {0, 0, 1, 1}, 4, 1);
    // mean |0 - 2|, |1 - 5| = 3; mean |0 - 1|, |0 - 1| = 1
    assertEquals(1 / (3 + 1e-5), ModeSeeking.loss(x4, z4, 1).item(), 1e-12);
  }

  @Test
  void aCollapsedPairGivesTheLargestFiniteTermAndGradient() {
    Tensor z = Tensor.of(new double[] {0, 0, 1, 3}, 2, 2);
    Tensor same = Tensor.leaf(Tensor.of(new double[] {1, 2, 1, 2}, 2, 2).data(), true);
    Tensor apart = Tensor.leaf(Tensor.of(new double[] {1, 2, 1.5, 2}, 2, 2).data(), true);
    double collapsed = ModeSeeking.loss(same, z, 1).item();
    assertEquals(1e5, collapsed, 1e-6);
    assertTrue(ModeSeeking.loss(apart, z, 1).item() < collapsed);
    // the gradient moves the second sample of the pair away from the first
    Tensor g = Autograd.grad(ModeSeeking.loss(apart, z, 1), apart, false);
    double[] v = g.toDoubleArray();
    assertTrue(v[2] < 0 && v[0] > 0, Arrays.toString(v));
  }

  @Test
  void gradientsMatchFiniteDifferencesAndTheLatentsTakeNone() {
    Rng rng = new Rng(3);
    Tensor x = Tensor.leaf(rng.normalArray(DType.FLOAT64, 0, 1, 6, 1, 3, 3), true);
    Tensor z = Tensor.leaf(rng.normalArray(DType.FLOAT64, 0, 1, 6, 4), true);
    GradCheck.Report r =
        GradCheck.check(xs -> List.of(ModeSeeking.loss(xs.get(0), z, 0.7)), List.of(x), 54, 5);
    assertTrue(r.maxError() < 1e-6, r.toString());
    List<Tensor> grads =
        Autograd.grad(List.of(ModeSeeking.loss(x, z, 0.7)), List.of(x, z), null, false);
    assertEquals(0.0, grads.get(1).abs().sum().item(), "the latents are constants of the term");
  }

  @Test
  void pairsShareLabelsWithinEachPass() {
    int[] c = {1, 2, 3, 4, 5, 6, 7, 8};
    ModeSeeking.pairLabels(c, 4);
    assertArrayEquals(new int[] {1, 2, 1, 2, 5, 6, 5, 6}, c);
    ModeSeeking.pairLabels(null, 4);
  }

  @Test
  void anOddBatchIsRefused() {
    Tensor x = Tensor.of(new double[] {1, 2, 3}, 3, 1);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ModeSeeking.loss(x, x, 1));
    assertTrue(e.getMessage().contains("even count"), e.getMessage());
  }
}
