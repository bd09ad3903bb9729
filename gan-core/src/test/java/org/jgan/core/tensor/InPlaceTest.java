package org.jgan.core.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jgan.core.autograd.GradMode;
import org.jgan.core.autograd.Profiler;
import org.jgan.core.kernels.Backend;
import org.jgan.core.kernels.DataFormat;
import org.jgan.core.kernels.Engine;
import org.jgan.core.testing.LeakCheck;
import org.jgan.core.testing.TensorAssert;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** In-place updates: the out-of-place ops' values in the target's own array, and refusals. */
class InPlaceTest {
  @AfterEach
  void noLeak() {
    LeakCheck.assertNoOpenScope();
  }

  @Test
  void handComputedValues() {
    Tensor t = Tensor.of(new double[] {1, -2, 3, -4, 5, -6}, 2, 3);
    assertSame(t, InPlace.mul(t, Tensor.of(new double[] {2, 1, 0.5}, 1, 3)));
    assertArrayEquals(new double[] {2, -2, 1.5, -8, 5, -3}, t.toDoubleArray(), 0);
    InPlace.add(t, Tensor.of(new double[] {10, -10}, 2, 1));
    assertArrayEquals(new double[] {12, 8, 11.5, -18, -5, -13}, t.toDoubleArray(), 0);
    InPlace.leakyRelu(t, 0.25);
    assertArrayEquals(new double[] {12, 8, 11.5, -4.5, -1.25, -3.25}, t.toDoubleArray(), 0);
    InPlace.add(t, Tensor.scalar(DType.FLOAT64, 0.25));
    assertArrayEquals(new double[] {12.25, 8.25, 11.75, -4.25, -1, -3}, t.toDoubleArray(), 0);
  }

  @Test
  void equalsTheOutOfPlaceOpsOnBothLayouts() {
    for (DType type : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
      for (DataFormat f : DataFormat.values()) {
        try (TensorScope scope = TensorScope.open()) {
          Rng rng = new Rng(7);
          Tensor x = Tensor.of(rng.normalArray(type, 0, 1, f.shape(3, 5, 4, 6)));
          Tensor d = Tensor.of(rng.normalArray(type, 0, 1, f.sampleChannelShape(3, 5)));
          Tensor noise = Tensor.of(rng.normalArray(type, 0, 1, f.shape(3, 1, 4, 6)));
          Tensor bias = Tensor.of(rng.normalArray(type, 0, 1, f.channelShape(5)));
          Tensor expected = x.mul(d).add(noise).add(bias).leakyRelu(0.2);
          Tensor target = x.mul(1.0);
          InPlace.leakyRelu(InPlace.add(InPlace.add(InPlace.mul(target, d), noise), bias), 0.2);
          TensorAssert.assertClose(expected, target, 0, type + " " + f + " in place");
        }
      }
    }
  }

  @Test
  void refusesWhileAGraphIsRecorded() {
    Tensor w = Tensor.leaf(Tensor.of(new double[] {1, 2}, 2).data(), true);
    Tensor y = w.mul(2.0);
    assertFalse(InPlace.allowed(y));
    assertThrows(
        IllegalStateException.class, () -> InPlace.mul(y, Tensor.of(new double[] {1, 1}, 2)));
    Tensor fresh = Tensor.of(new double[] {1, 2}, 2).mul(1.0);
    assertThrows(
        IllegalStateException.class,
        () -> InPlace.add(fresh, w),
        "an operand that requires a gradient");
    try (GradMode.Guard off = GradMode.disabled()) {
      assertTrue(InPlace.allowed(y, w));
      Tensor z = w.mul(2.0);
      InPlace.add(z, w);
      assertArrayEquals(new double[] {3, 6}, z.toDoubleArray(), 0);
    }
  }

  @Test
  void refusesOperandsThatWouldGrowOrRetypeTheTarget() {
    Tensor t = Tensor.zeros(DType.FLOAT64, 2, 1);
    IllegalArgumentException grow =
        assertThrows(
            IllegalArgumentException.class,
            () -> InPlace.add(t, Tensor.zeros(DType.FLOAT64, 1, 3)));
    assertTrue(
        grow.getMessage().contains("[2, 1]") && grow.getMessage().contains("[2, 3]"),
        grow.getMessage());
    IllegalArgumentException type =
        assertThrows(
            IllegalArgumentException.class,
            () -> InPlace.mul(t, Tensor.zeros(DType.FLOAT32, 2, 1)));
    assertTrue(type.getMessage().contains("FLOAT32"), type.getMessage());
    assertThrows(IllegalArgumentException.class, () -> InPlace.leakyRelu(t, 1.5));
  }

  @Test
  void countsInTheProfile() {
    try (Profiler p = Profiler.start(false)) {
      InPlace.leakyRelu(Tensor.of(new double[] {-1, 1}, 2).mul(1.0), 0.2);
      assertTrue(
          p.report().stream().anyMatch(e -> e.op().equals("leaky_relu_") && e.calls() == 1),
          p.report().toString());
    }
  }

  @Test
  void aBackendWithoutInPlaceUpdatesAllowsNone() {
    Tensor fresh = Tensor.of(new double[] {1, 2}, 2).mul(1.0);
    assertTrue(InPlace.allowed(fresh));
    try (Engine off = Engine.start(Backend.cpu().withInPlace(false))) {
      assertFalse(InPlace.allowed(fresh), "the backend turns in-place updates off");
    }
    assertTrue(InPlace.allowed(fresh), "and only while its engine is installed");
  }
}
