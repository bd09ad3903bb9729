package org.jgan.core.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Function;
import org.jgan.core.kernels.Shapes;
import org.jgan.core.tensor.Tensor;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Assertions on tensors with messages that show the worst element. */
public final class TensorAssert {
  private TensorAssert() {}

  /** Same shape and {@code max|a - b| <= tol * max(max|b|, 1e-300)}. */
  public static void assertClose(Tensor expected, Tensor actual, double relTol, String what) {
    assertClose(expected, actual, relTol, 0, what);
  }

  /**
   * Same shape and {@code max|a - b| <= max(relTol * max(max|b|, 1e-300), absTol)}: for values near
   * zero, where a relative bound says nothing.
   */
  public static void assertClose(
      Tensor expected, Tensor actual, double relTol, double absTol, String what) {
    assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
    INDArray e = expected.data().castTo(DataType.DOUBLE);
    INDArray a = actual.data().castTo(DataType.DOUBLE);
    double scale = e.amaxNumber().doubleValue();
    double diff = e.sub(a).amaxNumber().doubleValue();
    assertTrue(
        diff <= Math.max(relTol * Math.max(scale, 1e-300), absTol),
        what
            + ": max |diff| "
            + diff
            + " exceeds "
            + relTol
            + " x max|expected| "
            + scale
            + (absTol > 0 ? " and " + absTol : "")
            + " (shape "
            + Shapes.str(expected.shape())
            + ")");
  }

  /** Every element within {@code absTol} of zero. */
  public static void assertZero(Tensor actual, double absTol, String what) {
    double m = actual.data().amaxNumber().doubleValue();
    assertTrue(m <= absTol, what + ": expected zeros, max |value| is " + m);
  }

  /** Asserts the first-order gradient check passes below {@code tol}. */
  public static void assertGradients(
      Function<List<Tensor>, List<Tensor>> f, List<Tensor> inputs, double tol) {
    GradCheck.Report r = GradCheck.check(f, inputs, 60, 1234);
    assertTrue(
        r.maxError() < tol, "gradient check failed: error " + r.maxError() + " at " + r.worst());
  }

  /** Asserts the second-order gradient check passes below {@code tol}. */
  public static void assertSecondOrder(
      Function<List<Tensor>, List<Tensor>> f, List<Tensor> inputs, double tol) {
    GradCheck.Report r = GradCheck.checkSecondOrder(f, inputs, 40, 4321);
    assertTrue(
        r.maxError() < tol,
        "second-order check failed: error " + r.maxError() + " at " + r.worst());
  }

  /**
   * {@code |got - want| / |want|} with Euclidean norms over all values: how the twin tests state
   * agreement with a reference.
   */
  public static double relativeError(double[] got, double[] want) {
    if (got.length != want.length) {
      throw new AssertionError("lengths differ: " + got.length + " vs " + want.length);
    }
    double num = 0;
    double den = 0;
    for (int i = 0; i < want.length; i++) {
      num += (got[i] - want[i]) * (got[i] - want[i]);
      den += want[i] * want[i];
    }
    return Math.sqrt(num / den);
  }
}
