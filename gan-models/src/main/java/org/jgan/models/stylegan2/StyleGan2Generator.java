package org.jgan.models.stylegan2;

import java.util.LinkedHashMap;
import java.util.Map;
import org.jgan.core.kernels.DataFormat;
import org.jgan.core.nn.Functional;
import org.jgan.core.nn.ModuleDict;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.models.Progressive;
import org.jgan.models.Stage;
import org.jgan.models.StyleGenerator;
import org.jgan.models.blocks.ConstantInput;
import org.jgan.models.blocks.Fir;
import org.jgan.models.blocks.MappingNetwork;
import org.jgan.models.blocks.NoiseMode;
import org.jgan.models.blocks.ToRgb;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * StyleGAN2 generator with the skip architecture (StyleGAN2-ADA {@code SynthesisNetwork}): a
 * learned constant {@code N(0, 1)} at 4x4; each block up-samples with its first layer and adds its
 * toRGB to the up-sampled image so far:
 *
 * <pre>
 *   img_r = upsample2d(img_{r/2}) + toRGB_r(x_r, w)
 * </pre>
 *
 * Latent use follows ADA: block 4 takes {@code ws[0]} (conv1) and {@code ws[1]} (toRGB); block k >
 * 0 takes {@code ws[2k-1]} (conv0), {@code ws[2k]} (conv1), {@code ws[2k+1]} (toRGB). With
 * progressive growing the stage's toRGB fades in: {@code img_r = upsample2d(img_{r/2}) + alpha
 * toRGB_r(x_r, w)}.
 */
public final class StyleGan2Generator extends StyleGenerator implements Progressive {
  private static final Logger LOG = LoggerFactory.getLogger(StyleGan2Generator.class);

  private final StyleGan2Config config;
  private final MappingNetwork mapping;
  private final ConstantInput constant;
  private final Map<Integer, SynthesisLayer[]> layers = new LinkedHashMap<>();
  private final Map<Integer, ToRgb> toRgb = new LinkedHashMap<>();
  private final Stage stage;

  /** A generator for {@code config}, at its full resolution. */
  public StyleGan2Generator(StyleGan2Config config, long seed) {
    super(config);
    this.config = config;
    Rng rng = new Rng(seed);
    this.mapping =
        child(
            "mapping",
            new MappingNetwork(
                config.zDim(),
                config.labelCount(),
                config.wDim(),
                config.numWs(),
                config.mappingLayers(),
                config.mappingLrMul(),
                0.995,
                rng));
    ModuleDict synthesis = child("synthesis", new ModuleDict());
    int w = config.wDim();
    for (int r = 4; r <= config.resolution(); r *= 2) {
      ModuleDict b = synthesis.put("b" + r, new ModuleDict());
      int c = config.channels(r);
      if (r == 4) {
        layers.put(
            r,
            new SynthesisLayer[] {
              b.put("conv1", new SynthesisLayer(c, c, w, r, false, config.convClamp(), rng))
            });
      } else {
        layers.put(
            r,
            new SynthesisLayer[] {
              b.put(
                  "conv0",
                  new SynthesisLayer(
                      config.channels(r / 2), c, w, r, true, config.convClamp(), rng)),
              b.put("conv1", new SynthesisLayer(c, c, w, r, false, config.convClamp(), rng))
            });
      }
      toRgb.put(
          r, b.put("torgb", new ToRgb(c, config.imageChannels(), w, config.convClamp(), rng)));
    }
    this.constant =
        ((ModuleDict) synthesis.children().get("b4"))
            .put("input", new ConstantInput(config.channels(4), 4, rng));
    this.stage = new Stage(4, config.resolution(), config.progressive(), Stage.Filter.FIR);
    LOG.info(
        "StyleGAN2 generator {}x{}{}{}: {} parameters",
        config.resolution(),
        config.resolution(),
        config.labelCount() > 0 ? ", " + config.labelCount() + " classes" : "",
        config.progressive() ? ", progressive" : "",
        String.format("%,d", parameterCount()));
  }

  /** The configuration. */
  public StyleGan2Config config() {
    return config;
  }

  @Override
  public MappingNetwork mappingNetwork() {
    return mapping;
  }

  @Override
  public Tensor firstStyleWeight() {
    return layers.get(4)[0].affine().effectiveWeight();
  }

  @Override
  public Stage stage() {
    return stage;
  }

  /**
   * {@inheritDoc}
   *
   * <p>The feature maps are in the config's layout ({@link StyleGan2Config#layout()}, channels-last
   * by default) from the constant to each toRGB, whose image comes back NCHW (for one channel the
   * same memory): oneDNN's convolutions then need no reorders and the FIR filters run as depthwise
   * convolutions.
   */
  @Override
  public Tensor synthesis(Tensor ws, NoiseMode noiseMode, Rng rng) {
    checkWs(ws);
    DataFormat f = config.layout();
    Tensor x = constant.forward(ws.size(0), f).to(ws.dtype());
    Tensor img = null;
    int wi = 0;
    for (int r = 4; r <= stage.resolution(); r *= 2) {
      SynthesisLayer[] ls = layers.get(r);
      for (SynthesisLayer l : ls) {
        x = l.forward(x, w(ws, wi++), noiseMode, rng, f);
      }
      Tensor rgb = Functional.relayout(toRgb.get(r).forward(x, w(ws, wi), f), f, DataFormat.NCHW);
      if (r == stage.resolution() && stage.fading()) {
        rgb = rgb.mul(stage.alpha());
      }
      img = img == null ? rgb : Fir.STYLEGAN2.upsample2d(img).add(rgb);
    }
    return img;
  }

  private static Tensor w(Tensor ws, int i) {
    return ws.slice(1, i, i + 1).squeeze(1);
  }
}
