package org.jgan.models.stylegan2;

import java.util.List;
import java.util.Map;
import org.jgan.core.io.Records;
import org.jgan.core.kernels.DataFormat;
import org.jgan.models.ChannelSchedule;
import org.jgan.models.Discriminator;
import org.jgan.models.Family;
import org.jgan.models.Generator;
import org.jgan.models.ModelConfig;
import org.jgan.models.ModelConfigs;
import org.jgan.models.StyleConfig;

/**
 * StyleGAN2 (Karras et al. 2020), as released in StyleGAN2-ADA: modulated and demodulated
 * convolutions with noise and bias outside the style block, a skip-architecture generator, a
 * residual discriminator with minibatch standard deviation. Two options on top: progressive growing
 * (fade-in on the skip architecture) and class conditioning (label embedding in the mapping
 * network, projection discriminator). Channels at resolution r are {@code min(channelBase / r,
 * channelMax)}.
 *
 * @param zDim latent size (512)
 * @param wDim intermediate latent size (512)
 * @param mappingLayers mapping depth (8; 2 in ADA's cifar config)
 * @param mappingLrMul mapping learning-rate multiplier (0.01)
 * @param imageChannels 1 or 3
 * @param resolution a power of two in [8, 1024]
 * @param channelBase channel budget (32768 for ADA at full size, 16384 for its "auto" below 512 px)
 * @param channelMax channel cap (512)
 * @param labelCount classes for conditioning; 0 = unconditional
 * @param progressive grow from 4x4 with fade-in (off in the paper's final model)
 * @param mbstdGroup minibatch-stddev group size (4; 8 or 32 in some ADA configs)
 * @param mbstdChannels minibatch-stddev feature maps (1)
 * @param dMappingLayers layers of the discriminator's label mapping (8 in ADA)
 * @param convClamp clamps the activations of the synthesis layers, toRGB and the discriminator's
 *     convolutions to {@code [-convClamp, convClamp]} (times the layer's gain scale) as
 *     StyleGAN2-ADA's {@code conv_clamp} (256 in its configurations, which train in float16); 0 =
 *     none, the default here
 * @param layout memory layout of the feature maps inside both networks (NHWC, where oneDNN's
 *     convolutions need no reorders; NCHW computes the same values); images and logits cross the
 *     networks' boundary as {@code [N, C, H, W]} either way, and weights do not depend on it
 * @param mbstdByLabel a conditional discriminator's minibatch standard deviation over the samples
 *     of each label instead of groups of {@code mbstdGroup} ({@link
 *     org.jgan.models.blocks.MinibatchStdDev#forward(org.jgan.core.tensor.Tensor, int[])}; off in
 *     the paper)
 */
public record StyleGan2Config(
    int zDim,
    int wDim,
    int mappingLayers,
    double mappingLrMul,
    int imageChannels,
    int resolution,
    int channelBase,
    int channelMax,
    int labelCount,
    boolean progressive,
    int mbstdGroup,
    int mbstdChannels,
    int dMappingLayers,
    double convClamp,
    DataFormat layout,
    boolean mbstdByLabel)
    implements StyleConfig {
  /** The presets by name, the default first ({@link Family#preset}). */
  public static final List<String> PRESETS = List.of("cpu32", "cifar", "paper256");

  /** A config with the paper's minibatch standard deviation (groups of {@code mbstdGroup}). */
  public StyleGan2Config(
      int zDim,
      int wDim,
      int mappingLayers,
      double mappingLrMul,
      int imageChannels,
      int resolution,
      int channelBase,
      int channelMax,
      int labelCount,
      boolean progressive,
      int mbstdGroup,
      int mbstdChannels,
      int dMappingLayers,
      double convClamp,
      DataFormat layout) {
    this(
        zDim,
        wDim,
        mappingLayers,
        mappingLrMul,
        imageChannels,
        resolution,
        channelBase,
        channelMax,
        labelCount,
        progressive,
        mbstdGroup,
        mbstdChannels,
        dMappingLayers,
        convClamp,
        layout,
        false);
  }

  /** Validates the sizes. */
  public StyleGan2Config {
    ModelConfig.checkAtLeast("zDim", zDim, 1);
    ModelConfig.checkAtLeast("wDim", wDim, 1);
    ModelConfig.checkAtLeast("mappingLayers", mappingLayers, 1);
    if (!(mappingLrMul > 0 && mappingLrMul <= 1)) {
      throw new IllegalArgumentException("mappingLrMul must be in (0, 1], got " + mappingLrMul);
    }
    ModelConfig.checkAtLeast("imageChannels", imageChannels, 1);
    ChannelSchedule.check(resolution, 1024, channelBase, channelMax);
    ModelConfig.checkAtLeast("labelCount", labelCount, 0);
    ModelConfig.checkAtLeast("mbstdGroup", mbstdGroup, 1);
    ModelConfig.checkAtLeast("mbstdChannels", mbstdChannels, 1);
    ModelConfig.checkAtLeast("dMappingLayers", dMappingLayers, 1);
    int c4 = Math.min(channelBase / 4, channelMax);
    if (c4 % mbstdChannels != 0) {
      throw new IllegalArgumentException(
          "mbstdChannels " + mbstdChannels + " must divide the 4x4 channels " + c4);
    }
    if (!(convClamp >= 0) || Double.isInfinite(convClamp)) {
      throw new IllegalArgumentException("convClamp must be >= 0 (0 = none), got " + convClamp);
    }
    if (layout == null) {
      throw new IllegalArgumentException("layout must be NCHW or NHWC, got null");
    }
  }

  /**
   * StyleGAN2-ADA's {@code paper256} setting (z = w = 512, 8 mapping layers, mbstd group 8).
   *
   * @param imageChannels 1 or 3
   * @param labelCount classes for conditioning, 0 = unconditional
   */
  public static StyleGan2Config paper256(int imageChannels, int labelCount) {
    return new StyleGan2Config(
        512,
        512,
        8,
        0.01,
        imageChannels,
        256,
        16384,
        512,
        labelCount,
        false,
        8,
        1,
        8,
        0,
        DataFormat.NHWC);
  }

  /**
   * StyleGAN2-ADA's {@code cifar} setting at 32x32: 512 channels everywhere, 2 mapping layers,
   * mbstd group 32.
   *
   * @param imageChannels 1 or 3
   * @param labelCount classes for conditioning, 0 = unconditional
   */
  public static StyleGan2Config cifar(int imageChannels, int labelCount) {
    return new StyleGan2Config(
        512,
        512,
        2,
        0.01,
        imageChannels,
        32,
        32768,
        512,
        labelCount,
        false,
        32,
        1,
        8,
        0,
        DataFormat.NHWC);
  }

  /**
   * Scaled down for two CPU cores at 32x32: z = w = 128, 4 mapping layers, 64 channels up to 16x16
   * and 32 at 32x32, mbstd group 4, a 2-layer label mapping in the discriminator (its speed:
   * docs/benchmarks.md). Conditional ({@code labelCount > 0}), the discriminator takes the
   * minibatch standard deviation over each label's samples ({@link #mbstdByLabel}), which with the
   * stronger R1 of {@code TrainingConfig.conditionalCpuR1Gamma} turned one template per class into
   * varied garments on Fashion-MNIST (docs/results.md, "One template per class").
   *
   * @param imageChannels 1 or 3
   * @param labelCount classes for conditioning, 0 = unconditional
   */
  public static StyleGan2Config cpu32(int imageChannels, int labelCount) {
    return new StyleGan2Config(
        128,
        128,
        4,
        0.01,
        imageChannels,
        32,
        1024,
        64,
        labelCount,
        false,
        4,
        1,
        2,
        0,
        DataFormat.NHWC,
        labelCount > 0);
  }

  /**
   * A named preset, unconditional, for data of {@code imageChannels} channels at {@code
   * resolution}: {@code cpu32} at the power-of-two resolution for the data ({@link
   * ModelConfig#powerOfTwoFor}, scaled with {@link ModelConfigs#atResolution}), or the fixed-size
   * {@code cifar} (32) and {@code paper256} (256). {@link #withLabels} keeps the paper's minibatch
   * statistic: the conditional cpu32 of {@link #cpu32(int, int)} and {@code gan train} is this
   * config {@code withLabels(n).withMbstdByLabel(true)}.
   */
  public static StyleGan2Config preset(String name, int imageChannels, int resolution) {
    return switch (name) {
      case "cifar" -> cifar(imageChannels, 0);
      case "paper256" -> paper256(imageChannels, 0);
      default ->
          ModelConfigs.atResolution(cpu32(imageChannels, 0), ModelConfig.powerOfTwoFor(resolution));
    };
  }

  /** This config with conditioning on {@code labelCount} classes (0 = unconditional). */
  @Override
  public StyleGan2Config withLabels(int labelCount) {
    return with("labelCount", labelCount);
  }

  /** This config with progressive growing on or off. */
  public StyleGan2Config withProgressive(boolean on) {
    return with("progressive", on);
  }

  /** This config with the feature maps in another memory layout (the same values and weights). */
  public StyleGan2Config withLayout(DataFormat layout) {
    return with("layout", layout);
  }

  /** This config with the minibatch standard deviation over each label's samples, or not. */
  public StyleGan2Config withMbstdByLabel(boolean on) {
    return with("mbstdByLabel", on);
  }

  /** This config with activations clamped to {@code +-convClamp} (0 = none). */
  public StyleGan2Config withConvClamp(double convClamp) {
    return with("convClamp", convClamp);
  }

  /** This config for images of {@code imageChannels} channels. */
  public StyleGan2Config withImageChannels(int imageChannels) {
    return with("imageChannels", imageChannels);
  }

  /** This config with one component changed, validated as a new config is. */
  private StyleGan2Config with(String component, Object value) {
    return with(Map.of(component, value));
  }

  /** This config with the given components changed, validated as a new config is. */
  private StyleGan2Config with(Map<String, Object> components) {
    return Records.fromMap(StyleGan2Config.class, components, this);
  }

  @Override
  public Family family() {
    return Family.STYLEGAN2;
  }

  @Override
  public boolean grows() {
    return progressive;
  }

  /** The mapping layers of both networks: the generator's and the discriminator's label mapping. */
  @Override
  public int denseLayers() {
    return mappingLayers + dMappingLayers;
  }

  @Override
  public Generator generator(long seed) {
    return new StyleGan2Generator(this, seed);
  }

  @Override
  public Discriminator discriminator(long seed) {
    return new StyleGan2Discriminator(this, seed);
  }
}
