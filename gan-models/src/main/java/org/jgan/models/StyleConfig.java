package org.jgan.models;

/**
 * The config of a style-based family (StyleGAN, StyleGAN2): a mapping network from {@code z} to
 * {@code w}, broadcast to one latent per synthesis layer, and a synthesis network whose widths
 * follow the resolution.
 */
public interface StyleConfig extends ModelConfig, ChannelSchedule {
  /** Size of the intermediate latent {@code w}. */
  int wDim();

  /** Layers of the mapping network. */
  int mappingLayers();

  /**
   * Latents per image: two per resolution from 4x4, one per synthesis layer plus the last toRGB (8
   * at 32x32).
   */
  default int numWs() {
    return 2 * (Integer.numberOfTrailingZeros(resolution()) - 1);
  }

  /** Dense layers that map latents or labels, in both networks (for {@link #parameterBound}). */
  default int denseLayers() {
    return mappingLayers();
  }

  @Override
  default long parameterBound() {
    return ModelConfig.styleBound(
        resolution(),
        channelBase(),
        channelMax(),
        Math.max(zDim(), wDim()) + imageChannels(),
        denseLayers(),
        labelCount());
  }
}
