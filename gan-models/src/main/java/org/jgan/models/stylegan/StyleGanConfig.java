package org.jgan.models.stylegan;

import org.jgan.models.Discriminator;
import org.jgan.models.Generator;
import org.jgan.models.ModelConfig;
import org.jgan.models.progressive.ProgressiveDiscriminator;

/**
 * StyleGAN (Karras et al. 2019): a mapping network to {@code w}, AdaIN synthesis from a learned
 * constant with per-layer noise (per-channel strengths), nearest up-sampling followed by the {@code
 * [1, 2, 1]} blur, progressive growing; the progressive GAN's discriminator. Channels at
 * resolution r are {@code min(channelBase / r, channelMax)}.
 *
 * @param zDim latent size (512)
 * @param wDim intermediate latent size (512)
 * @param mappingLayers mapping depth (8)
 * @param imageChannels 1 or 3
 * @param resolution a power of two in [8, 1024]
 * @param channelBase channel budget (16384)
 * @param channelMax channel cap (512)
 * @param mbstdGroup discriminator's minibatch-stddev group (4)
 */
public record StyleGanConfig(
    int zDim, int wDim, int mappingLayers, int imageChannels, int resolution, int channelBase, int channelMax, int mbstdGroup)
    implements ModelConfig {
  /** Validates the sizes. */
  public StyleGanConfig {
    ModelConfig.checkAtLeast("zDim", zDim, 1);
    ModelConfig.checkAtLeast("wDim", wDim, 1);
    ModelConfig.checkAtLeast("mappingLayers", mappingLayers, 1);
    ModelConfig.checkAtLeast("imageChannels", imageChannels, 1);
    ModelConfig.checkPowerOfTwo("resolution", resolution, 8, 1024);
    ModelConfig.checkAtLeast("channelBase", channelBase, resolution);
    ModelConfig.checkAtLeast("channelMax", channelMax, 1);
    ModelConfig.checkAtLeast("mbstdGroup", mbstdGroup, 1);
  }

  /** The paper's widths: z = w = 512, 8 mapping layers, channels 16384 / r capped at 512. */
  public static StyleGanConfig paper(int imageChannels, int resolution) {
    return new StyleGanConfig(512, 512, 8, imageChannels, resolution, 16384, 512, 4);
  }

  /** Scaled down for two CPU cores at 32x32: z = w = 128, 4 mapping layers, channels 128 (64 at 32). */
  public static StyleGanConfig cpu32(int imageChannels) {
    return new StyleGanConfig(128, 128, 4, imageChannels, 32, 2048, 128, 4);
  }

  @Override
  public String family() {
    return "stylegan";
  }

  /** Channels at resolution {@code r}. */
  public int channels(int r) {
    return Math.min(channelBase / r, channelMax);
  }

  /** Latents per image: two per resolution. */
  public int numWs() {
    return 2 * (Integer.numberOfTrailingZeros(resolution) - 1);
  }

  @Override
  public long parameterBound() {
    return ModelConfig.styleBound(resolution, channelBase, channelMax, Math.max(zDim, wDim) + imageChannels, mappingLayers, 0);
  }

  @Override
  public Generator generator(long seed) {
    return new StyleGanGenerator(this, seed);
  }

  @Override
  public Discriminator discriminator(long seed) {
    return new ProgressiveDiscriminator(imageChannels, resolution, channelBase, channelMax, mbstdGroup, seed);
  }
}
