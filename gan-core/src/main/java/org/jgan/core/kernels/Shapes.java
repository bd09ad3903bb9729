package org.jgan.core.kernels;

import java.util.Arrays;

/** Shape arithmetic and shape assertions with messages that name what was expected. */
public final class Shapes {
  private Shapes() {}

  /** Number of elements of a shape (1 for the empty shape of a scalar). */
  public static long numel(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  /** {@code [2, 3, 4]}. */
  public static String str(long[] shape) {
    return Arrays.toString(shape);
  }

  /**
   * The NumPy/PyTorch broadcast of two shapes: aligned at the right, each pair of sizes equal or
   * one of them 1.
   *
   * @throws IllegalArgumentException when the shapes do not broadcast
   */
  public static long[] broadcast(long[] a, long[] b) {
    int rank = Math.max(a.length, b.length);
    long[] out = new long[rank];
    for (int i = 0; i < rank; i++) {
      long da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
      long db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
      if (da != db && da != 1 && db != 1) {
        throw new IllegalArgumentException(
            "shapes "
                + str(a)
                + " and "
                + str(b)
                + " do not broadcast (axis "
                + i
                + ": "
                + da
                + " vs "
                + db
                + ")");
      }
      out[i] = Math.max(da, db);
    }
    return out;
  }

  /** Normalises a possibly negative axis ({@code -1} = last) against a rank. */
  public static int axis(int axis, int rank) {
    int a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= rank) {
      throw new IllegalArgumentException("axis " + axis + " out of range for rank " + rank);
    }
    return a;
  }

  /**
   * Asserts a shape (StyleGAN's {@code assert_shape}); {@code -1} in {@code expected} matches any
   * size.
   *
   * @param what names the input in the message, e.g. {@code "Conv2d conv0 input"}
   * @throws IllegalArgumentException naming {@code what}, the expected and the actual shape
   */
  public static void check(long[] s, String what, long... expected) {
    boolean ok = s.length == expected.length;
    for (int i = 0; ok && i < s.length; i++) {
      ok = expected[i] < 0 || expected[i] == s[i];
    }
    if (!ok) {
      StringBuilder e = new StringBuilder("[");
      for (int i = 0; i < expected.length; i++) {
        e.append(i > 0 ? ", " : "").append(expected[i] < 0 ? "*" : Long.toString(expected[i]));
      }
      throw new IllegalArgumentException(what + ": expected shape " + e + "], got " + str(s));
    }
  }

  /**
   * Asserts that {@code actual} is exactly {@code expected}.
   *
   * @param what names the value in the message, e.g. a parameter's dotted name
   * @throws IllegalArgumentException naming {@code what} and both shapes
   */
  public static void checkEqual(String what, long[] expected, long[] actual) {
    if (!Arrays.equals(expected, actual)) {
      throw new IllegalArgumentException(
          what + ": expected shape " + str(expected) + ", got " + str(actual));
    }
  }

  /** Shape with the leading dimension replaced. */
  public static long[] withFirst(long[] shape, long first) {
    long[] s = shape.clone();
    s[0] = first;
    return s;
  }
}
