package org.jgan.models.blocks;

import org.jgan.core.kernels.DataFormat;
import org.jgan.core.kernels.Shapes;
import org.jgan.core.nn.Module;
import org.jgan.core.nn.Parameter;
import org.jgan.core.ops.Conv;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;

/**
 * Convolution with the equalised learning rate (StyleGAN2-ADA {@code Conv2dLayer}): stored weight
 * {@code W ~ N(0, 1) [out, in, k, k]}, used as {@code W / sqrt(in k^2)}; bias (init 0); then the
 * activation with its gain times {@code gainScale}. Padding is {@code k / 2}. With {@link
 * Resample#DOWN} the input is FIR-filtered (padding 2 for a 3x3 kernel) and convolved with stride
 * 2, or, for a 1x1 kernel, FIR-downsampled first; with {@link Resample#UP} the convolution is
 * {@link Modulation#convUp}.
 */
public final class EqualizedConv2d extends Module {
  private final int in;
  private final int kernel;
  private final Act act;
  private final double gainScale;
  private final double clamp;
  private final Resample resample;
  private final Fir fir;
  private final double weightGain;
  private final Parameter weight;
  private final Parameter bias;

  /** A same-resolution convolution with bias and gain scale 1. */
  public EqualizedConv2d(int in, int out, int kernel, Act act, Rng rng) {
    this(in, out, kernel, act, true, 1.0, Resample.NONE, rng);
  }

  /**
   * A convolution without clamping.
   *
   * @param gainScale multiplies the activation's gain (sqrt(0.5) in residual branches)
   */
  public EqualizedConv2d(
      int in,
      int out,
      int kernel,
      Act act,
      boolean bias,
      double gainScale,
      Resample resample,
      Rng rng) {
    this(in, out, kernel, act, bias, gainScale, resample, 0, rng);
  }

  /**
   * A convolution.
   *
   * @param gainScale multiplies the activation's gain (sqrt(0.5) in residual branches)
   * @param clamp clamps the output to {@code [-clamp gainScale, clamp gainScale]} (ADA's {@code
   *     conv_clamp}; 0 = none)
   */
  public EqualizedConv2d(
      int in,
      int out,
      int kernel,
      Act act,
      boolean bias,
      double gainScale,
      Resample resample,
      double clamp,
      Rng rng) {
    if (in < 1 || out < 1 || kernel < 1) {
      throw new IllegalArgumentException("EqualizedConv2d: channels and kernel must be >= 1");
    }
    this.in = in;
    this.kernel = kernel;
    this.act = act;
    this.gainScale = gainScale;
    this.clamp = clamp * gainScale;
    this.resample = resample;
    this.fir = Fir.STYLEGAN2;
    this.weightGain = 1.0 / Math.sqrt((double) in * kernel * kernel);
    this.weight = param("weight", rng.normal(DType.FLOAT32, out, in, kernel, kernel));
    this.bias = bias ? param("bias", Tensor.zeros(DType.FLOAT32, out)) : null;
  }

  /** The stored weight. */
  public Parameter weight() {
    return weight;
  }

  /** {@code x [N, in, H, W]} to {@code [N, out, H', W']}. */
  public Tensor forward(Tensor x) {
    return forward(x, DataFormat.NCHW);
  }

  /** {@code x} to the output, both in {@code format} ({@code [N, H, W, in]} for NHWC). */
  public Tensor forward(Tensor x, DataFormat format) {
    Shapes.check(x.shape(), "EqualizedConv2d " + format + " input", format.shape(-1, in, -1, -1));
    // A linear layer without bias takes its gain in the weight, which costs no pass over the
    // output.
    boolean gainInWeight = act == Act.LINEAR && bias == null;
    double gain = act.gain() * gainScale;
    Tensor w = weight.value().mul(gainInWeight ? weightGain * gain : weightGain);
    double outGain = gainInWeight ? 1.0 : gain;
    // The bias rides in the convolution kernel (oneDNN adds it in the same pass), except after
    // up-sampling, where the FIR filter comes between.
    Tensor b = bias == null ? null : bias.value();
    Tensor y;
    switch (resample) {
      case UP:
        return Act.clamp(
            act.apply(Modulation.convUp(x, w, fir, format), b, outGain, format), clamp);
      case DOWN:
        if (kernel == 1) {
          y = Conv.conv2d(fir.downsample2d(x, format), w, b, 1, 0, format);
        } else {
          int pad = kernel / 2 + (fir.size() - 1) / 2; // filter padding: 2 for 3x3 with 4 taps
          int padEnd = kernel / 2 + (fir.size() - 2) / 2;
          y = Conv.conv2d(fir.filter(x, pad, padEnd, 1.0, format), w, b, 2, 0, format);
        }
        break;
      default:
        y = Conv.conv2d(x, w, b, 1, kernel / 2, format);
    }
    return Act.clamp(act.apply(y, null, outGain, format), clamp);
  }
}
