package org.jgan.models;

import org.jgan.core.tensor.Tensor;

/**
 * A network that grows (Karras et al. 2018): it works at a stage resolution between 4 and its
 * maximum, and while a new resolution fades in, blends the new block's output with the previous
 * stage's by {@code alpha} (0 = the previous stage exactly, 1 = the grown network exactly).
 */
public interface Progressive {
  /** The network's stage. */
  Stage stage();

  /** The highest resolution. */
  default int maxResolution() {
    return stage().max();
  }

  /** Whether growing is switched on for this network (off: always the full network). */
  default boolean isProgressive() {
    return stage().growing();
  }

  /**
   * Moves to a stage.
   *
   * @param resolution a power of two from 4 to {@link #maxResolution()}
   * @param alpha weight of the newest block, in [0, 1]
   */
  default void setStage(int resolution, double alpha) {
    stage().set(resolution, alpha);
  }

  /** The current stage resolution. */
  default int stageResolution() {
    return stage().resolution();
  }

  /** The current fade-in weight. */
  default double alpha() {
    return stage().alpha();
  }

  /**
   * Halves an image's resolution the way this family's fade-in does (2x2 average pooling; FIR for
   * StyleGAN2): the training loop uses it to bring real images to the stage resolution.
   */
  default Tensor downsampleImages(Tensor x) {
    return stage().downsample(x);
  }

  /**
   * Doubles an image's resolution the way this family's fade-in does (nearest; FIR for StyleGAN2).
   */
  default Tensor upsampleImages(Tensor x) {
    return stage().upsample(x);
  }
}
