package org.jgan.core.nn;

import org.jgan.core.kernels.Shapes;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;

/**
 * 2-D convolution layer, {@code W [out, in, k, k]}, {@code b [out]}, initialised as PyTorch's
 * {@code nn.Conv2d} ({@code U(-1/sqrt(fan_in), 1/sqrt(fan_in))}, fan_in = in k^2).
 */
public final class Conv2d extends Layer {
  private final Parameter weight;
  private final Parameter bias;
  private final int in;
  private final int stride;
  private final int padding;

  /** A {@code k x k} convolution with stride 1, no padding, and bias. */
  public Conv2d(int in, int out, int kernel, Rng rng) {
    this(in, out, kernel, 1, 0, true, rng);
  }

  /** A {@code k x k} convolution. */
  public Conv2d(int in, int out, int kernel, int stride, int padding, boolean bias, Rng rng) {
    this.in = in;
    this.stride = stride;
    this.padding = padding;
    double bound = 1.0 / Math.sqrt((double) in * kernel * kernel);
    this.weight = param("weight", Init.kaimingUniform(rng, Math.sqrt(5), out, in, kernel, kernel));
    this.bias = bias ? param("bias", Init.uniform(rng, -bound, bound, out)) : null;
  }

  /** The weight {@code [out, in, k, k]}. */
  public Parameter weight() {
    return weight;
  }

  /** The bias, or null. */
  public Parameter bias() {
    return bias;
  }

  @Override
  public Tensor forward(Tensor x) {
    Shapes.check(x.shape(), "Conv2d input", -1, in, -1, -1);
    return Functional.conv2d(
        x, weight.value(), bias == null ? null : bias.value(), stride, padding);
  }
}
