package org.jgan.core.kernels;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.same.Sum;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Sums over axes. Large sums whose kept or reduced axes are consecutive run as matrix products with
 * a vector of ones, several times faster than ND4J's reduction on the shapes of a training step
 * (docs/benchmarks.md); everything else goes to ND4J's {@code Sum}.
 */
final class Sums {
  /**
   * Sums of fewer elements go to ND4J's reduction: a libnd4j matrix product has a fixed cost that
   * dominates below about a million elements.
   */
  private static final long BY_PRODUCTS_MIN = 1L << 21;

  /**
   * Column sums (the kept axes trailing, as a bias gradient in NHWC) go to a matrix-vector product
   * from this size on: libnd4j reduces them 4-100x slower than the product at every size measured
   * from {@code [512, 128]} to {@code [32768, 128]} (10 ms against 0.11 ms at {@code [8192, 128]};
   * docs/benchmarks.md).
   */
  private static final long COLUMNS_BY_PRODUCT_MIN = 1L << 12;

  private Sums() {}

  /** Sum over {@code axes} (all axes when empty), keeping reduced axes as size 1 if asked. */
  static INDArray sum(INDArray a, boolean keepDims, int... axes) {
    long[] in = a.shape();
    boolean[] reduced = new boolean[in.length];
    if (axes.length == 0) {
      Arrays.fill(reduced, true);
    }
    for (int ax : axes) {
      reduced[ax] = true;
    }
    int kept = 0;
    for (boolean r : reduced) {
      kept += r ? 0 : 1;
    }
    long[] shape = new long[keepDims ? in.length : kept];
    for (int i = 0, j = 0; i < in.length; i++) {
      if (keepDims) {
        shape[i] = reduced[i] ? 1 : in[i];
      } else if (!reduced[i]) {
        shape[j++] = in[i];
      }
    }
    INDArray out = Kernels.alloc(a.dataType(), shape);
    if (!outerByProducts(a, reduced, out) && !middleByProducts(a, reduced, out)) {
      int[] dims = axes.length == 0 ? allAxes(in.length) : axes;
      Nd4j.exec(new Sum(a, null, out, keepDims, dims));
    }
    return out;
  }

  /**
   * A sum whose kept axes are consecutive: with the array read as a {@code [P, K, S]} block (P the
   * reduced leading axes, K the kept ones, S the reduced trailing ones), the result is {@code X
   * ones(S)} followed by {@code ones(P)^T X'}, two matrix products. A bias gradient (the sum of
   * {@code [N, C, H, W]} over N, H and W) is the common case.
   *
   * @return false (and nothing written) where the layout does not allow it
   */
  private static boolean outerByProducts(INDArray a, boolean[] reduced, INDArray out) {
    DataType type = a.dataType();
    long[] in = a.shape();
    int[] run = onlyRun(reduced, true);
    boolean all = run != null && run[0] == 0 && run[1] == in.length - 1;
    int[] kept =
        !plainFloating(a, COLUMNS_BY_PRODUCT_MIN)
            ? null
            : all ? new int[] {in.length, in.length - 1} : onlyRun(reduced, false);
    if (kept == null) {
      return false; // kept axes not consecutive, or a layout the products cannot read
    }
    long[] pks = blocks(in, kept[0], kept[1]);
    if (pks[2] > 1 && a.length() < BY_PRODUCTS_MIN) {
      return false; // reduced trailing axes: the products win only on large arrays
    }
    long p = pks[0];
    long k = pks[1];
    long s = pks[2];
    if (p == 1 && s == 1) {
      return false; // nothing to add up
    }
    // the trailing sum first: a matrix-vector product over the whole array runs at memory speed
    INDArray afterS = a;
    if (s > 1) {
      INDArray onesS = Kernels.full(type, 1.0, s, 1);
      afterS = p > 1 ? Kernels.alloc(type, p * k, 1) : out.reshape('c', k, 1);
      matmul(a.reshape('c', p * k, s), onesS, afterS);
      Kernels.free(onesS);
    }
    if (p > 1) {
      INDArray onesP = Kernels.full(type, 1.0, 1, p);
      matmul(onesP, afterS.reshape('c', p, k), out.reshape('c', 1, k));
      Kernels.free(onesP);
      if (s > 1) {
        Kernels.free(afterS);
      }
    }
    return true;
  }

  /**
   * A sum over one run of consecutive axes with kept axes on both sides (a sum over channels,
   * {@code [N, C, H, W]} to {@code [N, H, W]}): with the array read as {@code [P, R, S]}, one
   * batched matrix product {@code ones[P, 1, R] X}.
   *
   * @return false (and nothing written) where the layout does not allow it
   */
  private static boolean middleByProducts(INDArray a, boolean[] reduced, INDArray out) {
    int[] run = plainFloating(a, BY_PRODUCTS_MIN) ? onlyRun(reduced, true) : null;
    long[] in = a.shape();
    if (run == null || run[0] == 0 || run[1] == in.length - 1) {
      return false; // not one run of reduced axes between kept ones
    }
    long[] prs = blocks(in, run[0], run[1]);
    long p = prs[0];
    long r = prs[1];
    long s = prs[2];
    INDArray ones = Kernels.full(a.dataType(), 1.0, p, 1, r);
    matmul(ones, a.reshape('c', p, r, s), out.reshape('c', p, 1, s));
    Kernels.free(ones);
    return true;
  }

  private static void matmul(INDArray a, INDArray b, INDArray out) {
    Kernels.custom("matmul", new INDArray[] {a, b}, new INDArray[] {out}, 0, 0);
  }

  /** The products of the sizes before axis {@code first}, from it to {@code last}, and after. */
  private static long[] blocks(long[] shape, int first, int last) {
    long[] b = {1, 1, 1};
    for (int i = 0; i < shape.length; i++) {
      b[i < first ? 0 : i <= last ? 1 : 2] *= shape[i];
    }
    return b;
  }

  /**
   * A C-ordered, dense float or double array of at least {@code min} elements, as the matrix
   * products read it.
   */
  private static boolean plainFloating(INDArray a, long min) {
    DataType type = a.dataType();
    return (type == DataType.FLOAT || type == DataType.DOUBLE)
        && a.ordering() == 'c'
        && !a.isView()
        && Shape.hasDefaultStridesForShape(a)
        && a.length() >= min;
  }

  /**
   * {first, last} of the axes whose flag is {@code value} when they are consecutive, or null (also
   * when there are none).
   */
  private static int[] onlyRun(boolean[] flags, boolean value) {
    int first = -1;
    int last = -1;
    for (int i = 0; i < flags.length; i++) {
      if (flags[i] == value) {
        if (first >= 0 && last != i - 1) {
          return null;
        }
        first = first < 0 ? i : first;
        last = i;
      }
    }
    return first < 0 ? null : new int[] {first, last};
  }

  /** {@code {0, 1, ..., rank - 1}}. */
  static int[] allAxes(int rank) {
    int[] axes = new int[rank];
    for (int i = 0; i < rank; i++) {
      axes[i] = i;
    }
    return axes;
  }
}
