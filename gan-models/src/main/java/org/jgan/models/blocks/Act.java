package org.jgan.models.blocks;

import java.util.Arrays;
import org.jgan.core.kernels.DataFormat;
import org.jgan.core.nn.Functional;
import org.jgan.core.tensor.Tensor;

/**
 * Activations with StyleGAN2-ADA's default gains ({@code bias_act}): linear (gain 1) and leaky ReLU
 * with slope 0.2 scaled by {@code sqrt(2)}, which keeps unit-variance signals at unit second moment
 * through a He-initialised layer.
 */
public enum Act {
  /** The identity, gain 1. */
  LINEAR(1.0),
  /** {@code lrelu(x, 0.2) * sqrt(2)}. */
  LRELU(Math.sqrt(2.0));

  /** Negative slope of the leaky ReLU. */
  public static final double ALPHA = 0.2;

  private final double gain;

  Act(double gain) {
    this.gain = gain;
  }

  /** The default gain of this activation. */
  public double gain() {
    return gain;
  }

  /**
   * {@code act(x + b) * gain}, the bias {@code b [C]} (or null) broadcast over axis 1 of {@code x}
   * ({@code [N, C]} or {@code [N, C, H, W]}).
   */
  public Tensor apply(Tensor x, Tensor bias, double gain) {
    return apply(x, bias, gain, DataFormat.NCHW);
  }

  /**
   * {@link #apply(Tensor, Tensor, double)} with the bias broadcast over the channel axis of {@code
   * format} when {@code x} has rank 4 ({@code [N, H, W, C]} for NHWC).
   */
  public Tensor apply(Tensor x, Tensor bias, double gain, DataFormat format) {
    if (this == LRELU && (x.rank() == 2 || x.rank() == 4)) {
      // bias and activation in one op (one pass over memory on oneDNN)
      return Functional.biasLeakyRelu(x, bias, null, ALPHA, gain, format);
    }
    Tensor y = x;
    if (bias != null) {
      long[] shape = new long[x.rank()];
      Arrays.fill(shape, 1);
      shape[x.rank() == 4 ? format.channelAxis() : 1] = bias.numel();
      y = y.add(bias.reshape(shape));
    }
    if (this == LRELU) {
      return y.leakyRelu(ALPHA, gain);
    }
    return gain == 1.0 ? y : y.mul(gain);
  }

  /**
   * {@code x} clamped to {@code [-limit, limit]}, as StyleGAN2-ADA clamps activations ({@code
   * conv_clamp}, 256 in its configs, there to keep float16 finite); {@code x} itself when {@code
   * limit} is 0 (no clamping). Made of differentiable ops: {@code x - relu(x - c) + relu(-x - c)}.
   */
  public static Tensor clamp(Tensor x, double limit) {
    if (!(limit > 0)) {
      return x;
    }
    return x.sub(x.sub(limit).relu()).add(x.neg().sub(limit).relu());
  }
}
