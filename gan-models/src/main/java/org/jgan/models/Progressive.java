package org.jgan.models;

/**
 * A network that grows (Karras et al. 2018): it works at a stage resolution between 4 and its
 * maximum, and while a new resolution fades in, blends the new block's output with the previous
 * stage's by {@code alpha} (0 = the previous stage exactly, 1 = the grown network exactly).
 */
public interface Progressive {
  /** The highest resolution. */
  int maxResolution();

  /** Whether growing is switched on for this network (off: always the full network). */
  boolean isProgressive();

  /**
   * Moves to a stage.
   *
   * @param resolution a power of two from 4 (8 for StyleGAN2) to {@link #maxResolution()}
   * @param alpha weight of the newest block, in [0, 1]
   */
  void setStage(int resolution, double alpha);

  /** The current stage resolution. */
  int stageResolution();

  /** The current fade-in weight. */
  double alpha();

  /**
   * Halves an image's resolution the way this family's fade-in does (2x2 average pooling; FIR for
   * StyleGAN2): the training loop uses it to bring real images to the stage resolution.
   */
  default org.jgan.core.tensor.Tensor downsampleImages(org.jgan.core.tensor.Tensor x) {
    return org.jgan.core.nn.Functional.avgPool2d(x, 2);
  }

  /** Doubles an image's resolution the way this family's fade-in does (nearest; FIR for StyleGAN2). */
  default org.jgan.core.tensor.Tensor upsampleImages(org.jgan.core.tensor.Tensor x) {
    return org.jgan.core.nn.Functional.upsampleNearest2d(x, 2);
  }

  /** Validates a stage; shared by implementations. */
  static void checkStage(int resolution, double alpha, int min, int max) {
    if (resolution < min || resolution > max || Integer.bitCount(resolution) != 1) {
      throw new IllegalArgumentException(
          "stage resolution must be a power of two in [" + min + ", " + max + "], got " + resolution);
    }
    if (!(alpha >= 0 && alpha <= 1)) {
      throw new IllegalArgumentException("fade-in alpha must be in [0, 1], got " + alpha);
    }
  }
}
