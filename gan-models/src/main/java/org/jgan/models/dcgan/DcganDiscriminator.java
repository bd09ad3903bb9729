package org.jgan.models.dcgan;

import java.util.ArrayList;
import java.util.List;
import org.jgan.core.kernels.Shapes;
import org.jgan.core.nn.BatchNorm;
import org.jgan.core.nn.Conv2d;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.models.Discriminator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DCGAN discriminator: stride-2 convolutions (4x4, padding 1) with leaky ReLU 0.2, batch norm on
 * all but the first, channels doubling from {@code dChannels}; a last convolution with a kernel of
 * the base size gives one logit.
 */
public final class DcganDiscriminator extends Discriminator {
  private static final Logger LOG = LoggerFactory.getLogger(DcganDiscriminator.class);

  private final DcganConfig config;
  private final List<Conv2d> convs = new ArrayList<>();
  private final List<BatchNorm> norms = new ArrayList<>();

  /** A discriminator for {@code config}. */
  public DcganDiscriminator(DcganConfig config, long seed) {
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
    DcganInit.apply(this, rng);
    LOG.info(
        "DCGAN discriminator {}x{}: {} parameters",
        config.resolution(),
        config.resolution(),
        String.format("%,d", parameterCount()));
  }

  @Override
  public Tensor forward(Tensor x, int[] labels) {
    if (labels != null) {
      throw new IllegalArgumentException(
          "DcganDiscriminator is unconditional; labels must be null");
    }
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
    return convs.get(convs.size() - 1).forward(x).reshape(x.size(0), 1);
  }
}
