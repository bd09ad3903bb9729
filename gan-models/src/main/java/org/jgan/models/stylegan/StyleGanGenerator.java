package org.jgan.models.stylegan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jgan.core.nn.Functional;
import org.jgan.core.nn.Module;
import org.jgan.core.nn.ModuleDict;
import org.jgan.core.nn.Parameter;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.models.Progressive;
import org.jgan.models.Stage;
import org.jgan.models.StyleGenerator;
import org.jgan.models.blocks.Act;
import org.jgan.models.blocks.AdaIn;
import org.jgan.models.blocks.ConstantInput;
import org.jgan.models.blocks.EqualizedConv2d;
import org.jgan.models.blocks.Fir;
import org.jgan.models.blocks.MappingNetwork;
import org.jgan.models.blocks.NoiseInjection;
import org.jgan.models.blocks.NoiseMode;
import org.jgan.models.blocks.Resample;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * StyleGAN generator ({@code G_style}, {@code G_synthesis}). Synthesis starts from a learned
 * constant (ones); every layer ends with StyleGAN's epilogue, in this order:
 *
 * <pre>
 *   + noise * strength_c  ->  + bias  ->  lrelu  ->  instance norm  ->  style (AdaIN with w_i)
 * </pre>
 *
 * At 4x4: constant, epilogue, 3x3 conv, epilogue. Above: nearest 2x up-sampling, 3x3 conv, [1, 2,
 * 1] blur, epilogue, 3x3 conv, epilogue. A 1x1 toRGB per resolution; progressive growing blends
 * {@code upsample(toRGB_{r/2})} into {@code toRGB_r} by alpha.
 */
public final class StyleGanGenerator extends StyleGenerator implements Progressive {
  private static final Logger LOG = LoggerFactory.getLogger(StyleGanGenerator.class);

  private final MappingNetwork mapping;
  private final ConstantInput constant;
  private final Map<Integer, EqualizedConv2d[]> convs = new LinkedHashMap<>();
  private final Map<Integer, Epilogue[]> epilogues = new LinkedHashMap<>();
  private final Map<Integer, EqualizedConv2d> toRgb = new LinkedHashMap<>();
  private final Stage stage;

  /** A generator for {@code config}, at its full resolution. */
  public StyleGanGenerator(StyleGanConfig config, long seed) {
    super(config);
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
                0.01,
                0.995,
                rng));
    ModuleDict synthesis = child("synthesis", new ModuleDict());
    this.constant = synthesis.put("input", new ConstantInput(config.channels(4), 4, null));
    for (int r = 4; r <= config.resolution(); r *= 2) {
      ModuleDict b = synthesis.put("b" + r, new ModuleDict());
      int c = config.channels(r);
      int in = r == 4 ? c : config.channels(r / 2);
      List<EqualizedConv2d> cs = new ArrayList<>();
      if (r > 4) {
        cs.add(
            b.put(
                "conv0",
                new EqualizedConv2d(in, c, 3, Act.LINEAR, false, 1.0, Resample.NONE, rng)));
      }
      cs.add(
          b.put("conv1", new EqualizedConv2d(c, c, 3, Act.LINEAR, false, 1.0, Resample.NONE, rng)));
      convs.put(r, cs.toArray(new EqualizedConv2d[0]));
      epilogues.put(
          r,
          new Epilogue[] {
            b.put("epi0", new Epilogue(c, r, config.wDim(), rng)),
            b.put("epi1", new Epilogue(c, r, config.wDim(), rng))
          });
      toRgb.put(
          r, b.put("torgb", new EqualizedConv2d(c, config.imageChannels(), 1, Act.LINEAR, rng)));
    }
    this.stage = new Stage(4, config.resolution(), true);
    LOG.info(
        "StyleGAN generator {}x{}: {} parameters",
        config.resolution(),
        config.resolution(),
        String.format("%,d", parameterCount()));
  }

  /** Noise, bias, leaky ReLU, then AdaIN: StyleGAN's {@code layer_epilogue}. */
  static final class Epilogue extends Module {
    private final NoiseInjection noise;
    private final Parameter bias;
    private final AdaIn adain;

    Epilogue(int channels, int resolution, int wDim, Rng rng) {
      this.noise = child("noise", new NoiseInjection(channels, resolution, rng));
      this.bias = param("bias", Tensor.zeros(DType.FLOAT32, channels));
      this.adain = child("adain", new AdaIn(channels, wDim, rng));
    }

    Tensor forward(Tensor x, Tensor w, NoiseMode mode, Rng rng) {
      Tensor y = Act.LRELU.apply(noise.forward(x, mode, rng), bias.value(), 1.0);
      return adain.forward(y, w);
    }
  }

  @Override
  public MappingNetwork mappingNetwork() {
    return mapping;
  }

  @Override
  public Tensor firstStyleWeight() {
    return epilogues.get(4)[0].adain.affine().effectiveWeight();
  }

  @Override
  public Stage stage() {
    return stage;
  }

  @Override
  public Tensor synthesis(Tensor ws, NoiseMode noiseMode, Rng rng) {
    checkWs(ws);
    Tensor x = constant.forward(ws.size(0)).to(ws.dtype());
    Tensor previous = null;
    int wi = 0;
    for (int r = 4; r <= stage.resolution(); r *= 2) {
      Epilogue[] epi = epilogues.get(r);
      EqualizedConv2d[] cs = convs.get(r);
      if (r == 4) {
        x = epi[0].forward(x, w(ws, wi++), noiseMode, rng);
        x = epi[1].forward(cs[0].forward(x), w(ws, wi++), noiseMode, rng);
      } else {
        previous = x;
        x = Fir.STYLEGAN.filter(cs[0].forward(Functional.upsampleNearest2d(x, 2)), 1, 1, 1.0);
        x = epi[0].forward(x, w(ws, wi++), noiseMode, rng);
        x = epi[1].forward(cs[1].forward(x), w(ws, wi++), noiseMode, rng);
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

  private static Tensor w(Tensor ws, int i) {
    return ws.slice(1, i, i + 1).squeeze(1);
  }
}
