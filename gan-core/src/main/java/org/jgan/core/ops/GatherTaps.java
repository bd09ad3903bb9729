package org.jgan.core.ops;

import java.util.Arrays;
import org.jgan.core.autograd.Autograd;
import org.jgan.core.autograd.Node;
import org.jgan.core.autograd.Op;
import org.jgan.core.kernels.Kernels;
import org.jgan.core.tensor.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Resampling with fixed taps, a different sparse linear map per image: {@code out[n, c, p] = sum_k
 * w[n, p, k] x[n, c, q]} where {@code q = index[n, p, k]} is a pixel of image {@code n} (bilinear
 * sampling has four taps per output pixel). Linear in {@code x} with constant coefficients, so its
 * gradient is the transposed map ({@link ScatterTaps}), whose gradient is this map again:
 * differentiable to any order.
 *
 * <p>Both run as native gathers and scatters over the pixels of the image batch laid out as rows
 * {@code [N H W, C]}: one gather of {@code N P K} rows, one weighted sum over the taps.
 */
public final class GatherTaps extends Op {
  private final INDArray index;
  private final INDArray weight;
  private final long outH;
  private final long outW;

  /**
   * @param index {@code [N, P, K]} integer rows of the input batch's pixels {@code n H W + y W + x}
   *     (each tap of image {@code n} must be one of image {@code n}'s pixels)
   * @param weight {@code [N, P, K]} the taps' weights, in the input's type
   * @param outH output height
   * @param outW output width ({@code P = outH outW})
   */
  public GatherTaps(INDArray index, INDArray weight, long outH, long outW) {
    this.index = index;
    this.weight = weight;
    this.outH = outH;
    this.outW = outW;
  }

  @Override
  public String name() {
    return "gather_taps";
  }

  /** Checks the taps against an input of shape {@code [N, C, H, W]}. */
  static void check(String op, long[] x, INDArray index, INDArray weight, long p) {
    long[] s = index.shape();
    if (x.length != 4
        || s.length != 3
        || s[0] != x[0]
        || s[1] != p
        || !Arrays.equals(s, weight.shape())
        || index.dataType().isFPType()) {
      throw new IllegalArgumentException(
          op
              + ": expected images [N, C, H, W] with integer taps and weights [N, P, K] for P = "
              + p
              + " output pixels, got images "
              + Arrays.toString(x)
              + ", taps "
              + Arrays.toString(s)
              + " ("
              + index.dataType()
              + "), weights "
              + Arrays.toString(weight.shape()));
    }
  }

  @Override
  public INDArray forward(INDArray... in) {
    INDArray x = in[0];
    long n = x.size(0);
    long c = x.size(1);
    long p = outH * outW;
    check(name(), x.shape(), index, weight, p);
    Kernels.checkSameType(name(), x, weight);
    long k = index.size(2);
    INDArray rows = toRows(x);
    INDArray picked = Kernels.alloc(x.dataType(), n * p * k, c);
    Kernels.custom(
        "gather",
        new INDArray[] {rows, index.reshape('c', new long[] {n * p * k})},
        new INDArray[] {picked},
        0);
    free(rows, x);
    Kernels.mulInPlace(picked, weight.reshape('c', n * p * k, 1));
    INDArray summed = Kernels.sum(picked.reshape('c', n * p, k, c), false, 1);
    Kernels.free(picked);
    INDArray out = fromRows(summed, n, c, outH, outW);
    Kernels.free(summed);
    return out;
  }

  @Override
  public Tensor[] backward(Node node, Tensor g) {
    long[] s = node.input(0).shape();
    return new Tensor[] {Autograd.apply(new ScatterTaps(index, weight, s[2], s[3]), g)};
  }

  /** Images {@code [N, C, H, W]} as pixel rows {@code [N H W, C]} (a view when {@code C = 1}). */
  static INDArray toRows(INDArray x) {
    long n = x.size(0);
    long c = x.size(1);
    long hw = x.size(2) * x.size(3);
    if (contiguousSingleChannel(x)) {
      return x.reshape('c', n * hw, 1);
    }
    INDArray rows = Kernels.alloc(x.dataType(), n, x.size(2), x.size(3), c);
    rows.assign(x.permute(0, 2, 3, 1));
    return rows.reshape('c', n * hw, c);
  }

  /** Frees rows made by {@link #toRows} unless they are a view of {@code x}. */
  static void free(INDArray rows, INDArray x) {
    if (!contiguousSingleChannel(x)) {
      Kernels.free(rows);
    }
  }

  private static boolean contiguousSingleChannel(INDArray x) {
    return x.size(1) == 1 && !x.isView() && x.ordering() == 'c';
  }

  /** Pixel rows {@code [N H W, C]} copied into fresh images {@code [N, C, H, W]}. */
  static INDArray fromRows(INDArray rows, long n, long c, long h, long w) {
    INDArray out = Kernels.alloc(rows.dataType(), n, c, h, w);
    out.assign(rows.reshape('c', n, h, w, c).permute(0, 3, 1, 2));
    return out;
  }
}
