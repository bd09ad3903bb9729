package org.jgan.core.ops;

import java.util.Arrays;
import org.jgan.core.autograd.Autograd;
import org.jgan.core.autograd.Node;
import org.jgan.core.autograd.Op;
import org.jgan.core.kernels.Kernels;
import org.jgan.core.tensor.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Max pooling of {@code x [N, C, H, W]} over {@code k x k} windows with stride {@code s} and
 * padding {@code p} (PyTorch's {@code max_pool2d}: padded positions never win, output side {@code
 * (H + 2p - k) / s + 1}, rounded down), on libnd4j's {@code maxpool2d}. The gradient routes {@code
 * g} to the position that won each window ({@link MaxPool2dGrad}); that routing is not
 * differentiated again, so the op is once differentiable.
 */
public final class MaxPool2d extends Op {
  private final int k;
  private final int stride;
  private final int padding;

  /** Max pooling with window {@code k}, stride and padding. */
  public MaxPool2d(int k, int stride, int padding) {
    if (k < 1 || stride < 1 || padding < 0 || 2 * padding > k) {
      throw new IllegalArgumentException(
          "max_pool2d: window "
              + k
              + ", stride "
              + stride
              + ", padding "
              + padding
              + " (expected k >= 1, stride >= 1, 0 <= padding <= k / 2)");
    }
    this.k = k;
    this.stride = stride;
    this.padding = padding;
  }

  @Override
  public String name() {
    return "max_pool2d";
  }

  @Override
  public int maxGradOrder() {
    return 1;
  }

  /** The output side for an input side {@code n}. */
  long outSide(long n) {
    return (n + 2L * padding - k) / stride + 1;
  }

  /** libnd4j's integer arguments: window, stride, padding, dilation, same mode off, NCHW. */
  int[] args() {
    return new int[] {k, k, stride, stride, padding, padding, 1, 1, 0, 0, 0};
  }

  @Override
  public INDArray forward(INDArray... in) {
    long[] s = in[0].shape();
    if (s.length != 4 || s[2] + 2L * padding < k || s[3] + 2L * padding < k) {
      throw new IllegalArgumentException(
          "max_pool2d: expected [N, C, H, W] with H, W + 2 padding >= "
              + k
              + ", got "
              + Arrays.toString(s));
    }
    INDArray out = Kernels.alloc(in[0].dataType(), s[0], s[1], outSide(s[2]), outSide(s[3]));
    Kernels.custom("maxpool2d", new INDArray[] {in[0]}, new INDArray[] {out}, args());
    return out;
  }

  @Override
  public Tensor[] backward(Node n, Tensor g) {
    return new Tensor[] {Autograd.apply(new MaxPool2dGrad(this), n.input(0), g)};
  }
}
