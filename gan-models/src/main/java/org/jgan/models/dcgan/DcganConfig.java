package org.jgan.models.dcgan;

import java.util.List;
import org.jgan.models.Discriminator;
import org.jgan.models.Family;
import org.jgan.models.Generator;
import org.jgan.models.ModelConfig;

/**
 * DCGAN (Radford et al. 2015): a generator of transposed convolutions with batch norm and ReLU
 * (tanh output), a discriminator of strided convolutions with leaky ReLU (batch norm after the
 * first layer), no pooling, weights {@code N(0, 0.02)}. Both start or end at a base size of 4x4
 * (7x7 for 28x28 images) and double or halve with 4x4 kernels, stride 2, padding 1.
 *
 * @param zDim latent size (100 in the paper)
 * @param imageChannels 1 for grayscale, 3 for RGB
 * @param resolution 28, or a power of two from 8 to 128
 * @param gChannels generator width at the last hidden layer (ngf); doubles towards the input
 * @param dChannels discriminator width at the first layer (ndf); doubles towards the output
 * @param labelCount classes to condition on (0: unconditional): the generator takes the label as a
 *     one-hot vector beside {@code z}, the discriminator adds a projection term (Miyato and Koyama
 *     2018) on its last features
 */
public record DcganConfig(
    int zDim, int imageChannels, int resolution, int gChannels, int dChannels, int labelCount)
    implements ModelConfig {
  /** Validates the sizes. */
  public DcganConfig {
    ModelConfig.checkAtLeast("zDim", zDim, 1);
    ModelConfig.checkAtLeast("imageChannels", imageChannels, 1);
    ModelConfig.checkAtLeast("gChannels", gChannels, 1);
    ModelConfig.checkAtLeast("dChannels", dChannels, 1);
    ModelConfig.checkAtLeast("labelCount", labelCount, 0);
    if (resolution != 28) {
      ModelConfig.checkPowerOfTwo("DCGAN resolution (28 or)", resolution, 8, 128);
    }
  }

  /** The presets by name, the default first ({@link Family#preset}). */
  public static final List<String> PRESETS = List.of("fashion28", "paper64");

  /**
   * A named preset for data of {@code imageChannels} channels at {@code resolution}: {@code
   * fashion28} at the data's resolution (28 natively, else a power of two: {@link
   * ModelConfig#powerOfTwoFor}), or {@code paper64} at 64x64.
   */
  public static DcganConfig preset(String name, int imageChannels, int resolution) {
    if (name.equals("paper64")) {
      return paper64().withImageChannels(imageChannels);
    }
    int r = resolution == 28 ? 28 : ModelConfig.powerOfTwoFor(resolution);
    return fashion28().withImageChannels(imageChannels).withResolution(r);
  }

  /** This config for images of {@code imageChannels} channels. */
  public DcganConfig withImageChannels(int imageChannels) {
    return new DcganConfig(zDim, imageChannels, resolution, gChannels, dChannels, labelCount);
  }

  /** This config at another resolution (the widths stay: layers are added or removed). */
  public DcganConfig withResolution(int resolution) {
    return new DcganConfig(zDim, imageChannels, resolution, gChannels, dChannels, labelCount);
  }

  @Override
  public DcganConfig withLabels(int labelCount) {
    return new DcganConfig(zDim, imageChannels, resolution, gChannels, dChannels, labelCount);
  }

  /** The paper's 64x64 RGB setting: z = 100, ngf = ndf = 64 (512 channels at 4x4). */
  public static DcganConfig paper64() {
    return new DcganConfig(100, 3, 64, 64, 64, 0);
  }

  /** Fashion-MNIST at 28x28 on a CPU: z = 64, ngf = ndf = 32 (64 channels at 7x7). */
  public static DcganConfig fashion28() {
    return new DcganConfig(64, 1, 28, 32, 32, 0);
  }

  @Override
  public Family family() {
    return Family.DCGAN;
  }

  /** The spatial size the generator starts from: 7 for 28x28, else 4. */
  public int baseSize() {
    return resolution == 28 ? 7 : 4;
  }

  /** Number of stride-2 layers between the base size and the resolution. */
  public int doublings() {
    return Integer.numberOfTrailingZeros(resolution / baseSize());
  }

  @Override
  public long parameterBound() {
    long c = (long) Math.max(gChannels, dChannels) << doublings();
    long k = (long) baseSize() * baseSize();
    return 2L * (doublings() + 2) * (c * c * 16 + (zDim + labelCount + imageChannels) * c * k)
        + 4 * c * doublings()
        + (long) labelCount * c;
  }

  @Override
  public Generator generator(long seed) {
    return new DcganGenerator(this, seed);
  }

  @Override
  public Discriminator discriminator(long seed) {
    return new DcganDiscriminator(this, seed);
  }
}
