package org.jgan.core.ops;

import org.jgan.core.tensor.Shapes;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Stride and padding of a 2-D convolution (the same along H and W) and the libnd4j argument
 * layout: {@code kH, kW, sH, sW, pH, pW, dH, dW, sameMode, dataFormat (0 = NCHW), weightFormat}.
 * Weight format 1 is PyTorch's layout: {@code [O, I, kH, kW]} for {@code conv2d}, and {@code [I,
 * O, kH, kW]} for {@code deconv2d}, so a conv weight passed to {@code deconv2d} is exactly the
 * transposed (adjoint) operator.
 */
record ConvGeometry(int stride, int padding) {
  ConvGeometry {
    if (stride < 1 || padding < 0) {
      throw new IllegalArgumentException(
          "convolution needs stride >= 1 and padding >= 0, got stride " + stride + ", padding " + padding);
    }
  }

  int[] args(long kh, long kw) {
    return new int[] {(int) kh, (int) kw, stride, stride, padding, padding, 1, 1, 0, 0, 1};
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
