package org.jgan.core.nn;

import org.jgan.core.kernels.Shapes;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;

/**
 * Transposed 2-D convolution layer, {@code W [in, out, k, k]} (PyTorch's layout), {@code b [out]},
 * initialised as PyTorch's {@code nn.ConvTranspose2d} (fan_in = out k^2).
 */
public final class ConvTranspose2d extends WeightedLayer {
  private final int in;
  private final int stride;
  private final int padding;
  private final int outputPadding;

  /** A {@code k x k} transposed convolution. */
  public ConvTranspose2d(
      int in, int out, int kernel, int stride, int padding, boolean bias, Rng rng) {
    this(in, out, kernel, stride, padding, 0, bias, rng);
  }

  /** A {@code k x k} transposed convolution with output padding (extra bottom/right rows). */
  public ConvTranspose2d(
      int in,
      int out,
      int kernel,
      int stride,
      int padding,
      int outputPadding,
      boolean bias,
      Rng rng) {
    super(new long[] {in, out, kernel, kernel}, out, bias, rng);
    this.in = in;
    this.stride = stride;
    this.padding = padding;
    this.outputPadding = outputPadding;
  }

  @Override
  public Tensor forward(Tensor x) {
    Shapes.check(x.shape(), "ConvTranspose2d input", -1, in, -1, -1);
    return Functional.convTranspose2d(
        x, weight().value(), biasValue(), stride, padding, outputPadding);
  }
}
