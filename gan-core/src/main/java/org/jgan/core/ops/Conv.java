package org.jgan.core.ops;

import org.jgan.core.autograd.Autograd;
import org.jgan.core.kernels.DataFormat;
import org.jgan.core.tensor.Tensor;

/**
 * The convolution family as tensor functions: {@code conv2d}, its transpose and weight gradient, on
 * NCHW maps or, given {@link DataFormat#NHWC}, on channels-last maps (weights are {@code [O, I, kH,
 * kW]} either way).
 */
public final class Conv {
  private Conv() {}

  /**
   * {@code conv2d(x [N, I, H, W], w [O, I, kH, kW], b [O] or null)} with stride and zero padding.
   */
  public static Tensor conv2d(Tensor x, Tensor w, Tensor b, int stride, int padding) {
    return conv2d(x, w, b, stride, padding, DataFormat.NCHW);
  }

  /**
   * {@link #conv2d(Tensor, Tensor, Tensor, int, int)} with {@code x} and the output in {@code
   * format}.
   */
  public static Tensor conv2d(
      Tensor x, Tensor w, Tensor b, int stride, int padding, DataFormat format) {
    if (stride == 1
        && padding == 0
        && x.rank() == 4
        && w.rank() == 4
        && x.size(format.channelAxis()) == 1
        && w.size(1) == 1
        && w.size(2) == 1
        && w.size(3) == 1) {
      // One input channel, 1x1 (a discriminator's fromRGB on grey images): a broadcast product,
      // one pass over the output; oneDNN's convolution and its transpose take several times as
      // long (docs/benchmarks.md, "Changes and their effect").
      long o = w.size(0);
      Tensor y = x.mul(w.reshape(format.channelShape(o)));
      return b == null ? y : y.add(b.reshape(format.channelShape(o)));
    }
    Conv2d op = new Conv2d(stride, padding, format);
    return b == null ? Autograd.apply(op, x, w) : Autograd.apply(op, x, w, b);
  }

  /**
   * {@code conv_transpose2d(x [N, I, H, W], w [I, O, kH, kW], b [O] or null)} with stride, padding
   * and output padding (extra rows/columns at the bottom/right).
   */
  public static Tensor transpose(
      Tensor x, Tensor w, Tensor b, int stride, int padding, int outPadH, int outPadW) {
    return transpose(x, w, b, stride, padding, outPadH, outPadW, DataFormat.NCHW);
  }

  /**
   * {@link #transpose(Tensor, Tensor, Tensor, int, int, int, int)} with {@code x} and the output in
   * {@code format}.
   */
  public static Tensor transpose(
      Tensor x,
      Tensor w,
      Tensor b,
      int stride,
      int padding,
      int outPadH,
      int outPadW,
      DataFormat format) {
    ConvTranspose2d op = new ConvTranspose2d(stride, padding, outPadH, outPadW, format);
    return b == null ? Autograd.apply(op, x, w) : Autograd.apply(op, x, w, b);
  }

  /** The weight gradient of {@code conv2d} for input {@code x} and output gradient {@code gy}. */
  public static Tensor weightGrad(Tensor x, Tensor gy, int stride, int padding, long kh, long kw) {
    return weightGrad(x, gy, stride, padding, kh, kw, DataFormat.NCHW);
  }

  /**
   * {@link #weightGrad(Tensor, Tensor, int, int, long, long)} with {@code x} and {@code gy} in
   * {@code format}.
   */
  public static Tensor weightGrad(
      Tensor x, Tensor gy, int stride, int padding, long kh, long kw, DataFormat format) {
    return Autograd.apply(new Conv2dWeightGrad(stride, padding, kh, kw, format), x, gy);
  }
}
