package org.jgan.models.blocks;

import org.jgan.core.kernels.DataFormat;
import org.jgan.core.nn.Buffer;
import org.jgan.core.nn.Module;
import org.jgan.core.nn.Parameter;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;

/**
 * Per-pixel noise added to feature maps: {@code x + strength * n}, {@code n ~ N(0, 1)} of shape
 * {@code [N, 1, H, W]} shared over channels. The learned strength starts at 0, so the block is the
 * identity at initialisation; it is one value per channel in StyleGAN and one scalar per layer in
 * StyleGAN2. In {@link NoiseMode#CONST} mode the noise is a fixed buffer {@code [H, W]} (or,
 * swapped in by a projector, one map per image {@code [N, H, W]}).
 */
public final class NoiseInjection extends Module {
  private final Parameter strength;
  private final Buffer constNoise;
  private final boolean perChannel;

  /**
   * Noise for {@code resolution x resolution} maps; {@code channels > 0} gives a per-channel
   * strength (StyleGAN), {@code 0} a single scalar (StyleGAN2).
   */
  public NoiseInjection(int channels, int resolution, Rng rng) {
    this.perChannel = channels > 0;
    this.strength =
        param(
            "strength",
            perChannel ? Tensor.zeros(DType.FLOAT32, channels) : Tensor.zeros(DType.FLOAT32));
    this.constNoise = buffer("noise_const", rng.normal(DType.FLOAT32, resolution, resolution));
  }

  /** The learned strength (per channel or scalar). */
  public Parameter strength() {
    return strength;
  }

  /** Adds noise to {@code x [N, C, H, W]}; {@code rng} is used in random mode. */
  public Tensor forward(Tensor x, NoiseMode mode, Rng rng) {
    return forward(x, mode, rng, DataFormat.NCHW);
  }

  /**
   * Adds noise to {@code x} in {@code format}. The noise map has one channel, so it is the same
   * memory, and draws the same numbers from {@code rng}, in either layout.
   */
  public Tensor forward(Tensor x, NoiseMode mode, Rng rng, DataFormat format) {
    return forward(x, mode, rng, format, 1.0);
  }

  /**
   * Adds {@code scale} times the noise to {@code x} in {@code format} (the scale rides on the
   * strength, a scalar or {@code [C]}: no pass of its own).
   */
  public Tensor forward(Tensor x, NoiseMode mode, Rng rng, DataFormat format, double scale) {
    Tensor n = scaledNoise(x, mode, rng, format, scale);
    return n == null ? x : x.add(n);
  }

  /**
   * What {@link #forward(Tensor, NoiseMode, Rng, DataFormat, double)} adds to {@code x}: {@code
   * scale} times the strength times the noise, {@code [N, 1, H, W]} in NCHW ({@code [N, H, W, 1]}
   * in NHWC; {@code [N, C, H, W]} with a per-channel strength), drawing the same numbers from
   * {@code rng}; null in {@link NoiseMode#NONE}.
   */
  public Tensor scaledNoise(Tensor x, NoiseMode mode, Rng rng, DataFormat format, double scale) {
    if (mode == NoiseMode.NONE) {
      return null;
    }
    long[] s = x.shape();
    long h = s[format.heightAxis()];
    long w = s[format.widthAxis()];
    Tensor n;
    if (mode == NoiseMode.CONST) {
      Tensor c = constNoise.value(); // [H, W], or one map per image [N, H, W] while projecting
      long k = c.rank() == 3 ? c.size(0) : 1;
      if (k != 1 && k != s[0]) {
        throw new IllegalArgumentException(
            "NoiseInjection: " + k + " constant noise maps for a batch of " + s[0]);
      }
      n = c.to(x.dtype()).reshape(format.shape(k, 1, h, w));
    } else {
      if (rng == null) {
        throw new IllegalArgumentException("NoiseInjection: random noise needs an Rng");
      }
      n = rng.normal(x.dtype(), format.shape(s[0], 1, h, w));
    }
    Tensor g =
        perChannel
            ? strength.value().reshape(format.channelShape(format.channels(s)))
            : strength.value();
    return n.mul(scale == 1.0 ? g : g.mul(scale));
  }
}
