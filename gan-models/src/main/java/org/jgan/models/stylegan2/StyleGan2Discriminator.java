package org.jgan.models.stylegan2;

import java.util.LinkedHashMap;
import java.util.Map;
import org.jgan.core.kernels.DataFormat;
import org.jgan.core.kernels.Shapes;
import org.jgan.core.nn.Functional;
import org.jgan.core.nn.Module;
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
import org.jgan.models.blocks.Resample;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * StyleGAN2's residual discriminator (StyleGAN2-ADA {@code Discriminator}, {@code resnet}): a 1x1
 * fromRGB at the top resolution, then per resolution down to 8
 *
 * <pre>
 *   y = Conv1x1_down(x, no bias) * sqrt(0.5)
 *   x = Conv3x3_down(Conv3x3(x)), the second with activation gain sqrt(2) sqrt(0.5)
 *   x = y + x
 * </pre>
 *
 * and at 4x4 the epilogue: minibatch stddev, 3x3 conv, dense {@code 16C -> C}, dense to one logit,
 * or, when conditional, to {@code cmapDim} features projected on the label embedding ({@link
 * ProjectionHead}). With progressive growing every resolution has a fromRGB and the stage's block
 * fades in over {@code fromRGB_{r/2}(downsample2d(img))}.
 */
public final class StyleGan2Discriminator extends Discriminator implements Progressive {
  private static final Logger LOG = LoggerFactory.getLogger(StyleGan2Discriminator.class);

  private final StyleGan2Config config;
  private final Map<Integer, EqualizedConv2d> fromRgb = new LinkedHashMap<>();
  private final Map<Integer, Block> blocks = new LinkedHashMap<>();
  private final MinibatchStdDev mbstd;
  private final EqualizedConv2d conv;
  private final EqualizedLinear fc;
  private final EqualizedLinear out;
  private final ProjectionHead projection;
  private final Stage stage;

  /** A discriminator for {@code config}, at its full resolution. */
  public StyleGan2Discriminator(StyleGan2Config config, long seed) {
    super(config.labelCount());
    this.config = config;
    Rng rng = new Rng(seed);
    for (int r = config.resolution(); r >= 4; r /= 2) {
      ModuleDict b = child("b" + r, new ModuleDict());
      if (r == config.resolution() || config.progressive()) {
        fromRgb.put(
            r,
            b.put(
                "fromrgb",
                new EqualizedConv2d(
                    config.imageChannels(),
                    config.channels(r),
                    1,
                    Act.LRELU,
                    true,
                    1.0,
                    Resample.NONE,
                    config.convClamp(),
                    rng)));
      }
      if (r > 4) {
        blocks.put(
            r,
            b.put(
                "block",
                new Block(config.channels(r), config.channels(r / 2), config.convClamp(), rng)));
      }
    }
    ModuleDict b4 = (ModuleDict) children().get("b4");
    int c4 = config.channels(4);
    this.mbstd = new MinibatchStdDev(config.mbstdGroup(), config.mbstdChannels());
    this.conv =
        b4.put(
            "conv",
            new EqualizedConv2d(
                c4 + config.mbstdChannels(),
                c4,
                3,
                Act.LRELU,
                true,
                1.0,
                Resample.NONE,
                config.convClamp(),
                rng));
    this.fc = b4.put("fc", new EqualizedLinear(c4 * 16, c4, Act.LRELU, rng));
    if (config.labelCount() > 0) {
      this.out = null;
      this.projection =
          b4.put(
              "projection",
              new ProjectionHead(c4, config.labelCount(), c4, config.dMappingLayers(), 0.01, rng));
    } else {
      this.out = b4.put("out", new EqualizedLinear(c4, 1, Act.LINEAR, rng));
      this.projection = null;
    }
    this.stage = new Stage(4, config.resolution(), config.progressive(), Stage.Filter.FIR);
    LOG.info(
        "StyleGAN2 discriminator {}x{}{}: {} parameters",
        config.resolution(),
        config.resolution(),
        config.labelCount() > 0 ? ", projection on " + config.labelCount() + " classes" : "",
        String.format("%,d", parameterCount()));
  }

  /** A residual block (ADA {@code DiscriminatorBlock}, resnet architecture). */
  static final class Block extends Module {
    private final EqualizedConv2d conv0;
    private final EqualizedConv2d conv1;
    private final EqualizedConv2d skip;

    Block(int in, int out, double clamp, Rng rng) {
      this.conv0 =
          child(
              "conv0",
              new EqualizedConv2d(in, in, 3, Act.LRELU, true, 1.0, Resample.NONE, clamp, rng));
      this.conv1 =
          child(
              "conv1",
              new EqualizedConv2d(
                  in, out, 3, Act.LRELU, true, Math.sqrt(0.5), Resample.DOWN, clamp, rng));
      this.skip =
          child(
              "skip",
              new EqualizedConv2d(
                  in, out, 1, Act.LINEAR, false, Math.sqrt(0.5), Resample.DOWN, rng));
    }

    Tensor forward(Tensor x, DataFormat f) {
      return skip.forward(x, f).add(conv1.forward(conv0.forward(x, f), f));
    }
  }

  @Override
  public Stage stage() {
    return stage;
  }

  @Override
  public Tensor forward(Tensor img, int[] labels) {
    Shapes.check(
        img.shape(),
        "StyleGan2Discriminator input at stage " + stage.resolution(),
        -1,
        config.imageChannels(),
        stage.resolution(),
        stage.resolution());
    checkLabels(labels, img.size(0));
    // The config's layout (channels-last by default) down to the 4x4 epilogue, as the generator;
    // NCHW from the minibatch standard deviation on, whose flattening order the dense layer's
    // weights depend on.
    DataFormat f = config.layout();
    Tensor x =
        fromRgb.get(stage.resolution()).forward(Functional.relayout(img, DataFormat.NCHW, f), f);
    if (stage.resolution() > 4) {
      x = blocks.get(stage.resolution()).forward(x, f);
      if (stage.fading()) {
        Tensor low =
            fromRgb
                .get(stage.resolution() / 2)
                .forward(Functional.relayout(downsampleImages(img), DataFormat.NCHW, f), f);
        x = stage.blend(low, x);
      }
      for (int r = stage.resolution() / 2; r > 4; r /= 2) {
        x = blocks.get(r).forward(x, f);
      }
    }
    x = Functional.relayout(x, f, DataFormat.NCHW);
    Tensor stats = config.mbstdByLabel() ? mbstd.forward(x, labels) : mbstd.forward(x);
    Tensor h = fc.forward(conv.forward(stats).flatten(1));
    return projection != null ? projection.forward(h, labels) : out.forward(h);
  }
}
