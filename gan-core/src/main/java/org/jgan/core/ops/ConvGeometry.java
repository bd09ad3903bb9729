package org.jgan.core.ops;

import org.jgan.core.tensor.Shapes;
import org.jgan.core.tensor.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Stride, padding (the same along H and W) and data format of a 2-D convolution, and the libnd4j
 * argument layout: {@code kH, kW, sH, sW, pH, pW, dH, dW, sameMode, dataFormat (0 = NCHW, 1 =
 * NHWC), weightFormat}.
 * Weight format 1 is PyTorch's layout: {@code [O, I, kH, kW]} for {@code conv2d}, and {@code [I,
 * O, kH, kW]} for {@code deconv2d}, so a conv weight passed to {@code deconv2d} is exactly the
 * transposed (adjoint) operator.
 */
record ConvGeometry(int stride, int padding, DataFormat format) {
  ConvGeometry {
    if (stride < 1 || padding < 0) {
      throw new IllegalArgumentException(
          "convolution needs stride >= 1 and padding >= 0, got stride " + stride + ", padding " + padding);
    }
    if (format == null) {
      throw new IllegalArgumentException("convolution needs a data format (NCHW or NHWC), got null");
    }
  }

  int[] args(long kh, long kw) {
    return new int[] {(int) kh, (int) kw, stride, stride, padding, padding, 1, 1, 0, format.nd4jCode(), 1};
  }

  /** The same stride and format with another padding. */
  ConvGeometry withPadding(int p) {
    return new ConvGeometry(stride, p, format);
  }

  long channels(INDArray a) {
    return a.size(format.channelAxis());
  }

  long height(INDArray a) {
    return a.size(format.heightAxis());
  }

  long width(INDArray a) {
    return a.size(format.widthAxis());
  }

  long height(Tensor a) {
    return a.size(format.heightAxis());
  }

  long width(Tensor a) {
    return a.size(format.widthAxis());
  }

  /** The layout's name with its axes, for messages: {@code "input [N, C, H, W]"}. */
  String layout(String what) {
    return what + " " + format.axes();
  }

  /** Output size of a convolution along one axis. */
  long convOut(long in, long k) {
    return (in + 2L * padding - k) / stride + 1;
  }

  /** Output size of a transposed convolution along one axis, before output padding. */
  long transposedOut(long in, long k) {
    return (in - 1) * stride - 2L * padding + k;
  }

  /** The output padding that makes a transposed convolution of {@code out} come back to {@code in}. */
  int outputPadding(long in, long out, long k) {
    return (int) (in - transposedOut(out, k));
  }

  static void checkRank4(String op, String what, INDArray a) {
    if (a.rank() != 4) {
      throw new IllegalArgumentException(
          op + ": expected " + what + " of rank 4, got shape " + Shapes.str(a.shape()));
    }
  }

  static void checkBias(String op, INDArray[] in, long channels) {
    if (in.length > 2 && (in[2].rank() != 1 || in[2].size(0) != channels)) {
      throw new IllegalArgumentException(
          op + ": expected bias of shape [" + channels + "], got " + Shapes.str(in[2].shape()));
    }
  }
}
