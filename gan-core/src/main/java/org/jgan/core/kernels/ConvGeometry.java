package org.jgan.core.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Stride, padding (the same along H and W) and data format of a 2-D convolution, the shape
 * arithmetic that follows from them, and libnd4j's argument layout: {@code kH, kW, sH, sW, pH, pW,
 * dH, dW, sameMode, dataFormat (0 = NCHW, 1 = NHWC), weightFormat}. Weight format 1 is PyTorch's
 * layout: {@code [O, I, kH, kW]} for {@code conv2d}, and {@code [I, O, kH, kW]} for {@code
 * deconv2d}, so a conv weight passed to {@code deconv2d} is exactly the transposed (adjoint)
 * operator.
 *
 * @param stride the stride along H and W (at least 1)
 * @param padding zeros added on each side of H and W
 * @param format the layout of input and output (weights are {@code [O, I, kH, kW]} in both)
 */
public record ConvGeometry(int stride, int padding, DataFormat format) {
  /** Validates the values. */
  public ConvGeometry {
    if (stride < 1 || padding < 0) {
      throw new IllegalArgumentException(
          "convolution needs stride >= 1 and padding >= 0, got stride "
              + stride
              + ", padding "
              + padding);
    }
    if (format == null) {
      throw new IllegalArgumentException(
          "convolution needs a data format (NCHW or NHWC), got null");
    }
  }

  /** libnd4j's integer arguments for a {@code kh x kw} kernel. */
  int[] args(long kh, long kw) {
    return new int[] {
      (int) kh, (int) kw, stride, stride, padding, padding, 1, 1, 0, format.nd4jCode(), 1
    };
  }

  /** The same stride and format with another padding. */
  ConvGeometry withPadding(int p) {
    return new ConvGeometry(stride, p, format);
  }

  /** The channel count of {@code a} in this layout. */
  long channels(INDArray a) {
    return a.size(format.channelAxis());
  }

  /** The height of {@code a} in this layout. */
  long height(INDArray a) {
    return a.size(format.heightAxis());
  }

  /** The width of {@code a} in this layout. */
  long width(INDArray a) {
    return a.size(format.widthAxis());
  }

  /** The height of a map of shape {@code shape} in this layout. */
  public long height(long[] shape) {
    return shape[format.heightAxis()];
  }

  /** The width of a map of shape {@code shape} in this layout. */
  public long width(long[] shape) {
    return shape[format.widthAxis()];
  }

  /** Output size of a convolution along one axis. */
  public long convOut(long in, long k) {
    return (in + 2L * padding - k) / stride + 1;
  }

  /** Output size of a transposed convolution along one axis, before output padding. */
  public long transposedOut(long in, long k) {
    return (in - 1) * stride - 2L * padding + k;
  }

  /**
   * The output padding that makes a transposed convolution of {@code out} come back to {@code in}.
   */
  public int outputPadding(long in, long out, long k) {
    return (int) (in - transposedOut(out, k));
  }

  /**
   * Checks that a transposed convolution's output padding is below its stride, as in PyTorch.
   *
   * @throws IllegalArgumentException naming both
   */
  public void checkOutputPadding(int outPadH, int outPadW) {
    if (outPadH < 0
        || outPadW < 0
        || (outPadH > 0 && outPadH >= stride)
        || (outPadW > 0 && outPadW >= stride)) {
      throw new IllegalArgumentException(
          "conv_transpose2d: output padding ("
              + outPadH
              + ", "
              + outPadW
              + ") must be >= 0 and smaller than the stride "
              + stride);
    }
  }

  /** The layout's name with its axes, for messages: {@code "input [N, C, H, W]"}. */
  String layout(String what) {
    return what + " " + format.axes();
  }

  /**
   * Checks that a feature map in this layout has rank 4; the message names {@code what} with the
   * layout's axes, built only when the check fails (the convolutions run it on every call).
   */
  void checkMap(String op, String what, INDArray a) {
    if (a.rank() != 4) {
      checkRank4(op, layout(what), a);
    }
  }

  static void checkRank4(String op, String what, INDArray a) {
    if (a.rank() != 4) {
      throw new IllegalArgumentException(
          op + ": expected " + what + " of rank 4, got shape " + Shapes.str(a.shape()));
    }
  }

  static void checkBias(String op, INDArray b, long channels) {
    if (b != null && (b.rank() != 1 || b.size(0) != channels)) {
      throw new IllegalArgumentException(
          op + ": expected bias of shape [" + channels + "], got " + Shapes.str(b.shape()));
    }
  }
}
