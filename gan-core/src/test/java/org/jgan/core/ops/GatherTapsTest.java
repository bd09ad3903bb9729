package org.jgan.core.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.testing.LeakCheck;
import org.jgan.core.testing.TensorAssert;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Resampling with fixed taps: exact against a loop over the taps (taps meeting on one pixel
 * included), the scatter is its transpose, and both differentiate to second order.
 */
class GatherTapsTest {
  private static final int N = 2;
  private static final int H = 3;
  private static final int W = 4;
  private static final int OUT_H = 2;
  private static final int OUT_W = 3;
  private static final int K = 4;

  /** Random taps among an image's pixels, with repeats (pixel 0 often). */
  static long[] taps(long seed) {
    Random r = new Random(seed);
    long[] idx = new long[N * OUT_H * OUT_W * K];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = r.nextInt(3) == 0 ? 0 : r.nextInt(H * W);
    }
    return idx;
  }

  static INDArray index(long seed) {
    return Nd4j.createFromArray(taps(seed)).reshape('c', N, (long) OUT_H * OUT_W, K);
  }

  static INDArray weights(long seed, DataType type) {
    return new Rng(seed).normalArray(DType.of(type), 0, 1, N, (long) OUT_H * OUT_W, K);
  }

  @AfterEach
  void noLeak() {
    LeakCheck.assertNoOpenScope();
  }

  @Test
  void eachOutputPixelIsItsWeightedTaps() {
    for (int c : new int[] {1, 3}) {
      INDArray idx = index(1);
      INDArray w = weights(2, DataType.DOUBLE);
      Tensor x = new Rng(3).normal(DType.FLOAT64, N, c, H, W);
      double[] y = x.gatherTaps(idx, w, OUT_H, OUT_W).toDoubleArray();
      double[] xs = x.toDoubleArray();
      long[] t = taps(1);
      int p = OUT_H * OUT_W;
      for (int n = 0; n < N; n++) {
        for (int ch = 0; ch < c; ch++) {
          for (int q = 0; q < p; q++) {
            double want = 0;
            for (int k = 0; k < K; k++) {
              int row = (int) t[(n * p + q) * K + k];
              want += w.getDouble(n, q, k) * xs[(n * c + ch) * H * W + row];
            }
            assertEquals(want, y[(n * c + ch) * p + q], 1e-12, "C=" + c);
          }
        }
      }
    }
  }

  @Test
  void theScatterIsTheTransposeOfTheGather() {
    // <A x, g> = <x, A^T g> for every x and g, with taps meeting on the same pixel
    INDArray idx = index(4);
    INDArray w = weights(5, DataType.DOUBLE);
    Tensor x = new Rng(6).normal(DType.FLOAT64, N, 3, H, W);
    Tensor g = new Rng(7).normal(DType.FLOAT64, N, 3, OUT_H, OUT_W);
    Tensor xl = Tensor.leaf(x.data().dup(), true);
    Tensor y = xl.gatherTaps(idx, w, OUT_H, OUT_W);
    y.backward(g);
    double lhs = y.mul(g).sum().item();
    double rhs = xl.grad().mul(x).sum().item();
    assertEquals(lhs, rhs, 1e-10 * Math.max(1, Math.abs(lhs)));
    assertTrue(xl.grad().abs().sum().item() > 0);
  }

  @Test
  void firstAndSecondDerivativesMatchFiniteDifferences() {
    INDArray idx = index(8);
    INDArray w = weights(9, DataType.DOUBLE);
    for (int c : new int[] {1, 2}) {
      List<Tensor> in =
          List.of(Tensor.leaf(new Rng(10).normalArray(DType.FLOAT64, 0, 1, N, c, H, W), true));
      // squared so that the second derivative is not zero
      TensorAssert.assertGradients(
          xs -> List.of(xs.get(0).gatherTaps(idx, w, OUT_H, OUT_W).square()), in, 1e-6);
      TensorAssert.assertSecondOrder(
          xs -> List.of(xs.get(0).gatherTaps(idx, w, OUT_H, OUT_W).square()), in, 1e-6);
    }
  }

  @Test
  void float32WithIntTapsAgreesWithFloat64() {
    INDArray idx = index(11);
    Tensor x = new Rng(12).normal(DType.FLOAT64, N, 3, H, W);
    INDArray w = weights(13, DataType.DOUBLE);
    Tensor y64 = x.gatherTaps(idx, w, OUT_H, OUT_W);
    Tensor y32 =
        x.to(DType.FLOAT32)
            .gatherTaps(idx.castTo(DataType.INT), w.castTo(DataType.FLOAT), OUT_H, OUT_W);
    TensorAssert.assertClose(y64, y32.to(DType.FLOAT64), 1e-5, "float32 gather");
  }

  @Test
  void badTapsAreRefusedByName() {
    INDArray idx = index(1);
    Tensor x = Tensor.zeros(DType.FLOAT64, N, 1, H, W);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> x.gatherTaps(idx, weights(2, DataType.DOUBLE), OUT_H, OUT_W + 1));
    assertTrue(e.getMessage().contains("output pixels"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> x.gatherTaps(idx.castTo(DataType.DOUBLE), weights(2, DataType.DOUBLE), OUT_H, OUT_W));
    INDArray outside = idx.dup();
    outside.putScalar(5, H * W);
    IllegalArgumentException range =
        assertThrows(
            IllegalArgumentException.class,
            () -> x.gatherTaps(outside, weights(2, DataType.DOUBLE), OUT_H, OUT_W));
    assertTrue(range.getMessage().contains("[0, 12)"), range.getMessage());
  }
}
