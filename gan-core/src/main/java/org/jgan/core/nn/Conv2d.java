package org.jgan.core.nn;

import org.jgan.core.kernels.Shapes;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;

/**
 * 2-D convolution layer, {@code W [out, in, k, k]}, {@code b [out]}, initialised as PyTorch's
 * {@code nn.Conv2d} ({@code U(-1/sqrt(fan_in), 1/sqrt(fan_in))}, fan_in = in k^2).
 */
public final class Conv2d extends WeightedLayer {
  private final int in;
  private final int stride;
  private final int padding;

  /** A {@code k x k} convolution with stride 1, no padding, and bias. */
  public Conv2d(int in, int out, int kernel, Rng rng) {
    this(in, out, kernel, 1, 0, true, rng);
  }

  /** A {@code k x k} convolution. */
  public Conv2d(int in, int out, int kernel, int stride, int padding, boolean bias, Rng rng) {
    super(new long[] {out, in, kernel, kernel}, out, bias, rng);
    this.in = in;
    this.stride = stride;
    this.padding = padding;
  }

  @Override
  public Tensor forward(Tensor x) {
    Shapes.check(x.shape(), "Conv2d input", -1, in, -1, -1);
    return Functional.conv2d(x, weight().value(), biasValue(), stride, padding);
  }
}
