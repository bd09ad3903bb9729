package org.jgan.models.vanilla;

import org.jgan.core.kernels.Shapes;
import org.jgan.core.nn.Activation;
import org.jgan.core.nn.Linear;
import org.jgan.core.nn.Sequential;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.models.Generator;
import org.jgan.models.Sampling;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MLP generator: {@code z -> [Linear, ReLU] x hiddenLayers -> Linear -> tanh} (images, reshaped to
 * {@code [C, R, R]}) or {@code -> Linear} (points).
 */
public final class VanillaGenerator extends Generator {
  private static final Logger LOG = LoggerFactory.getLogger(VanillaGenerator.class);

  private final VanillaConfig config;
  private final Sequential net;

  /** A generator for {@code config}. */
  public VanillaGenerator(VanillaConfig config, long seed) {
    super(config);
    this.config = config;
    Rng rng = new Rng(seed);
    Sequential s = new Sequential();
    int in = config.zDim();
    for (int i = 0; i < config.hiddenLayers(); i++) {
      s.add(new Linear(in, config.hidden(), rng)).add(Activation.relu());
      in = config.hidden();
    }
    s.add(new Linear(in, config.outputSize(), rng));
    if (config.pointDim() == 0) {
      s.add(Activation.tanh());
    }
    this.net = child("net", s);
    LOG.info("vanilla GAN generator: {} parameters", String.format("%,d", parameterCount()));
  }

  @Override
  public long[] sampleShape() {
    return config.pointDim() == 0 ? super.sampleShape() : new long[] {config.pointDim()};
  }

  @Override
  public Tensor forward(Tensor z, int[] labels, Sampling sampling) {
    Shapes.check(z.shape(), "VanillaGenerator z", -1, config.zDim());
    checkLabels(labels, z.size(0));
    checkNoTruncation(sampling);
    Tensor y = net.forward(z);
    long[] s = sampleShape();
    return s.length == 1 ? y : y.reshape(z.size(0), s[0], s[1], s[2]);
  }
}
