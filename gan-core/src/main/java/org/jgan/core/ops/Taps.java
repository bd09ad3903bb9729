package org.jgan.core.ops;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.jgan.core.kernels.Kernels;
import org.jgan.core.tensor.TensorScope;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A sparse linear map per image from {@code inH x inW} to {@code outH x outW} pixels, {@code K}
 * taps per output pixel: output pixel {@code q} of image {@code n} is {@code sum_k weight[n, q, k]}
 * times input pixel {@code index[n, q, k]} ({@code y inW + x}), in every channel. Bilinear warps
 * are four taps. Its transpose is again such a map, with as many taps as the most shared input
 * pixel has users (taps of weight 0 dropped), built once on the host and kept.
 *
 * <p>The arrays belong to the scope that was open when they were made (or to the garbage collector
 * without one).
 */
public final class Taps {
  private final INDArray index;
  private final INDArray weight;
  private final long inH;
  private final long inW;
  private final long outH;
  private final long outW;
  private Taps transposed;

  /**
   * @param index {@code [N, outH outW, K]} integer input pixels {@code y inW + x}
   * @param weight {@code [N, outH outW, K]} floating-point weights
   * @param inH input height
   * @param inW input width
   * @param outH output height
   * @param outW output width
   * @throws IllegalArgumentException on shapes or types that do not fit, or a tap outside the input
   */
  public Taps(INDArray index, INDArray weight, long inH, long inW, long outH, long outW) {
    long[] s = index.shape();
    if (s.length != 3
        || s[1] != outH * outW
        || !Arrays.equals(s, weight.shape())
        || index.dataType().isFPType()
        || !weight.dataType().isFPType()) {
      throw new IllegalArgumentException(
          "taps: expected integer taps and floating-point weights [N, P, K] for P = "
              + outH * outW
              + " output pixels, got taps "
              + Arrays.toString(s)
              + " ("
              + index.dataType()
              + "), weights "
              + Arrays.toString(weight.shape())
              + " ("
              + weight.dataType()
              + ")");
    }
    if (index.length() > 0
        && (index.minNumber().longValue() < 0 || index.maxNumber().longValue() >= inH * inW)) {
      throw new IllegalArgumentException(
          "taps: every tap must be an input pixel in [0, "
              + inH * inW
              + "), got taps from "
              + index.minNumber().longValue()
              + " to "
              + index.maxNumber().longValue());
    }
    this.index = index;
    this.weight = weight;
    this.inH = inH;
    this.inW = inW;
    this.outH = outH;
    this.outW = outW;
  }

  /** Images in the batch. */
  public long count() {
    return index.size(0);
  }

  /** The taps {@code [N, P, K]}. */
  public INDArray index() {
    return index;
  }

  /** The weights {@code [N, P, K]}. */
  public INDArray weight() {
    return weight;
  }

  /** Input height. */
  public long inH() {
    return inH;
  }

  /** Input width. */
  public long inW() {
    return inW;
  }

  /** Output height. */
  public long outH() {
    return outH;
  }

  /** Output width. */
  public long outW() {
    return outW;
  }

  /**
   * The transposed map (from the output pixels back to the input pixels), made on first use: a
   * counting sort of the taps by input pixel, image by image.
   */
  public Taps transposed() {
    if (transposed == null) {
      transposed = transpose();
      transposed.transposed = this;
    }
    return transposed;
  }

  private Taps transpose() {
    int n = (int) index.size(0);
    int p = (int) index.size(1);
    int k = (int) index.size(2);
    int q = (int) (inH * inW);
    long[] idx = longs(index);
    double[] w = doubles(weight);
    int[] users = new int[n * q];
    int most = 1;
    for (int i = 0; i < idx.length; i++) {
      if (w[i] != 0) {
        int at = (int) (i / ((long) p * k)) * q + (int) idx[i];
        most = Math.max(most, ++users[at]);
      }
    }
    long[] tIdx = new long[n * q * most];
    double[] tW = new double[n * q * most];
    Arrays.fill(users, 0);
    for (int i = 0; i < idx.length; i++) {
      if (w[i] != 0) {
        int image = (int) (i / ((long) p * k));
        int at = image * q + (int) idx[i];
        int slot = at * most + users[at]++;
        tIdx[slot] = (i / k) % p;
        tW[slot] = w[i];
      }
    }
    INDArray ti = Kernels.alloc(DataType.LONG, n, q, most);
    INDArray tw = Kernels.alloc(weight.dataType(), n, q, most);
    nio(ti).asLongBuffer().put(tIdx);
    if (tw.dataType() == DataType.DOUBLE) {
      nio(tw).asDoubleBuffer().put(tW);
    } else {
      INDArray d = Kernels.alloc(DataType.DOUBLE, n, q, most);
      nio(d).asDoubleBuffer().put(tW);
      tw.assign(d);
      Kernels.free(d);
    }
    TensorScope.register(ti);
    TensorScope.register(tw);
    return new Taps(ti, tw, outH, outW, inH, inW);
  }

  /** A contiguous array's memory in native byte order (bulk copies, not a JNI call per element). */
  private static ByteBuffer nio(INDArray a) {
    return a.data().asNio().order(ByteOrder.nativeOrder());
  }

  private static long[] longs(INDArray a) {
    INDArray c = Kernels.copy(a, DataType.LONG);
    long[] v = new long[(int) c.length()];
    nio(c).asLongBuffer().get(v);
    Kernels.free(c);
    return v;
  }

  private static double[] doubles(INDArray a) {
    INDArray c = Kernels.copy(a, DataType.DOUBLE);
    double[] v = new double[(int) c.length()];
    nio(c).asDoubleBuffer().get(v);
    Kernels.free(c);
    return v;
  }
}
