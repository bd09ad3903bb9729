package org.jgan.models.dcgan;

import java.util.ArrayList;
import java.util.List;
import org.jgan.core.kernels.Shapes;
import org.jgan.core.nn.BatchNorm;
import org.jgan.core.nn.ConvTranspose2d;
import org.jgan.core.nn.Embedding;
import org.jgan.core.nn.Module;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.models.Generator;
import org.jgan.models.Sampling;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DCGAN generator: {@code z [N, zDim]} as a 1x1 map, a transposed convolution with a kernel of the
 * base size to {@code [c0, b, b]}, then stride-2 transposed convolutions (4x4, padding 1), each but
 * the last followed by batch norm and ReLU; the last maps to the image channels with tanh. Channels
 * halve at each doubling down to {@code gChannels}. When conditional, the label's one-hot vector is
 * concatenated to {@code z} (the conditional GAN of Mirza and Osindero 2014).
 */
public final class DcganGenerator extends Generator {
  private static final Logger LOG = LoggerFactory.getLogger(DcganGenerator.class);

  private final DcganConfig config;
  private final List<ConvTranspose2d> convs = new ArrayList<>();
  private final List<BatchNorm> norms = new ArrayList<>();

  /** A generator for {@code config}. */
  public DcganGenerator(DcganConfig config, long seed) {
    super(config);
    this.config = config;
    Rng rng = new Rng(seed);
    int n = config.doublings();
    int ch = config.gChannels() << (n - 1);
    convs.add(
        child(
            "conv0",
            new ConvTranspose2d(
                config.zDim() + config.labelCount(), ch, config.baseSize(), 1, 0, false, rng)));
    norms.add(child("bn0", BatchNorm.of2d(ch)));
    for (int i = 1; i < n; i++) {
      convs.add(child("conv" + i, new ConvTranspose2d(ch, ch / 2, 4, 2, 1, false, rng)));
      norms.add(child("bn" + i, BatchNorm.of2d(ch / 2)));
      ch /= 2;
    }
    convs.add(
        child("conv" + n, new ConvTranspose2d(ch, config.imageChannels(), 4, 2, 1, false, rng)));
    DcganInit.apply(this, rng);
    LOG.info(
        "DCGAN generator {}x{}: {} parameters",
        config.resolution(),
        config.resolution(),
        String.format("%,d", parameterCount()));
  }

  /** The layers, for inspection. */
  public List<Module> layers() {
    List<Module> l = new ArrayList<>(convs);
    l.addAll(norms);
    return l;
  }

  @Override
  public Tensor forward(Tensor z, int[] labels, Sampling sampling) {
    Shapes.check(z.shape(), "DcganGenerator z", -1, config.zDim());
    checkLabels(labels, z.size(0));
    checkNoTruncation(sampling);
    Tensor x = z;
    if (labels != null) {
      x = Tensor.concat(1, z, Embedding.oneHot(labels, config.labelCount(), z.dtype()));
    }
    x = x.reshape(z.size(0), x.size(1), 1, 1);
    for (int i = 0; i < convs.size() - 1; i++) {
      x = norms.get(i).forward(convs.get(i).forward(x)).relu();
    }
    return convs.get(convs.size() - 1).forward(x).tanh();
  }
}
