package org.jgan.models;

/** What every family's config record states: the data it generates and how to build the pair. */
public interface ModelConfig {
  /** The family, which names the config in checkpoints and on the command line. */
  Family family();

  /** Size of the generator's latent {@code z}. */
  int zDim();

  /** Image channels (1 for Fashion-MNIST, 3 for RGB); 0 for point data. */
  int imageChannels();

  /** Output resolution (H = W); 0 for point data. */
  int resolution();

  /** Number of classes for conditioning; 0 when unconditional. */
  default int labelCount() {
    return 0;
  }

  /**
   * This config conditioned on {@code labelCount} classes (0: unconditional).
   *
   * @throws UnsupportedOperationException for a family without conditioning
   */
  default ModelConfig withLabels(int labelCount) {
    throw new UnsupportedOperationException(
        "the " + family() + " family has no class conditioning");
  }

  /**
   * The discriminator's minibatch-stddev group size, which every batch a discriminator sees must be
   * a multiple of (up to the group); 0 when it has no such layer.
   */
  default int mbstdGroup() {
    return 0;
  }

  /** Whether the networks grow progressively from 4x4 (fade-in of each new resolution). */
  default boolean grows() {
    return false;
  }

  /**
   * A generous upper bound on the parameters of generator and discriminator together, computed from
   * the config alone (nothing is built): readers compare it with the weights a file really holds
   * before building the networks a file's config describes.
   */
  long parameterBound();

  /** A new generator; {@code seed} fixes its initial weights. */
  Generator generator(long seed);

  /** A new discriminator. */
  Discriminator discriminator(long seed);

  /** The bound shared by the convolutional families with {@code ch(r)} channels at resolution r. */
  static long styleBound(
      int resolution,
      int channelBase,
      int channelMax,
      long latentDims,
      int mappingLayers,
      int labels) {
    long total = 0;
    for (long r = 4; r <= resolution; r *= 2) {
      long c = Math.min(channelBase / r, channelMax);
      total += c * c * 9 * 8 + c * latentDims * 8;
    }
    long c4 = Math.min(channelBase / 4, channelMax);
    total +=
        c4 * c4 * 16 * 3
            + (long) mappingLayers * (latentDims + labels) * latentDims * 4
            + (long) labels * latentDims * 4;
    return total;
  }

  /**
   * The resolution of a power-of-two model for data of {@code dataResolution}: the data's own when
   * it is a power of two (8 at least), 32 for other sizes up to 32 (28x28 Fashion-MNIST is padded
   * to 32), otherwise the largest power of two below it (which the data then do not fit: the
   * command line says how to resize them).
   */
  static int powerOfTwoFor(int dataResolution) {
    if (dataResolution <= 8) {
      return 8;
    }
    if (Integer.bitCount(dataResolution) == 1) {
      return dataResolution;
    }
    return dataResolution <= 32 ? 32 : Integer.highestOneBit(dataResolution);
  }

  /** Checks {@code value} is a power of two in {@code [min, max]}; names {@code what}. */
  static void checkPowerOfTwo(String what, int value, int min, int max) {
    if (value < min || value > max || Integer.bitCount(value) != 1) {
      throw new IllegalArgumentException(
          what + " must be a power of two in [" + min + ", " + max + "], got " + value);
    }
  }

  /** Checks {@code value >= min}; names {@code what}. */
  static void checkAtLeast(String what, long value, long min) {
    if (value < min) {
      throw new IllegalArgumentException(what + " must be >= " + min + ", got " + value);
    }
  }
}
