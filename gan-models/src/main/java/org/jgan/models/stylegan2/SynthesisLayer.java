package org.jgan.models.stylegan2;

import org.jgan.core.kernels.DataFormat;
import org.jgan.core.nn.Functional;
import org.jgan.core.nn.Module;
import org.jgan.core.nn.Parameter;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.InPlace;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.models.blocks.Act;
import org.jgan.models.blocks.EqualizedLinear;
import org.jgan.models.blocks.Modulation;
import org.jgan.models.blocks.NoiseInjection;
import org.jgan.models.blocks.NoiseMode;

/**
 * One StyleGAN2 synthesis layer (StyleGAN2-ADA {@code SynthesisLayer}): a 3x3 modulated and
 * demodulated convolution (optionally up-sampling by 2), then, outside the style block, noise with
 * one learned scalar strength, a bias and leaky ReLU with gain {@code sqrt(2)}.
 */
public final class SynthesisLayer extends Module {
  private final EqualizedLinear affine;
  private final Parameter weight;
  private final NoiseInjection noise;
  private final Parameter bias;
  private final boolean up;
  private final double clamp;

  /** A layer from {@code in} to {@code out} channels at output resolution {@code resolution}. */
  public SynthesisLayer(int in, int out, int wDim, int resolution, boolean up, Rng rng) {
    this(in, out, wDim, resolution, up, 0, rng);
  }

  /**
   * A layer whose output is clamped to {@code [-clamp, clamp]} after the activation (ADA's {@code
   * conv_clamp}; 0 = none).
   */
  public SynthesisLayer(
      int in, int out, int wDim, int resolution, boolean up, double clamp, Rng rng) {
    this.affine = child("affine", new EqualizedLinear(wDim, in, Act.LINEAR, 1.0, 1.0, rng));
    this.weight = param("weight", rng.normal(DType.FLOAT32, out, in, 3, 3));
    this.noise = child("noise", new NoiseInjection(0, resolution, rng));
    this.bias = param("bias", Tensor.zeros(DType.FLOAT32, out));
    this.up = up;
    this.clamp = clamp;
  }

  /** The style affine {@code A}. */
  public EqualizedLinear affine() {
    return affine;
  }

  /** {@code x [N, in, H, W]} and {@code w [N, wDim]}. */
  public Tensor forward(Tensor x, Tensor w, NoiseMode mode, Rng rng) {
    return forward(x, w, mode, rng, DataFormat.NCHW);
  }

  /**
   * {@code x} in {@code format} ({@code [N, H, W, in]} for NHWC) and {@code w [N, wDim]}; the
   * output is in the same format. Both formats compute the same values and draw the same noise.
   */
  public Tensor forward(Tensor x, Tensor w, NoiseMode mode, Rng rng, DataFormat format) {
    // lrelu(z) g = lrelu(g z) for a gain g > 0: the gain scales the demodulation, the noise
    // strength and the bias, all small, and the activation is a bare leaky ReLU; noise, bias and
    // activation are then one op (one pass on oneDNN).
    double gain = Act.LRELU.gain();
    Tensor y =
        Modulation.modulatedConv2d(x, weight.value(), affine.forward(w), true, up, format, gain);
    Tensor b = bias.value().mul(gain);
    Tensor n = noise.scaledNoise(y, mode, rng, format, gain);
    if (InPlace.allowed(y, b, n)) {
      // no graph: y is the convolution's fresh result, so noise, bias and activation update it
      // where it lies (one array streamed once on oneDNN)
      return Act.clamp(InPlace.biasLeakyRelu(y, b, n, Act.ALPHA, 1.0, format), clamp);
    }
    return Act.clamp(Functional.biasLeakyRelu(y, b, n, Act.ALPHA, 1.0, format), clamp);
  }
}
