package org.jgan.models.stylegan;

import java.util.List;
import org.jgan.models.ChannelSchedule;
import org.jgan.models.Discriminator;
import org.jgan.models.Family;
import org.jgan.models.Generator;
import org.jgan.models.ModelConfig;
import org.jgan.models.ModelConfigs;
import org.jgan.models.StyleConfig;
import org.jgan.models.progressive.ProgressiveDiscriminator;

/**
 * StyleGAN (Karras et al. 2019): a mapping network to {@code w}, AdaIN synthesis from a learned
 * constant with per-layer noise (per-channel strengths), nearest up-sampling followed by the {@code
 * [1, 2, 1]} blur, progressive growing; the progressive GAN's discriminator. Channels at resolution
 * r are {@code min(channelBase / r, channelMax)}.
 *
 * @param zDim latent size (512)
 * @param wDim intermediate latent size (512)
 * @param mappingLayers mapping depth (8)
 * @param imageChannels 1 or 3
 * @param resolution a power of two in [8, 1024]
 * @param channelBase channel budget (16384)
 * @param channelMax channel cap (512)
 * @param mbstdGroup discriminator's minibatch-stddev group (4)
 * @param labelCount classes to condition on (0: unconditional): the mapping network embeds the
 *     label beside {@code z}, as StyleGAN2-ADA's does; the discriminator ends in a projection
 */
public record StyleGanConfig(
    int zDim,
    int wDim,
    int mappingLayers,
    int imageChannels,
    int resolution,
    int channelBase,
    int channelMax,
    int mbstdGroup,
    int labelCount)
    implements StyleConfig {
  /** Validates the sizes. */
  public StyleGanConfig {
    ModelConfig.checkAtLeast("zDim", zDim, 1);
    ModelConfig.checkAtLeast("wDim", wDim, 1);
    ModelConfig.checkAtLeast("mappingLayers", mappingLayers, 1);
    ModelConfig.checkAtLeast("imageChannels", imageChannels, 1);
    ChannelSchedule.check(resolution, 1024, channelBase, channelMax);
    ModelConfig.checkAtLeast("mbstdGroup", mbstdGroup, 1);
    ModelConfig.checkAtLeast("labelCount", labelCount, 0);
  }

  @Override
  public StyleGanConfig withLabels(int labelCount) {
    return new StyleGanConfig(
        zDim,
        wDim,
        mappingLayers,
        imageChannels,
        resolution,
        channelBase,
        channelMax,
        mbstdGroup,
        labelCount);
  }

  /** The presets by name, the default first ({@link Family#preset}). */
  public static final List<String> PRESETS = List.of("cpu32", "paper");

  /**
   * A named preset for data of {@code imageChannels} channels at {@code resolution}, at the
   * power-of-two resolution for it ({@link ModelConfig#powerOfTwoFor}): {@code cpu32} (scaled with
   * {@link ModelConfigs#atResolution}) or {@code paper}.
   */
  public static StyleGanConfig preset(String name, int imageChannels, int resolution) {
    int r = ModelConfig.powerOfTwoFor(resolution);
    return name.equals("paper")
        ? paper(imageChannels, r)
        : ModelConfigs.atResolution(cpu32(imageChannels), r);
  }

  /** The paper's widths: z = w = 512, 8 mapping layers, channels 16384 / r capped at 512. */
  public static StyleGanConfig paper(int imageChannels, int resolution) {
    return new StyleGanConfig(512, 512, 8, imageChannels, resolution, 16384, 512, 4, 0);
  }

  /**
   * Scaled down for two CPU cores at 32x32: z = w = 128, 4 mapping layers, channels 128 (64 at 32).
   */
  public static StyleGanConfig cpu32(int imageChannels) {
    return new StyleGanConfig(128, 128, 4, imageChannels, 32, 2048, 128, 4, 0);
  }

  @Override
  public Family family() {
    return Family.STYLEGAN;
  }

  @Override
  public boolean grows() {
    return true;
  }

  @Override
  public Generator generator(long seed) {
    return new StyleGanGenerator(this, seed);
  }

  @Override
  public Discriminator discriminator(long seed) {
    return new ProgressiveDiscriminator(
        imageChannels, resolution, channelBase, channelMax, mbstdGroup, labelCount, seed);
  }
}
