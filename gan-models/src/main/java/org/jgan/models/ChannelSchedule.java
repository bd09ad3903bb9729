package org.jgan.models;

/**
 * A convolutional config whose widths follow the resolution, as in the progressive GAN and both
 * StyleGANs: {@code min(channelBase / r, channelMax)} channels at resolution {@code r}.
 */
public interface ChannelSchedule {
  /** The output resolution. */
  int resolution();

  /** The channel budget: {@code channelBase / r} channels at resolution {@code r}, capped. */
  int channelBase();

  /** The cap on channels. */
  int channelMax();

  /** Channels at resolution {@code r}. */
  default int channels(int r) {
    return Math.min(channelBase() / r, channelMax());
  }

  /**
   * Checks a schedule's sizes: a power-of-two resolution in {@code [8, maxResolution]}, at least
   * one channel there ({@code channelBase >= resolution}) and a positive cap.
   *
   * @throws IllegalArgumentException naming the size and what it must be
   */
  static void check(int resolution, int maxResolution, int channelBase, int channelMax) {
    ModelConfig.checkPowerOfTwo("resolution", resolution, 8, maxResolution);
    ModelConfig.checkAtLeast("channelBase", channelBase, resolution);
    ModelConfig.checkAtLeast("channelMax", channelMax, 1);
  }
}
