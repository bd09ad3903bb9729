package org.jgan.core.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.jgan.core.kernels.Kernels;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.tensor.TensorScope;
import org.jgan.core.testing.LeakCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Sums against a reference loop over every axis subset of a rank-4 array: the subsets whose kept
 * axes are consecutive go through matrix products with ones vectors, the others (and views) through
 * ND4J's reduction, and all must agree with the loop.
 */
class SumTest {
  private static final long[] SHAPE = {3, 4, 5, 6};

  /** Large enough for the matrix-product sums (Kernels: at least 2^21 elements). */
  private static final long[] LARGE = {8, 64, 64, 64};

  @AfterEach
  void noLeak() {
    LeakCheck.assertNoOpenScope();
  }

  @Test
  void everyAxisSubsetMatchesTheLoopInBothPrecisions() {
    everyAxisSubset(SHAPE, 1e-4, 1e-12);
  }

  /**
   * A StyleGAN2 map in NHWC, {@code [32, 16, 16, 128]}: its column sums (over N, H and W, a bias
   * gradient) run as a matrix-vector product from 2^12 elements on, the other sums on libnd4j.
   */
  @Test
  void everyAxisSubsetOfAMidSizeArrayMatchesTheLoop() {
    everyAxisSubset(new long[] {32, 16, 16, 128}, 2e-2, 1e-10);
  }

  @Test
  void everyAxisSubsetOfALargeArrayMatchesTheLoop() {
    everyAxisSubset(LARGE, 1e-1, 1e-9); // float32 sums of up to 2M normal values, about 1,000
  }

  private static void everyAxisSubset(long[] shape, double tolFloat, double tolDouble) {
    for (DType type : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
      for (int mask = 0; mask < 16; mask++) {
        int[] axes = axes(mask);
        try (TensorScope s = TensorScope.open()) {
          Tensor x = new Rng(mask + 1).normal(type, shape);
          double[] want = reference(x.toDoubleArray(), shape, mask);
          double tol = type == DType.FLOAT32 ? tolFloat : tolDouble;
          for (boolean keep : new boolean[] {false, true}) {
            Tensor got = x.sum(keep, axes);
            assertEquals(
                want.length, got.toDoubleArray().length, type + " axes " + Arrays.toString(axes));
            assertArrayEquals(
                want,
                got.toDoubleArray(),
                tol,
                type + " axes " + Arrays.toString(axes) + " keep " + keep);
            assertEquals(
                keep ? 4 : 4 - Integer.bitCount(mask == 0 ? 15 : mask),
                got.shape().length,
                "rank of the sum over " + Arrays.toString(axes));
          }
        }
      }
    }
  }

  @Test
  void aPermutedViewSumsLikeItsCopy() {
    try (TensorScope s = TensorScope.open()) {
      Tensor x = new Rng(7).normal(DType.FLOAT32, SHAPE);
      Tensor permuted = x.permute(1, 0, 3, 2);
      Tensor copy = Tensor.owned(Kernels.copy(permuted.data()));
      assertArrayEquals(
          copy.sum(false, 0, 2, 3).toDoubleArray(),
          permuted.sum(false, 0, 2, 3).toDoubleArray(),
          1e-4);
    }
  }

  /** The axes of a bit mask; mask 0 means all axes (an empty axis list). */
  private static int[] axes(int mask) {
    return IntStream.range(0, 4).filter(i -> (mask & (1 << i)) != 0).toArray();
  }

  private static double[] reference(double[] x, long[] shape, int mask) {
    int m = mask == 0 ? 15 : mask;
    long[] outShape = new long[4];
    for (int i = 0; i < 4; i++) {
      outShape[i] = (m & (1 << i)) != 0 ? 1 : shape[i];
    }
    double[] out = new double[(int) (outShape[0] * outShape[1] * outShape[2] * outShape[3])];
    int idx = 0;
    for (int a = 0; a < shape[0]; a++) {
      for (int b = 0; b < shape[1]; b++) {
        for (int c = 0; c < shape[2]; c++) {
          for (int d = 0; d < shape[3]; d++) {
            long[] o = {a % outShape[0], b % outShape[1], c % outShape[2], d % outShape[3]};
            int j = (int) (((o[0] * outShape[1] + o[1]) * outShape[2] + o[2]) * outShape[3] + o[3]);
            out[j] += x[idx++];
          }
        }
      }
    }
    return out;
  }
}
