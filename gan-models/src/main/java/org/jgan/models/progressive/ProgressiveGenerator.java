package org.jgan.models.progressive;

import java.util.LinkedHashMap;
import java.util.Map;
import org.jgan.core.kernels.Shapes;
import org.jgan.core.nn.Embedding;
import org.jgan.core.nn.Functional;
import org.jgan.core.nn.ModuleDict;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.models.Generator;
import org.jgan.models.Progressive;
import org.jgan.models.Sampling;
import org.jgan.models.Stage;
import org.jgan.models.blocks.Act;
import org.jgan.models.blocks.EqualizedConv2d;
import org.jgan.models.blocks.EqualizedLinear;
import org.jgan.models.blocks.PixelNorm;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Progressive GAN generator ({@code G_paper}): pixel-normalised {@code z}; at 4x4 a dense layer to
 * {@code [C, 4, 4]} and a 3x3 convolution; at each higher resolution nearest 2x up-sampling and two
 * 3x3 convolutions; every convolution is followed by leaky ReLU and pixel norm. Each resolution has
 * a 1x1 toRGB. When conditional, a label embedding (a dense layer on the one-hot label), pixel
 * normalised, is concatenated to the normalised {@code z} before the first layer. At stage {@code
 * r} with fade-in {@code alpha}:
 *
 * <pre>
 *   img = lerp(upsample(toRGB_{r/2}(x_{r/2})), toRGB_r(x_r), alpha)
 * </pre>
 */
public final class ProgressiveGenerator extends Generator implements Progressive {
  private static final Logger LOG = LoggerFactory.getLogger(ProgressiveGenerator.class);

  private final ProgressiveConfig config;
  private final EqualizedLinear dense;
  private final EqualizedLinear embed;
  private final Map<Integer, EqualizedConv2d[]> convs = new LinkedHashMap<>();
  private final Map<Integer, EqualizedConv2d> toRgb = new LinkedHashMap<>();
  private final Stage stage;

  /** A generator for {@code config}, at its full resolution. */
  public ProgressiveGenerator(ProgressiveConfig config, long seed) {
    super(config);
    this.config = config;
    Rng rng = new Rng(seed);
    int c4 = config.channels(4);
    int k = config.labelCount();
    this.embed =
        k > 0 ? child("embed", new EqualizedLinear(k, config.zDim(), Act.LINEAR, rng)) : null;
    int in = config.zDim() * (k > 0 ? 2 : 1);
    this.dense = child("b4_dense", new EqualizedLinear(in, c4 * 16, Act.LRELU, rng));
    for (int r = 4; r <= config.resolution(); r *= 2) {
      ModuleDict b = child("b" + r, new ModuleDict());
      int c = config.channels(r);
      EqualizedConv2d[] cs =
          r == 4
              ? new EqualizedConv2d[] {b.put("conv", new EqualizedConv2d(c, c, 3, Act.LRELU, rng))}
              : new EqualizedConv2d[] {
                b.put("conv0", new EqualizedConv2d(config.channels(r / 2), c, 3, Act.LRELU, rng)),
                b.put("conv1", new EqualizedConv2d(c, c, 3, Act.LRELU, rng))
              };
      convs.put(r, cs);
      toRgb.put(
          r, b.put("torgb", new EqualizedConv2d(c, config.imageChannels(), 1, Act.LINEAR, rng)));
    }
    this.stage = new Stage(4, config.resolution(), true);
    LOG.info(
        "progressive GAN generator up to {}x{}: {} parameters",
        config.resolution(),
        config.resolution(),
        String.format("%,d", parameterCount()));
  }

  @Override
  public Stage stage() {
    return stage;
  }

  @Override
  public Tensor forward(Tensor z, int[] labels, Sampling sampling) {
    Shapes.check(z.shape(), "ProgressiveGenerator z", -1, config.zDim());
    checkLabels(labels, z.size(0));
    checkNoTruncation(sampling);
    Tensor in = PixelNorm.apply(z);
    if (embed != null) {
      Tensor y = embed.forward(Embedding.oneHot(labels, config.labelCount(), z.dtype()));
      in = Tensor.concat(1, in, PixelNorm.apply(y));
    }
    Tensor x = dense.forward(in).reshape(z.size(0), config.channels(4), 4, 4);
    x = PixelNorm.apply(x);
    Tensor previous = null;
    for (int r = 4; r <= stage.resolution(); r *= 2) {
      if (r > 4) {
        previous = x;
        x = Functional.upsampleNearest2d(x, 2);
      }
      for (EqualizedConv2d c : convs.get(r)) {
        x = PixelNorm.apply(c.forward(x));
      }
    }
    Tensor img = toRgb.get(stage.resolution()).forward(x);
    if (stage.fading()) {
      Tensor low =
          Functional.upsampleNearest2d(toRgb.get(stage.resolution() / 2).forward(previous), 2);
      img = stage.blend(low, img);
    }
    return img;
  }
}
