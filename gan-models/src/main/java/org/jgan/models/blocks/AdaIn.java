package org.jgan.models.blocks;

import org.jgan.core.nn.Module;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;

/**
 * Adaptive instance normalisation (Huang and Belongie 2017; StyleGAN {@code instance_norm} and
 * {@code style_mod}): each channel is normalised to zero mean and unit variance over its pixels,
 * then scaled and shifted by the style {@code [y_s, y_b] = A(w)} (equalised linear, 2C outputs,
 * bias init 0):
 *
 * <pre>
 *   x^  = (x - mean_HW x) / sqrt(mean_HW (x - mean_HW x)^2 + 1e-8)
 *   out = x^ (y_s + 1) + y_b
 * </pre>
 *
 * so that after the block each channel's mean is {@code y_b} and its standard deviation {@code y_s
 * + 1}.
 */
public final class AdaIn extends Module {
  /** The epsilon of the instance norm. */
  public static final double EPS = 1e-8;

  private final int channels;
  private final EqualizedLinear affine;

  /** AdaIN for {@code channels} feature maps driven by latents of size {@code wDim}. */
  public AdaIn(int channels, int wDim, Rng rng) {
    this.channels = channels;
    this.affine = child("style", new EqualizedLinear(wDim, 2 * channels, Act.LINEAR, rng));
  }

  /** The style affine {@code A}: {@code w} to {@code [y_s, y_b]}. */
  public EqualizedLinear affine() {
    return affine;
  }

  /** {@code x [N, C, H, W]}, {@code w [N, wDim]}. */
  public Tensor forward(Tensor x, Tensor w) {
    Tensor style = affine.forward(w);
    return apply(x, style.slice(1, 0, channels), style.slice(1, channels, 2L * channels));
  }

  /** The normalisation and style with given {@code ys, yb [N, C]}. */
  public static Tensor apply(Tensor x, Tensor ys, Tensor yb) {
    long n = x.size(0);
    long c = x.size(1);
    Tensor centered = x.sub(x.mean(true, 2, 3));
    Tensor normed = centered.mul(centered.square().mean(true, 2, 3).add(EPS).rsqrt());
    return normed.mul(ys.add(1.0).reshape(n, c, 1, 1)).add(yb.reshape(n, c, 1, 1));
  }
}
