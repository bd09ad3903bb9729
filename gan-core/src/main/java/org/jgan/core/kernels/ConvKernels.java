package org.jgan.core.kernels;

import org.jgan.core.kernels.DnnConv.Algo;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The convolution kernels behind the ops {@code conv2d}, {@code conv_transpose2d} and {@code
 * conv2d_weight_grad}: they check their operands, then run oneDNN's Winograd kernels where the
 * engine has them and the shape suits ({@link Winograd}), else oneDNN's direct kernels with the
 * shape's primitive kept ({@link DnnConv}) when the backend says so, else libnd4j's kernels (which
 * make a oneDNN primitive per call): float64, views, a missing native library. Results are fresh
 * arrays the caller owns. Weights are PyTorch's {@code [O, I, kH, kW]} for a convolution and {@code
 * [I, O, kH, kW]} for a transposed one, in both data formats.
 */
public final class ConvKernels {
  private ConvKernels() {}

  /**
   * {@code conv2d(x, w) + b}: {@code x [N, I, H, W]} (or NHWC), {@code w [O, I, kH, kW]}, {@code b
   * [O]} or null.
   *
   * @throws IllegalArgumentException naming the operand that does not fit
   */
  public static INDArray conv2d(INDArray x, INDArray w, INDArray b, ConvGeometry geo) {
    checkOperands("conv2d", "weight [O, I, kH, kW]", x, w, 1, b, geo);
    long ho = geo.convOut(geo.height(x), w.size(2));
    long wo = geo.convOut(geo.width(x), w.size(3));
    if (ho < 1 || wo < 1) {
      throw new IllegalArgumentException(
          String.format(
              "conv2d: input %s is smaller than kernel %s with padding %d",
              Shapes.str(x.shape()), Shapes.str(w.shape()), geo.padding()));
    }
    Engine engine = Engine.current();
    Winograd wino = engine.winograd();
    DnnConv dnn = engine.oneDnn();
    INDArray out = wino == null ? null : wino.conv2d(x, w, b, geo);
    if (out == null && dnn != null) {
      out = dnn.forward(x, w, b, geo, Algo.DIRECT);
    }
    if (out == null) {
      out = Kernels.alloc(x.dataType(), geo.format().shape(x.size(0), w.size(0), ho, wo));
      INDArray[] in = b == null ? new INDArray[] {x, w} : new INDArray[] {x, w, b};
      Kernels.custom("conv2d", in, new INDArray[] {out}, geo.args(w.size(2), w.size(3)));
    }
    return out;
  }

  /**
   * {@code conv_transpose2d(x, w) + b}: {@code x [N, I, H, W]} (or NHWC), {@code w [I, O, kH, kW]},
   * {@code b [O]} or null, output {@code [N, O, (H - 1) s - 2p + kH + outPadH, ...]}. Output
   * padding keeps that many more rows and columns at the bottom and right, as in PyTorch.
   *
   * @throws IllegalArgumentException naming the operand that does not fit
   */
  public static INDArray convTranspose2d(
      INDArray x, INDArray w, INDArray b, ConvGeometry geo, int outPadH, int outPadW) {
    checkOperands("conv_transpose2d", "weight [I, O, kH, kW]", x, w, 0, b, geo);
    geo.checkOutputPadding(outPadH, outPadW);
    long ho = geo.transposedOut(geo.height(x), w.size(2));
    long wo = geo.transposedOut(geo.width(x), w.size(3));
    if (ho < 1 || wo < 1) {
      throw new IllegalArgumentException(
          String.format(
              "conv_transpose2d: padding %d leaves no output for input %s and kernel %s",
              geo.padding(), Shapes.str(x.shape()), Shapes.str(w.shape())));
    }
    DataFormat f = geo.format();
    Engine engine = Engine.current();
    Winograd wino = engine.winograd();
    DnnConv dnn = engine.oneDnn();
    INDArray out = null;
    if (outPadH == 0 && outPadW == 0 && wino != null) {
      out = wino.convTranspose2d(x, w, geo);
    }
    if (out == null && dnn != null) {
      out = dnn.backwardData(x, w, geo, ho + outPadH, wo + outPadW, Algo.DIRECT);
    }
    if (out == null && outPadH == 0 && outPadW == 0) {
      out = Kernels.alloc(x.dataType(), f.shape(x.size(0), w.size(1), ho, wo));
      INDArray[] in = b == null ? new INDArray[] {x, w} : new INDArray[] {x, w, b};
      Kernels.custom("deconv2d", in, new INDArray[] {out}, geo.args(w.size(2), w.size(3)));
      return out;
    }
    if (out == null) {
      out = cropped(x, w, geo, ho + outPadH, wo + outPadW);
    }
    if (b != null) {
      Kernels.addInPlace(out, b.reshape(f.channelShape(w.size(1))));
    }
    return out;
  }

  /**
   * Checks a convolution's operands: rank-4 input and weight of one type, the input's channels
   * equal to the weight's axis {@code inAxis} (1 for a convolution's {@code [O, I, kH, kW]}, 0 for
   * a transposed one's {@code [I, O, kH, kW]}), the bias as long as the other channel axis.
   */
  private static void checkOperands(
      String op, String weight, INDArray x, INDArray w, int inAxis, INDArray b, ConvGeometry geo) {
    geo.checkMap(op, "input", x);
    ConvGeometry.checkRank4(op, weight, w);
    Kernels.checkSameType(op, x, w);
    if (geo.channels(x) != w.size(inAxis)) {
      throw new IllegalArgumentException(
          String.format(
              "%s: %s input %s has %d channels, weight %s expects %d",
              op,
              geo.format(),
              Shapes.str(x.shape()),
              geo.channels(x),
              Shapes.str(w.shape()),
              w.size(inAxis)));
    }
    ConvGeometry.checkBias(op, b, w.size(1 - inAxis));
  }

  /**
   * The transposed convolution with output padding: the uncropped one (padding 0), from which the
   * window {@code [p, p + size)} is cut into an {@code oh x ow} output; with {@code p} below the
   * output padding the last rows and columns get no contribution and stay zero.
   */
  private static INDArray cropped(INDArray x, INDArray w, ConvGeometry geo, long oh, long ow) {
    DataFormat f = geo.format();
    ConvGeometry full = geo.withPadding(0);
    long fh = full.transposedOut(geo.height(x), w.size(2));
    long fw = full.transposedOut(geo.width(x), w.size(3));
    INDArray uncropped = Kernels.alloc(x.dataType(), f.shape(x.size(0), w.size(1), fh, fw));
    Kernels.custom(
        "deconv2d",
        new INDArray[] {x, w},
        new INDArray[] {uncropped},
        full.args(w.size(2), w.size(3)));
    long p = geo.padding();
    long rows = Math.min(fh - p, oh);
    long cols = Math.min(fw - p, ow);
    INDArray out = Kernels.full(x.dataType(), 0.0, f.shape(x.size(0), w.size(1), oh, ow));
    out.get(window(f, 0, rows, 0, cols)).assign(uncropped.get(window(f, p, p + rows, p, p + cols)));
    Kernels.free(uncropped);
    return out;
  }

  /** Rows {@code [r0, r1)} and columns {@code [c0, c1)} of every map, in layout {@code f}. */
  private static INDArrayIndex[] window(DataFormat f, long r0, long r1, long c0, long c1) {
    INDArrayIndex[] idx = {
      NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all()
    };
    idx[f.heightAxis()] = NDArrayIndex.interval(r0, r1);
    idx[f.widthAxis()] = NDArrayIndex.interval(c0, c1);
    return idx;
  }

  /**
   * The weight gradient {@code dW [O, I, kH, kW]} of a convolution with input {@code x} and output
   * gradient {@code gy}: {@code dW[o,i,u,v] = sum_{n,p,q} gy[n,o,p,q] xpad[n,i,sp+u,sq+v]}. libnd4j
   * computes a weight gradient on oneDNN only inside its fused {@code conv2d_bp}, so that kernel
   * runs with a zero weight and its input gradient is discarded.
   *
   * @throws IllegalArgumentException when {@code gy} does not match {@code x} and the kernel size
   */
  public static INDArray conv2dWeightGrad(
      INDArray x, INDArray gy, ConvGeometry geo, long kh, long kw) {
    checkWeightGrad("conv2d_weight_grad", x, gy, geo, kh, kw);
    Engine engine = Engine.current();
    Winograd wino = engine.winograd();
    if (wino != null && kh == 3 && kw == 3) {
      INDArray gw = wino.weightGrad(x, gy, geo);
      if (gw != null) {
        return gw;
      }
    }
    DnnConv dnn = engine.oneDnn();
    if (dnn != null) {
      INDArray gw = dnn.backwardWeights(x, gy, geo, kh, kw, Algo.DIRECT);
      if (gw != null) {
        return gw;
      }
    }
    long o = geo.channels(gy);
    long i = geo.channels(x);
    INDArray gw = Kernels.alloc(x.dataType(), o, i, kh, kw);
    INDArray w = Kernels.full(x.dataType(), 0.0, o, i, kh, kw);
    INDArray gx = Kernels.alloc(x.dataType(), x.shape());
    Kernels.custom(
        "conv2d_bp", new INDArray[] {x, w, gy}, new INDArray[] {gx, gw}, geo.args(kh, kw));
    Kernels.free(gx);
    Kernels.free(w);
    return gw;
  }

  /**
   * The weight gradient {@code dW} ({@link #conv2dWeightGrad}) and the bias gradient {@code db [O]}
   * (the sum of {@code gy} over all axes but its channels) from one oneDNN primitive, which reads
   * {@code gy} once for both: {@code {dW, db}}. Null for 1x1 kernels, where the weight gradient is
   * not for oneDNN's primitives, or where the one that takes it (Winograd or direct) has no kernel
   * with a bias gradient; the caller then computes the two separately.
   *
   * @throws IllegalArgumentException when {@code gy} does not match {@code x} and the kernel size
   */
  public static INDArray[] conv2dWeightBiasGrad(
      INDArray x, INDArray gy, ConvGeometry geo, long kh, long kw) {
    checkWeightGrad("conv2d_weight_bias_grad", x, gy, geo, kh, kw);
    if (kh == 1 && kw == 1) {
      // measured slower fused on the families' 1x1 layers (fromRGB from 1 or 3 channels: 0.05-0.24
      // ms a call more than the weight gradient and a separate sum; docs/benchmarks.md)
      return null;
    }
    Engine engine = Engine.current();
    Winograd wino = engine.winograd();
    if (wino != null && kh == 3 && kw == 3 && wino.weightGradEligible(x, gy, geo)) {
      // the separate gradients would run on Winograd: never trade it for the direct kernel
      return wino.weightAndBiasGrad(x, gy, geo);
    }
    DnnConv dnn = engine.oneDnn();
    return dnn == null ? null : dnn.backwardWeightsAndBias(x, gy, geo, kh, kw, Algo.DIRECT);
  }

  private static void checkWeightGrad(
      String op, INDArray x, INDArray gy, ConvGeometry geo, long kh, long kw) {
    geo.checkMap(op, "input", x);
    geo.checkMap(op, "output gradient", gy);
    if (gy.size(0) != x.size(0)
        || geo.height(gy) != geo.convOut(geo.height(x), kh)
        || geo.width(gy) != geo.convOut(geo.width(x), kw)) {
      throw new IllegalArgumentException(
          String.format(
              "%s: %s output gradient %s does not match input %s for a %dx%d kernel",
              op, geo.format(), Shapes.str(gy.shape()), Shapes.str(x.shape()), kh, kw));
    }
  }

  /**
   * A convolution's input and weight gradients (and the bias gradient when {@code b} is given) in
   * one fused libnd4j kernel, {@code {dx, dw[, db]}}; null where oneDNN's primitives (Winograd or
   * direct) take this convolution, whose two separate gradients are faster than the fused kernel.
   */
  public static INDArray[] conv2dBackward(
      INDArray x, INDArray w, INDArray b, INDArray g, ConvGeometry geo) {
    if (separate(x, w, geo)) {
      return null;
    }
    INDArray gx = Kernels.alloc(x.dataType(), x.shape());
    INDArray gw = Kernels.alloc(w.dataType(), w.shape());
    INDArray[] ins = b != null ? new INDArray[] {x, w, b, g} : new INDArray[] {x, w, g};
    INDArray[] outs =
        b != null
            ? new INDArray[] {gx, gw, Kernels.alloc(g.dataType(), w.size(0))}
            : new INDArray[] {gx, gw};
    Kernels.custom("conv2d_bp", ins, outs, geo.args(w.size(2), w.size(3)));
    return outs;
  }

  /**
   * A transposed convolution's input and weight gradients in one fused libnd4j kernel, {@code {dx,
   * dw}} (no output padding); null where oneDNN's primitives take the convolution that is its input
   * gradient.
   */
  public static INDArray[] convTranspose2dBackward(
      INDArray x, INDArray w, INDArray g, ConvGeometry geo) {
    if (separate(g, w, geo)) {
      return null;
    }
    INDArray gx = Kernels.alloc(x.dataType(), x.shape());
    INDArray gw = Kernels.alloc(w.dataType(), w.shape());
    Kernels.custom(
        "deconv2d_bp",
        new INDArray[] {x, w, g},
        new INDArray[] {gx, gw},
        geo.args(w.size(2), w.size(3)));
    return new INDArray[] {gx, gw};
  }

  /**
   * Whether the two gradients of the convolution of {@code x} with {@code w [O, I, kH, kW]} run as
   * two calls of oneDNN's primitives (Winograd or direct) rather than libnd4j's fused backward
   * kernel.
   */
  private static boolean separate(INDArray x, INDArray w, ConvGeometry geo) {
    Engine engine = Engine.current();
    Winograd wino = engine.winograd();
    DnnConv dnn = engine.oneDnn();
    return wino != null && wino.takes(x, w, geo)
        || dnn != null && dnn.hasForward(x, w, geo, Algo.DIRECT);
  }
}
