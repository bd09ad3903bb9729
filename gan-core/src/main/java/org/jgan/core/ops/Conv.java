package org.jgan.core.ops;

import org.jgan.core.autograd.Autograd;
import org.jgan.core.tensor.Tensor;

/** The convolution family as tensor functions: {@code conv2d}, its transpose and weight gradient. */
public final class Conv {
  private Conv() {}

  /**
   * {@code conv2d(x [N, I, H, W], w [O, I, kH, kW], b [O] or null)} with stride and zero padding.
   */
  public static Tensor conv2d(Tensor x, Tensor w, Tensor b, int stride, int padding) {
    if (stride == 1 && padding == 0 && x.rank() == 4 && w.rank() == 4 && x.size(1) == 1 && w.size(1) == 1
        && w.size(2) == 1 && w.size(3) == 1) {
      // One input channel, 1x1 (a discriminator's fromRGB on grey images): a broadcast product,
      // one pass over the output; oneDNN took 4 times as long ([32, 1, 32, 32] to 128 channels:
      // 4 ms a call) and its transpose, the gradient for the input, twice that.
      long o = w.size(0);
      Tensor y = x.mul(w.reshape(1, o, 1, 1));
      return b == null ? y : y.add(b.reshape(1, o, 1, 1));
    }
    Conv2d op = new Conv2d(stride, padding);
    return b == null ? Autograd.apply(op, x, w) : Autograd.apply(op, x, w, b);
  }

  /**
   * {@code conv_transpose2d(x [N, I, H, W], w [I, O, kH, kW], b [O] or null)} with stride, padding
   * and output padding (extra rows/columns at the bottom/right).
   */
  public static Tensor transpose(
      Tensor x, Tensor w, Tensor b, int stride, int padding, int outPadH, int outPadW) {
    ConvTranspose2d op = new ConvTranspose2d(stride, padding, outPadH, outPadW);
    return b == null ? Autograd.apply(op, x, w) : Autograd.apply(op, x, w, b);
  }

  /** The weight gradient of {@code conv2d} for input {@code x} and output gradient {@code gy}. */
  public static Tensor weightGrad(Tensor x, Tensor gy, int stride, int padding, long kh, long kw) {
    return Autograd.apply(new Conv2dWeightGrad(stride, padding, kh, kw), x, gy);
  }
}
