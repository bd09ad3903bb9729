package org.jgan.models.progressive;

import java.util.List;
import org.jgan.models.ChannelSchedule;
import org.jgan.models.Discriminator;
import org.jgan.models.Family;
import org.jgan.models.Generator;
import org.jgan.models.ModelConfig;
import org.jgan.models.ModelConfigs;

/**
 * Progressive GAN (Karras et al. 2018): networks that grow from 4x4 with fade-in, pixel norm in the
 * generator, minibatch standard deviation at the end of the discriminator, equalised learning rate
 * everywhere. Channels at resolution r are {@code min(channelBase / r, channelMax)}.
 *
 * @param zDim latent size (512 in the paper)
 * @param imageChannels 1 or 3
 * @param resolution final resolution, a power of two in [8, 1024] (the paper's CelebA-HQ)
 * @param channelBase channel budget (16384 in the paper: 512 up to 32x32, 256 at 64x64)
 * @param channelMax channel cap (512)
 * @param mbstdGroup minibatch-stddev group size (4)
 * @param labelCount classes to condition on (0: unconditional): the generator concatenates a
 *     normalised label embedding to the normalised {@code z}, the discriminator ends in a
 *     projection ({@link org.jgan.models.blocks.ProjectionHead})
 */
public record ProgressiveConfig(
    int zDim,
    int imageChannels,
    int resolution,
    int channelBase,
    int channelMax,
    int mbstdGroup,
    int labelCount)
    implements ModelConfig, ChannelSchedule {
  /** Validates the sizes. */
  public ProgressiveConfig {
    ModelConfig.checkAtLeast("zDim", zDim, 1);
    ModelConfig.checkAtLeast("imageChannels", imageChannels, 1);
    ChannelSchedule.check(resolution, 1024, channelBase, channelMax);
    ModelConfig.checkAtLeast("mbstdGroup", mbstdGroup, 1);
    ModelConfig.checkAtLeast("labelCount", labelCount, 0);
  }

  @Override
  public ProgressiveConfig withLabels(int labelCount) {
    return new ProgressiveConfig(
        zDim, imageChannels, resolution, channelBase, channelMax, mbstdGroup, labelCount);
  }

  /** The presets by name, the default first ({@link Family#preset}). */
  public static final List<String> PRESETS = List.of("cpu32", "paper");

  /**
   * A named preset for data of {@code imageChannels} channels at {@code resolution}, at the
   * power-of-two resolution for it ({@link ModelConfig#powerOfTwoFor}): {@code cpu32} (scaled with
   * {@link ModelConfigs#atResolution}) or {@code paper}.
   */
  public static ProgressiveConfig preset(String name, int imageChannels, int resolution) {
    int r = ModelConfig.powerOfTwoFor(resolution);
    return name.equals("paper")
        ? paper(imageChannels, r)
        : ModelConfigs.atResolution(cpu32(imageChannels), r);
  }

  /** The paper's widths at a given resolution: z = 512, channels 16384 / r capped at 512. */
  public static ProgressiveConfig paper(int imageChannels, int resolution) {
    return new ProgressiveConfig(512, imageChannels, resolution, 16384, 512, 4, 0);
  }

  /** Scaled down for two CPU cores at 32x32: z = 128, channels 128 (64 at 32x32). */
  public static ProgressiveConfig cpu32(int imageChannels) {
    return new ProgressiveConfig(128, imageChannels, 32, 2048, 128, 4, 0);
  }

  @Override
  public Family family() {
    return Family.PROGRESSIVE;
  }

  @Override
  public boolean grows() {
    return true;
  }

  @Override
  public long parameterBound() {
    return ModelConfig.styleBound(
        resolution, channelBase, channelMax, 2L * zDim + imageChannels, 2, labelCount);
  }

  @Override
  public Generator generator(long seed) {
    return new ProgressiveGenerator(this, seed);
  }

  @Override
  public Discriminator discriminator(long seed) {
    return new ProgressiveDiscriminator(
        imageChannels, resolution, channelBase, channelMax, mbstdGroup, labelCount, seed);
  }
}
