package org.jgan.models.vanilla;

import org.jgan.core.kernels.Shapes;
import org.jgan.core.nn.Activation;
import org.jgan.core.nn.Linear;
import org.jgan.core.nn.Sequential;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.models.Discriminator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MLP discriminator: flattened sample {@code -> [Linear, LeakyReLU(0.2)] x hiddenLayers ->
 * Linear(1)}.
 */
public final class VanillaDiscriminator extends Discriminator {
  private static final Logger LOG = LoggerFactory.getLogger(VanillaDiscriminator.class);

  private final VanillaConfig config;
  private final Sequential net;

  /** A discriminator for {@code config}. */
  public VanillaDiscriminator(VanillaConfig config, long seed) {
    this.config = config;
    Rng rng = new Rng(seed);
    Sequential s = new Sequential();
    int in = config.outputSize();
    for (int i = 0; i < config.hiddenLayers(); i++) {
      s.add(new Linear(in, config.hidden(), rng)).add(Activation.leakyRelu(0.2));
      in = config.hidden();
    }
    s.add(new Linear(in, 1, rng));
    this.net = child("net", s);
    LOG.info("vanilla GAN discriminator: {} parameters", String.format("%,d", parameterCount()));
  }

  @Override
  public Tensor forward(Tensor x, int[] labels) {
    if (labels != null) {
      throw new IllegalArgumentException(
          "VanillaDiscriminator is unconditional; labels must be null");
    }
    Tensor flat = x.rank() == 2 ? x : x.flatten(1);
    if (flat.size(1) != config.outputSize()) {
      throw new IllegalArgumentException(
          "VanillaDiscriminator: expected samples of "
              + config.outputSize()
              + " values, got shape "
              + Shapes.str(x.shape()));
    }
    return net.forward(flat);
  }
}
