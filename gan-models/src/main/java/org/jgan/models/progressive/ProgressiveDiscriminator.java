package org.jgan.models.progressive;

import java.util.LinkedHashMap;
import java.util.Map;
import org.jgan.core.kernels.Shapes;
import org.jgan.core.nn.Functional;
import org.jgan.core.nn.ModuleDict;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.models.Discriminator;
import org.jgan.models.Progressive;
import org.jgan.models.Stage;
import org.jgan.models.blocks.Act;
import org.jgan.models.blocks.EqualizedConv2d;
import org.jgan.models.blocks.EqualizedLinear;
import org.jgan.models.blocks.MinibatchStdDev;
import org.jgan.models.blocks.ProjectionHead;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Progressive GAN discriminator ({@code D_paper}), also StyleGAN's: a 1x1 fromRGB per resolution;
 * at each resolution above 4 two 3x3 convolutions and 2x2 average pooling; at 4x4 minibatch
 * standard deviation, a 3x3 convolution and two dense layers to one logit; leaky ReLU throughout.
 * When conditional, the last dense layer is a projection on the label's embedding ({@link
 * ProjectionHead}), as in StyleGAN2-ADA's conditional discriminator. At stage {@code r} with
 * fade-in {@code alpha}, after the stage's block:
 *
 * <pre>
 *   x = lerp(fromRGB_{r/2}(avgpool(img)), block_r(fromRGB_r(img)), alpha)
 * </pre>
 */
public final class ProgressiveDiscriminator extends Discriminator implements Progressive {
  private static final Logger LOG = LoggerFactory.getLogger(ProgressiveDiscriminator.class);

  private final int imageChannels;

  private final Map<Integer, EqualizedConv2d> fromRgb = new LinkedHashMap<>();
  private final Map<Integer, EqualizedConv2d[]> convs = new LinkedHashMap<>();
  private final MinibatchStdDev mbstd;
  private final EqualizedConv2d conv4;
  private final EqualizedLinear fc;
  private final EqualizedLinear out;
  private final ProjectionHead projection;
  private final Stage stage;

  /**
   * A discriminator for {@code imageChannels x resolution x resolution} images with channels {@code
   * min(channelBase / r, channelMax)} at resolution r, conditioned on {@code labelCount} classes
   * (0: unconditional).
   */
  public ProgressiveDiscriminator(
      int imageChannels,
      int resolution,
      int channelBase,
      int channelMax,
      int mbstdGroup,
      int labelCount,
      long seed) {
    super(labelCount);
    this.imageChannels = imageChannels;

    Rng rng = new Rng(seed);
    for (int r = resolution; r >= 4; r /= 2) {
      int c = Math.min(channelBase / r, channelMax);
      ModuleDict b = child("b" + r, new ModuleDict());
      fromRgb.put(r, b.put("fromrgb", new EqualizedConv2d(imageChannels, c, 1, Act.LRELU, rng)));
      if (r > 4) {
        int next = Math.min(channelBase / (r / 2), channelMax);
        convs.put(
            r,
            new EqualizedConv2d[] {
              b.put("conv0", new EqualizedConv2d(c, c, 3, Act.LRELU, rng)),
              b.put("conv1", new EqualizedConv2d(c, next, 3, Act.LRELU, rng))
            });
      }
    }
    int c4 = Math.min(channelBase / 4, channelMax);
    ModuleDict b4 = (ModuleDict) children().get("b4");
    this.mbstd = new MinibatchStdDev(mbstdGroup, 1);
    this.conv4 = b4.put("conv", new EqualizedConv2d(c4 + 1, c4, 3, Act.LRELU, rng));
    this.fc = b4.put("fc", new EqualizedLinear(c4 * 16, c4, Act.LRELU, rng));
    if (labelCount > 0) {
      this.out = null;
      this.projection = b4.put("projection", new ProjectionHead(c4, labelCount, c4, 1, 1.0, rng));
    } else {
      this.out = b4.put("out", new EqualizedLinear(c4, 1, Act.LINEAR, rng));
      this.projection = null;
    }
    this.stage = new Stage(4, resolution, true);
    LOG.info(
        "progressive GAN discriminator up to {}x{}: {} parameters",
        resolution,
        resolution,
        String.format("%,d", parameterCount()));
  }

  @Override
  public Stage stage() {
    return stage;
  }

  private Tensor block(int r, Tensor x) {
    for (EqualizedConv2d c : convs.get(r)) {
      x = c.forward(x);
    }
    return Functional.avgPool2d(x, 2);
  }

  @Override
  public Tensor forward(Tensor img, int[] labels) {
    checkLabels(labels, img.size(0));
    Shapes.check(
        img.shape(),
        "ProgressiveDiscriminator input at stage " + stage.resolution(),
        -1,
        imageChannels,
        stage.resolution(),
        stage.resolution());
    Tensor x = fromRgb.get(stage.resolution()).forward(img);
    if (stage.resolution() > 4) {
      x = block(stage.resolution(), x);
      if (stage.fading()) {
        Tensor low = fromRgb.get(stage.resolution() / 2).forward(Functional.avgPool2d(img, 2));
        x = stage.blend(low, x);
      }
      for (int r = stage.resolution() / 2; r > 4; r /= 2) {
        x = block(r, x);
      }
    }
    x = conv4.forward(mbstd.forward(x));
    Tensor h = fc.forward(x.flatten(1));
    return projection != null ? projection.forward(h, labels) : out.forward(h);
  }
}
