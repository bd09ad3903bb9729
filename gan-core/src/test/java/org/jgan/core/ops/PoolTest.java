package org.jgan.core.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jgan.core.autograd.Autograd;
import org.jgan.core.nn.Functional;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.tensor.TensorScope;
import org.jgan.core.testing.LeakCheck;
import org.jgan.core.testing.TensorAssert;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Average pooling and nearest-neighbour up-sampling: exact small cases in both precisions, and
 * adjointness.
 */
class PoolTest {
  @AfterEach
  void noLeak() {
    LeakCheck.assertNoOpenScope();
  }

  @Test
  void poolingAndUpSamplingByHand() {
    for (DType type : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
      try (TensorScope s = TensorScope.open()) {
        double[] ramp = new double[16];
        for (int i = 0; i < 16; i++) {
          ramp[i] = i;
        }
        Tensor x = Tensor.of(ramp, 1, 1, 4, 4).to(type);
        assertArrayEquals(
            new double[] {2.5, 4.5, 10.5, 12.5},
            Functional.avgPool2d(x, 2).toDoubleArray(),
            0,
            type.toString());
        Tensor small = Tensor.of(new double[] {1, 2, 3, 4}, 1, 1, 2, 2).to(type);
        assertArrayEquals(
            new double[] {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4},
            Functional.upsampleNearest2d(small, 2).toDoubleArray(),
            0,
            type.toString());
      }
    }
  }

  @Test
  void upSamplingIsTheAdjointOfPoolingTimesTheWindow() {
    // <pool(x), y> = <x, spread(y)>, and nearest up-sampling = k^2 spread
    try (TensorScope s = TensorScope.open()) {
      Rng rng = new Rng(3);
      Tensor x = rng.normal(DType.FLOAT64, 2, 3, 6, 9);
      Tensor y = rng.normal(DType.FLOAT64, 2, 3, 2, 3);
      double left = Functional.avgPool2d(x, 3).mul(y).sum().item();
      double right = x.mul(Functional.upsampleNearest2d(y, 3)).sum().item() / 9;
      assertTrue(
          Math.abs(left - right) < 1e-12 * Math.max(1, Math.abs(left)), left + " vs " + right);
    }
  }

  @Test
  void badShapesAreRefusedWithTheExpectation() {
    try (TensorScope s = TensorScope.open()) {
      Tensor odd = Tensor.zeros(DType.FLOAT32, 1, 1, 5, 4);
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> Functional.avgPool2d(odd, 2));
      assertTrue(
          e.getMessage().contains("H and W multiples of 2")
              && e.getMessage().contains("[1, 1, 5, 4]"),
          e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> Functional.upsampleNearest2d(odd, 0));
      assertTrue(e.getMessage().contains("factor of at least 1"), e.getMessage());
    }
  }

  @Test
  void maxPoolingByHandAsPytorchPads() {
    for (DType type : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
      try (TensorScope s = TensorScope.open()) {
        // all values negative: a padded zero must never win (PyTorch pads with -inf)
        double[] v = new double[16];
        for (int i = 0; i < 16; i++) {
          v[i] = -16 + i;
        }
        Tensor x = Tensor.of(v, 1, 1, 4, 4).to(type);
        assertArrayEquals(
            new double[] {-11, -9, -3, -1},
            Functional.maxPool2d(x, 3, 2, 1).toDoubleArray(),
            0,
            "k3 s2 p1 " + type);
        assertArrayEquals(
            new double[] {-6, -5, -2, -1},
            Functional.maxPool2d(x, 3, 1, 0).toDoubleArray(),
            0,
            "k3 s1 " + type);
        assertArrayEquals(
            new long[] {1, 1, 4, 4},
            Functional.maxPool2d(x, 3, 1, 1).shape(),
            "k3 s1 p1 keeps H, W");
        // Inception's 3x3 stride-2 pooling of an odd side: (7 - 3) / 2 + 1 = 3
        assertArrayEquals(
            new long[] {2, 3, 3, 3},
            Functional.maxPool2d(Tensor.zeros(type, 2, 3, 7, 7), 3, 2, 0).shape());
      }
    }
  }

  @Test
  void maxPoolingGradientGoesToEachWindowsMaximum() {
    try (TensorScope s = TensorScope.open()) {
      // distinct values, so that no finite-difference step changes which position wins
      int[] perm = new Rng(4).permutation(2 * 3 * 7 * 7);
      double[] v = new double[perm.length];
      for (int i = 0; i < v.length; i++) {
        v[i] = perm[i] * 0.01;
      }
      for (int[] kp : new int[][] {{3, 2, 0}, {3, 1, 1}, {2, 2, 0}}) {
        Tensor x = Tensor.leaf(Tensor.of(v, 2, 3, 7, 7).data().dup(), true);
        TensorAssert.assertGradients(
            xs -> List.of(Functional.maxPool2d(xs.get(0), kp[0], kp[1], kp[2])), List.of(x), 1e-6);
      }
      Tensor x = Tensor.leaf(Tensor.of(v, 2, 3, 7, 7).data().dup(), true);
      Tensor y = Functional.maxPool2d(x, 3, 2, 0).square().sum();
      Tensor gx = Autograd.grad(List.of(y), List.of(x), null, true).get(0);
      assertThrows(
          RuntimeException.class,
          () -> gx.sum().backward(),
          "a second derivative through max_pool2d must fail loudly");
    }
  }

  @Test
  void maxPoolingRefusesWindowsItCannotPlace() {
    assertThrows(
        IllegalArgumentException.class,
        () -> Functional.maxPool2d(Tensor.zeros(DType.FLOAT32, 1, 1, 2, 2), 3, 1, 0));
    assertThrows(
        IllegalArgumentException.class,
        () -> Functional.maxPool2d(Tensor.zeros(DType.FLOAT32, 1, 1, 4, 4), 3, 1, 2));
  }
}
