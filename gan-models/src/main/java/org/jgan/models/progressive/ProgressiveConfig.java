package org.jgan.models.progressive;

import org.jgan.models.Discriminator;
import org.jgan.models.Generator;
import org.jgan.models.ModelConfig;

/**
 * Progressive GAN (Karras et al. 2018): networks that grow from 4x4 with fade-in, pixel norm in the
 * generator, minibatch standard deviation at the end of the discriminator, equalised learning rate
 * everywhere. Channels at resolution r are {@code min(channelBase / r, channelMax)}.
 *
 * @param zDim latent size (512 in the paper)
 * @param imageChannels 1 or 3
 * @param resolution final resolution, a power of two in [8, 128]
 * @param channelBase channel budget (16384 in the paper: 512 up to 32x32, 256 at 64x64)
 * @param channelMax channel cap (512)
 * @param mbstdGroup minibatch-stddev group size (4)
 */
public record ProgressiveConfig(int zDim, int imageChannels, int resolution, int channelBase, int channelMax, int mbstdGroup)
    implements ModelConfig {
  /** Validates the sizes. */
  public ProgressiveConfig {
    ModelConfig.checkAtLeast("zDim", zDim, 1);
    ModelConfig.checkAtLeast("imageChannels", imageChannels, 1);
    ModelConfig.checkPowerOfTwo("resolution", resolution, 8, 128);
    ModelConfig.checkAtLeast("channelBase", channelBase, resolution);
    ModelConfig.checkAtLeast("channelMax", channelMax, 1);
    ModelConfig.checkAtLeast("mbstdGroup", mbstdGroup, 1);
  }

  /** The paper's widths at a given resolution: z = 512, channels 16384 / r capped at 512. */
  public static ProgressiveConfig paper(int imageChannels, int resolution) {
    return new ProgressiveConfig(512, imageChannels, resolution, 16384, 512, 4);
  }

  /** Scaled down for two CPU cores at 32x32: z = 128, channels 128 (64 at 32x32). */
  public static ProgressiveConfig cpu32(int imageChannels) {
    return new ProgressiveConfig(128, imageChannels, 32, 2048, 128, 4);
  }

  @Override
  public String family() {
    return "progressive";
  }

  /** Channels at resolution {@code r}. */
  public int channels(int r) {
    return Math.min(channelBase / r, channelMax);
  }

  @Override
  public long parameterBound() {
    return ModelConfig.styleBound(resolution, channelBase, channelMax, zDim + imageChannels, 1, 0);
  }

  @Override
  public Generator generator(long seed) {
    return new ProgressiveGenerator(this, seed);
  }

  @Override
  public Discriminator discriminator(long seed) {
    return new ProgressiveDiscriminator(imageChannels, resolution, channelBase, channelMax, mbstdGroup, seed);
  }
}
