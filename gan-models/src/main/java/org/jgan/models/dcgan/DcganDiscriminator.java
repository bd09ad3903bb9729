package org.jgan.models.dcgan;

import java.util.ArrayList;
import java.util.List;
import org.jgan.core.kernels.Shapes;
import org.jgan.core.nn.BatchNorm;
import org.jgan.core.nn.Conv2d;
import org.jgan.core.nn.Embedding;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.models.Discriminator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DCGAN discriminator: stride-2 convolutions (4x4, padding 1) with leaky ReLU 0.2, batch norm on
 * all but the first, channels doubling from {@code dChannels}; a last convolution with a kernel of
 * the base size gives one logit. When conditional, the projection term of Miyato and Koyama (2018)
 * is added: {@code <embed(y), sum_{h,w} phi(x)>} with {@code phi(x)} the features the last
 * convolution sees and {@code embed} a learned table of one vector per class.
 */
public final class DcganDiscriminator extends Discriminator {
  private static final Logger LOG = LoggerFactory.getLogger(DcganDiscriminator.class);

  private final DcganConfig config;
  private final List<Conv2d> convs = new ArrayList<>();
  private final List<BatchNorm> norms = new ArrayList<>();
  private final Embedding embed;

  /** A discriminator for {@code config}. */
  public DcganDiscriminator(DcganConfig config, long seed) {
    super(config.labelCount());
    this.config = config;
    Rng rng = new Rng(seed);
    int in = config.imageChannels();
    int ch = config.dChannels();
    for (int i = 0; i < config.doublings(); i++) {
      convs.add(child("conv" + i, new Conv2d(in, ch, 4, 2, 1, false, rng)));
      if (i > 0) {
        norms.add(child("bn" + i, BatchNorm.of2d(ch)));
      }
      in = ch;
      ch *= 2;
    }
    convs.add(
        child("conv" + config.doublings(), new Conv2d(in, 1, config.baseSize(), 1, 0, false, rng)));
    this.embed =
        config.labelCount() > 0
            ? child("embed", new Embedding(config.labelCount(), in, rng))
            : null;
    DcganInit.apply(this, rng);
    LOG.info(
        "DCGAN discriminator {}x{}: {} parameters",
        config.resolution(),
        config.resolution(),
        String.format("%,d", parameterCount()));
  }

  @Override
  public Tensor forward(Tensor x, int[] labels) {
    checkLabels(labels, x.size(0));
    Shapes.check(
        x.shape(),
        "DcganDiscriminator input",
        -1,
        config.imageChannels(),
        config.resolution(),
        config.resolution());
    for (int i = 0; i < convs.size() - 1; i++) {
      x = convs.get(i).forward(x);
      if (i > 0) {
        x = norms.get(i - 1).forward(x);
      }
      x = x.leakyRelu(0.2);
    }
    Tensor logit = convs.get(convs.size() - 1).forward(x).reshape(x.size(0), 1);
    if (embed == null) {
      return logit;
    }
    Tensor phi = x.sum(false, 2, 3); // [N, C]
    return logit.add(phi.mul(embed.forward(labels)).sum(true, 1));
  }
}
