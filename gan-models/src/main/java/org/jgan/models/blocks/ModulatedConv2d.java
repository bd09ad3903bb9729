package org.jgan.models.blocks;

import org.jgan.core.kernels.DataFormat;
import org.jgan.core.nn.Module;
import org.jgan.core.nn.Parameter;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;

/**
 * A style-modulated convolution with its affine style transform: {@code s = A(w)} (equalised
 * linear, bias init 1), then {@link Modulation#modulatedConv2d}. The weight {@code [out, in, k, k]}
 * is the raw {@code N(0, 1)} parameter when demodulating (demodulation makes its scale irrelevant);
 * without demodulation the styles are scaled by {@code 1 / sqrt(in k^2)} instead (StyleGAN2-ADA's
 * ToRGB).
 */
public final class ModulatedConv2d extends Module {
  private final EqualizedLinear affine;
  private final Parameter weight;
  private final boolean demodulate;
  private final boolean up;
  private final double styleGain;

  /** A modulated {@code k x k} convolution driven by latents of size {@code wDim}. */
  public ModulatedConv2d(
      int in, int out, int kernel, int wDim, boolean demodulate, boolean up, Rng rng) {
    this.affine = child("affine", new EqualizedLinear(wDim, in, Act.LINEAR, 1.0, 1.0, rng));
    this.weight = param("weight", rng.normal(DType.FLOAT32, out, in, kernel, kernel));
    this.demodulate = demodulate;
    this.up = up;
    this.styleGain = demodulate ? 1.0 : 1.0 / Math.sqrt((double) in * kernel * kernel);
  }

  /** The weight {@code [out, in, k, k]}. */
  public Parameter weight() {
    return weight;
  }

  /** The style affine {@code A}. */
  public EqualizedLinear affine() {
    return affine;
  }

  /** The styles {@code A(w) [N, in]} (times the style gain). */
  public Tensor styles(Tensor w) {
    Tensor s = affine.forward(w);
    return styleGain == 1.0 ? s : s.mul(styleGain);
  }

  /** {@code x [N, in, H, W]} modulated by {@code w [N, wDim]}. */
  public Tensor forward(Tensor x, Tensor w) {
    return forward(x, w, DataFormat.NCHW);
  }

  /**
   * {@code x} in {@code format} ({@code [N, H, W, in]} for NHWC) modulated by {@code w [N, wDim]}.
   */
  public Tensor forward(Tensor x, Tensor w, DataFormat format) {
    return Modulation.modulatedConv2d(x, weight.value(), styles(w), demodulate, up, format);
  }
}
