package org.jgan.models.vanilla;

import java.util.List;
import org.jgan.models.Discriminator;
import org.jgan.models.Family;
import org.jgan.models.Generator;
import org.jgan.models.ModelConfig;

/**
 * The original GAN (Goodfellow et al. 2014): multilayer perceptrons for both networks. For images
 * the generator ends in tanh and emits {@code [C, R, R]} (28x28 natively); for 2-D toy data ({@code
 * pointDim = 2}) it emits points, linear.
 *
 * @param zDim latent size
 * @param hidden width of the hidden layers
 * @param hiddenLayers number of hidden layers in each network
 * @param imageChannels image channels (ignored for points)
 * @param resolution image size (ignored for points)
 * @param pointDim 0 for images, else the dimension of the points
 */
public record VanillaConfig(
    int zDim, int hidden, int hiddenLayers, int imageChannels, int resolution, int pointDim)
    implements ModelConfig {
  /** Validates the sizes. */
  public VanillaConfig {
    ModelConfig.checkAtLeast("zDim", zDim, 1);
    ModelConfig.checkAtLeast("hidden", hidden, 1);
    ModelConfig.checkAtLeast("hiddenLayers", hiddenLayers, 1);
    if (pointDim == 0) {
      ModelConfig.checkAtLeast("imageChannels", imageChannels, 1);
      if (resolution < 8 || resolution > 128) {
        throw new IllegalArgumentException("resolution must be in [8, 128], got " + resolution);
      }
    } else {
      ModelConfig.checkAtLeast("pointDim", pointDim, 1);
    }
  }

  /** The presets by name, the default first ({@link Family#preset}). */
  public static final List<String> PRESETS = List.of("mnist", "toy2d");

  /** MLPs of 3 x 512 units for 28x28 grayscale images, z = 100. */
  public static VanillaConfig mnist() {
    return new VanillaConfig(100, 512, 3, 1, 28, 0);
  }

  /**
   * A named preset for data of {@code imageChannels} channels at {@code resolution}: {@code mnist}
   * ({@link #mnist()}'s MLPs at the data's size) or {@code toy2d}; point data (0 channels) always
   * gets {@code toy2d}.
   */
  public static VanillaConfig preset(String name, int imageChannels, int resolution) {
    if (name.equals("toy2d") || imageChannels == 0) {
      return toy2d();
    }
    return mnist().withImages(imageChannels, resolution);
  }

  /** This config for images of {@code imageChannels} channels at {@code resolution}. */
  public VanillaConfig withImages(int imageChannels, int resolution) {
    return new VanillaConfig(zDim, hidden, hiddenLayers, imageChannels, resolution, 0);
  }

  /**
   * The toy setting of the mode-collapse literature (PacGAN, VEEGAN): z = 2, 3 x 256 units, 2-D
   * points.
   */
  public static VanillaConfig toy2d() {
    return new VanillaConfig(2, 256, 3, 0, 0, 2);
  }

  @Override
  public Family family() {
    return Family.VANILLA;
  }

  @Override
  public int imageChannels() {
    return pointDim == 0 ? imageChannels : 0;
  }

  @Override
  public int resolution() {
    return pointDim == 0 ? resolution : 0;
  }

  /** Values per sample. */
  public int outputSize() {
    return pointDim == 0 ? imageChannels * resolution * resolution : pointDim;
  }

  @Override
  public long parameterBound() {
    long h = hidden;
    return 2 * ((zDim + outputSize() + 2L) * h + hiddenLayers * (h * h + h))
        + outputSize() * (h + 1);
  }

  @Override
  public Generator generator(long seed) {
    return new VanillaGenerator(this, seed);
  }

  @Override
  public Discriminator discriminator(long seed) {
    return new VanillaDiscriminator(this, seed);
  }
}
