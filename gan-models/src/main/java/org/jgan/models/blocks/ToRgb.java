package org.jgan.models.blocks;

import org.jgan.core.kernels.DataFormat;
import org.jgan.core.nn.Module;
import org.jgan.core.nn.Parameter;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;

/**
 * StyleGAN2's toRGB: a modulated 1x1 convolution without demodulation, styles scaled by {@code 1 /
 * sqrt(in)}, plus a bias, linear: {@code y = conv(x * A(w) / sqrt(in), W) + b}.
 */
public final class ToRgb extends Module {
  private final ModulatedConv2d conv;
  private final Parameter bias;
  private final double clamp;

  /** Features {@code in} to {@code channels} image channels. */
  public ToRgb(int in, int channels, int wDim, Rng rng) {
    this(in, channels, wDim, 0, rng);
  }

  /**
   * Features {@code in} to {@code channels} image channels, clamped to {@code +-clamp} (0: not).
   */
  public ToRgb(int in, int channels, int wDim, double clamp, Rng rng) {
    this.conv = child("conv", new ModulatedConv2d(in, channels, 1, wDim, false, false, rng));
    this.bias = param("bias", Tensor.zeros(DType.FLOAT32, channels));
    this.clamp = clamp;
  }

  /** The modulated 1x1 convolution. */
  public ModulatedConv2d conv() {
    return conv;
  }

  /** {@code x [N, in, H, W]}, {@code w [N, wDim]} to {@code [N, channels, H, W]}. */
  public Tensor forward(Tensor x, Tensor w) {
    return forward(x, w, DataFormat.NCHW);
  }

  /**
   * {@code x} and the image in {@code format}: {@code [N, H, W, in]} to {@code [N, H, W, channels]}
   * for NHWC (for one channel the same memory as {@code [N, 1, H, W]}).
   */
  public Tensor forward(Tensor x, Tensor w, DataFormat format) {
    return Act.clamp(
        Act.LINEAR.apply(conv.forward(x, w, format), bias.value(), 1.0, format), clamp);
  }
}
