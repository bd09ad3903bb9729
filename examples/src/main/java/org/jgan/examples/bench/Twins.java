package org.jgan.examples.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jgan.core.autograd.Autograd;
import org.jgan.core.autograd.GradMode;
import org.jgan.core.kernels.DataFormat;
import org.jgan.core.nn.Conv2d;
import org.jgan.core.nn.ConvTranspose2d;
import org.jgan.core.nn.Functional;
import org.jgan.core.nn.Linear;
import org.jgan.core.nn.Module;
import org.jgan.core.nn.ModuleDict;
import org.jgan.core.nn.Parameter;
import org.jgan.core.optim.Adam;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.models.blocks.Act;
import org.jgan.models.blocks.ConstantInput;
import org.jgan.models.blocks.EqualizedConv2d;
import org.jgan.models.blocks.EqualizedLinear;
import org.jgan.models.blocks.Fir;
import org.jgan.models.blocks.MinibatchStdDev;
import org.jgan.models.blocks.NoiseMode;
import org.jgan.models.blocks.PixelNorm;
import org.jgan.models.blocks.Resample;
import org.jgan.models.blocks.ToRgb;
import org.jgan.models.stylegan2.SynthesisLayer;

/**
 * The two benchmark networks of the project's TWINS specification, built from the library's public
 * API, with the training steps it states. Their PyTorch twins are in {@code
 * examples/bench/twins.py}, with the same parameter names so that weights move between the two
 * through safetensors.
 */
public final class Twins {
  private Twins() {}

  // ---------------------------------------------------------------- DCGAN-28

  /** DCGAN-28's generator: Linear(100, 6272), lrelu, 2 transposed convs, tanh. */
  public static final class DcganG extends Module {
    final Linear fc;
    final ConvTranspose2d deconv1;
    final ConvTranspose2d deconv2;

    DcganG(Rng rng) {
      fc = child("fc", new Linear(100, 128 * 7 * 7, rng));
      deconv1 = child("deconv1", new ConvTranspose2d(128, 64, 4, 2, 1, true, rng));
      deconv2 = child("deconv2", new ConvTranspose2d(64, 1, 4, 2, 1, true, rng));
      initDcgan(this, rng);
    }

    Tensor forward(Tensor z) {
      Tensor x = fc.forward(z).leakyRelu(0.2).reshape(z.size(0), 128, 7, 7);
      return deconv2.forward(deconv1.forward(x).leakyRelu(0.2)).tanh();
    }
  }

  /** DCGAN-28's discriminator: 2 strided convs with lrelu, Linear(6272, 1). */
  public static final class DcganD extends Module {
    final Conv2d conv1;
    final Conv2d conv2;
    final Linear fc;

    DcganD(Rng rng) {
      conv1 = child("conv1", new Conv2d(1, 64, 4, 2, 1, true, rng));
      conv2 = child("conv2", new Conv2d(64, 128, 4, 2, 1, true, rng));
      fc = child("fc", new Linear(128 * 7 * 7, 1, rng));
      initDcgan(this, rng);
    }

    Tensor forward(Tensor x) {
      Tensor h = conv2.forward(conv1.forward(x).leakyRelu(0.2)).leakyRelu(0.2);
      return fc.forward(h.flatten(1));
    }
  }

  private static void initDcgan(Module m, Rng rng) {
    for (var e : m.namedParameters().entrySet()) {
      Parameter p = e.getValue();
      Tensor v =
          e.getKey().endsWith("bias")
              ? Tensor.zeros(DType.FLOAT32, p.shape())
              : rng.normal(DType.FLOAT32, 0, 0.02, p.shape());
      p.copyFrom(v.data(), e.getKey());
    }
  }

  /** DCGAN-28 with its optimisers and one training step (TWINS.md). */
  public static final class Dcgan {
    final DcganG g;
    final DcganD d;
    final Adam optG;
    final Adam optD;
    final Rng rng;

    /** Networks and Adam(2e-4, 0.5, 0.999) for both. */
    public Dcgan(long seed) {
      Rng r = new Rng(seed);
      g = new DcganG(r.split(1));
      d = new DcganD(r.split(2));
      optG = new Adam(g.namedParameters(), 2e-4, 0.5, 0.999, 1e-8, 0);
      optD = new Adam(d.namedParameters(), 2e-4, 0.5, 0.999, 1e-8, 0);
      rng = r.split(3);
    }

    /** The generator's state dict (parameter names as the PyTorch and DJL twins'). */
    public Map<String, Tensor> generatorState() {
      return g.stateDict();
    }

    /** The discriminator's state dict. */
    public Map<String, Tensor> discriminatorState() {
      return d.stateDict();
    }

    /** One D step and one G step on the same fakes; returns {lossD, lossG}. */
    public double[] step(Tensor real) {
      Tensor z = rng.normal(DType.FLOAT32, real.size(0), 100);
      Tensor fake = g.forward(z);
      optD.zeroGrad();
      Tensor lossD =
          d.forward(real).neg().softplus().mean().add(d.forward(fake.detach()).softplus().mean());
      lossD.backward();
      optD.step();
      optG.zeroGrad();
      setRequiresGrad(d, false);
      Tensor lossG = d.forward(fake).neg().softplus().mean();
      lossG.backward();
      setRequiresGrad(d, true);
      optG.step();
      return new double[] {lossD.item(), lossG.item()};
    }
  }

  // ---------------------------------------------------------------- SG2-32 and SG2-64-RGB

  /**
   * The sizes that tell the StyleGAN2 twins apart (TWINS.md): latent and w width, mapping depth,
   * image channels, resolution and the channels at each resolution (the generator's and the
   * discriminator's), and the batch of the training rows.
   */
  public record Sg2Spec(
      String name,
      int zDim,
      int mappingLayers,
      int imageChannels,
      int resolution,
      Map<Integer, Integer> channels,
      int batch) {
    /** SG2-32: 1x32x32, z = w = 128, 4 mapping layers, 128 channels everywhere, batch 32. */
    public static final Sg2Spec SG2_32 =
        new Sg2Spec("sg2_32", 128, 4, 1, 32, Map.of(4, 128, 8, 128, 16, 128, 32, 128), 32);

    /**
     * SG2-64-RGB: 3x64x64, z = w = 256, 8 mapping layers, 256 channels up to 16x16, 128 at 32, 64
     * at 64, batch 16.
     */
    public static final Sg2Spec SG2_64_RGB =
        new Sg2Spec("sg2_64", 256, 8, 3, 64, Map.of(4, 256, 8, 256, 16, 256, 32, 128, 64, 64), 16);

    /** Channels at resolution {@code res}. */
    public int ch(int res) {
      return channels.get(res);
    }
  }

  /**
   * The StyleGAN2 twins' generator: the mapping network, bilinear skip synthesis with modulated
   * convolutions. The synthesis runs channels-last (NHWC) from the constant to each toRGB, whose
   * image goes to NCHW (for one channel the same memory): the convolutions skip oneDNN's reorders,
   * the bilinear up-sampling is libnd4j's native resize.
   */
  public static final class Sg2G extends Module {
    final List<EqualizedLinear> mapping = new ArrayList<>();
    final ConstantInput constant;
    final List<SynthesisLayer[]> convs = new ArrayList<>();
    final List<ToRgb> torgb = new ArrayList<>();
    final DataFormat format;

    Sg2G(Sg2Spec spec, Rng rng) {
      this.format = DataFormat.NHWC;
      int z = spec.zDim();
      ModuleDict map = child("mapping", new ModuleDict());
      for (int i = 0; i < spec.mappingLayers(); i++) {
        mapping.add(map.put("fc" + i, new EqualizedLinear(z, z, Act.LRELU, 0.01, 0.0, rng)));
      }
      ModuleDict syn = child("synthesis", new ModuleDict());
      constant = syn.put("input", new ConstantInput(spec.ch(4), 4, rng));
      int prev = spec.ch(4);
      for (int res = 4; res <= spec.resolution(); res *= 2) {
        int c = spec.ch(res);
        ModuleDict b = syn.put("b" + res, new ModuleDict());
        convs.add(
            new SynthesisLayer[] {
              b.put("conv0", new SynthesisLayer(prev, c, z, res, false, rng)),
              b.put("conv1", new SynthesisLayer(c, c, z, res, false, rng))
            });
        torgb.add(b.put("torgb", new ToRgb(c, spec.imageChannels(), z, rng)));
        prev = c;
      }
    }

    Tensor mapping(Tensor z) {
      Tensor x = PixelNorm.apply(z);
      for (EqualizedLinear l : mapping) {
        x = l.forward(x);
      }
      return x;
    }

    Tensor synthesis(Tensor w, NoiseMode noise, Rng rng) {
      Tensor x = constant.forward(w.size(0), format);
      Tensor rgb = null;
      for (int i = 0; i < convs.size(); i++) {
        if (i > 0) {
          x = Fir.bilinearUp2(x, format);
        }
        for (SynthesisLayer l : convs.get(i)) {
          x = l.forward(x, w, noise, rng, format);
        }
        Tensor y = Functional.relayout(torgb.get(i).forward(x, w, format), format, DataFormat.NCHW);
        rgb = rgb == null ? y : Fir.bilinearUp2(rgb).add(y);
      }
      return rgb;
    }

    Tensor forward(Tensor z, NoiseMode noise, Rng rng) {
      return synthesis(mapping(z), noise, rng);
    }
  }

  /**
   * The StyleGAN2 twins' residual discriminator. Like the generator it runs channels-last up to the
   * 4x4 epilogue; the minibatch standard deviation and the flattening to the linear layers take
   * NCHW, as the specification's (C, H, W) order demands.
   */
  public static final class Sg2D extends Module {
    final EqualizedConv2d fromRgb;
    final List<EqualizedConv2d[]> blocks = new ArrayList<>();
    final MinibatchStdDev mbstd = new MinibatchStdDev(4, 1);
    final EqualizedConv2d conv;
    final EqualizedLinear fc;
    final EqualizedLinear out;
    final DataFormat format;

    Sg2D(Sg2Spec spec, Rng rng) {
      this.format = DataFormat.NHWC;
      int r = spec.resolution();
      fromRgb =
          child(
              "fromrgb", new EqualizedConv2d(spec.imageChannels(), spec.ch(r), 1, Act.LRELU, rng));
      for (int res = r; res > 4; res /= 2) {
        int in = spec.ch(res);
        int out = spec.ch(res / 2);
        ModuleDict b = child("b" + res, new ModuleDict());
        // (h + skip) / sqrt(2) with the 1 / sqrt(2) folded into conv1's activation gain (leaky
        // ReLU and average pooling are positively homogeneous) and into skip's weight, as the
        // library's StyleGAN2 discriminator does: no pass of its own.
        blocks.add(
            new EqualizedConv2d[] {
              b.put("conv0", new EqualizedConv2d(in, in, 3, Act.LRELU, rng)),
              b.put(
                  "conv1",
                  new EqualizedConv2d(
                      in, out, 3, Act.LRELU, true, Math.sqrt(0.5), Resample.NONE, rng)),
              b.put(
                  "skip",
                  new EqualizedConv2d(
                      in, out, 1, Act.LINEAR, false, Math.sqrt(0.5), Resample.NONE, rng))
            });
      }
      int c4 = spec.ch(4);
      ModuleDict epi = child("b4", new ModuleDict());
      conv = epi.put("conv", new EqualizedConv2d(c4 + 1, c4, 3, Act.LRELU, rng));
      fc = epi.put("fc", new EqualizedLinear(c4 * 16, c4, Act.LRELU, rng));
      out = epi.put("out", new EqualizedLinear(c4, 1, Act.LINEAR, rng));
    }

    Tensor forward(Tensor img) {
      DataFormat f = format;
      Tensor x = fromRgb.forward(Functional.relayout(img, DataFormat.NCHW, f), f);
      for (EqualizedConv2d[] b : blocks) {
        Tensor h = Functional.avgPool2d(b[1].forward(b[0].forward(x, f), f), 2, f);
        x = h.add(b[2].forward(Functional.avgPool2d(x, 2, f), f));
      }
      x = conv.forward(mbstd.forward(Functional.relayout(x, f, DataFormat.NCHW)));
      return out.forward(fc.forward(x.flatten(1)));
    }
  }

  /** A StyleGAN2 twin with its optimisers and one training step (TWINS.md). */
  public static final class Sg2 {
    final Sg2Spec spec;
    final Sg2G g;
    final Sg2D d;
    final Adam optG;
    final Adam optD;
    final Rng rng;
    final double r1Gamma;

    /**
     * Networks and Adam(2e-3, 0, 0.99); R1 with gamma 0.1 every step, or off when {@code r1} is
     * false.
     */
    public Sg2(Sg2Spec spec, long seed, boolean r1) {
      this.spec = spec;
      Rng r = new Rng(seed);
      g = new Sg2G(spec, r.split(1));
      d = new Sg2D(spec, r.split(2));
      optG = new Adam(g.namedParameters(), 2e-3, 0.0, 0.99, 1e-8, 0);
      optD = new Adam(d.namedParameters(), 2e-3, 0.0, 0.99, 1e-8, 0);
      rng = r.split(3);
      r1Gamma = r1 ? 0.1 : 0;
    }

    /** The generator's state dict (parameter names as the PyTorch and DJL twins'). */
    public Map<String, Tensor> generatorState() {
      return g.stateDict();
    }

    /** The discriminator's state dict. */
    public Map<String, Tensor> discriminatorState() {
      return d.stateDict();
    }

    /** One D step (fresh z, G without a graph) and one G step (fresh z, D frozen). */
    public double[] step(Tensor real) {
      long n = real.size(0);
      optD.zeroGrad();
      Tensor fake;
      try (GradMode.Guard off = GradMode.disabled()) {
        fake = g.forward(rng.normal(DType.FLOAT32, n, spec.zDim()), NoiseMode.RANDOM, rng);
      }
      Tensor x = Tensor.leaf(real.data(), r1Gamma > 0);
      Tensor realLogits = d.forward(x);
      Tensor lossD = d.forward(fake).softplus().mean().add(realLogits.neg().softplus().mean());
      if (r1Gamma > 0) {
        Tensor grad = Autograd.grad(realLogits.sum(), x, true);
        lossD = lossD.add(grad.square().sum(false, 1, 2, 3).mean().mul(r1Gamma / 2));
      }
      lossD.backward();
      optD.step();
      optG.zeroGrad();
      setRequiresGrad(d, false);
      Tensor lossG =
          d.forward(g.forward(rng.normal(DType.FLOAT32, n, spec.zDim()), NoiseMode.RANDOM, rng))
              .neg()
              .softplus()
              .mean();
      lossG.backward();
      setRequiresGrad(d, true);
      optG.step();
      return new double[] {lossD.item(), lossG.item()};
    }
  }

  static void setRequiresGrad(Module m, boolean on) {
    for (Parameter p : m.parameters()) {
      p.setRequiresGrad(on);
    }
  }

  /** Multiply-adds of one forward pass at batch 1: {DCGAN G, DCGAN D}. */
  public static double[] dcganMacs() {
    double dcG = 100.0 * 6272 + 128 * 64 * 16 * 7 * 7 + 64 * 1 * 16 * 14 * 14;
    double dcD = 1 * 64 * 16 * 14 * 14 + 64 * 128 * 16 * 7 * 7 + 6272;
    return new double[] {dcG, dcD};
  }

  /** Multiply-adds of one forward pass of a StyleGAN2 twin at batch 1: {G, D}. */
  public static double[] sg2Macs(Sg2Spec s) {
    double z = s.zDim();
    double g = s.mappingLayers() * z * z;
    int prev = s.ch(4);
    for (int res = 4; res <= s.resolution(); res *= 2) {
      double c = s.ch(res);
      double px = (double) res * res;
      g += prev * c * 9 * px + c * c * 9 * px + (prev + c) * z; // two modulated convs, affines
      g += c * s.imageChannels() * px + c * z; // toRGB and its affine
      prev = s.ch(res);
    }
    double d = (double) s.imageChannels() * s.ch(s.resolution()) * s.resolution() * s.resolution();
    for (int res = s.resolution(); res > 4; res /= 2) {
      double in = s.ch(res);
      double out = s.ch(res / 2);
      double px = (double) res * res;
      d += in * in * 9 * px + in * out * 9 * px + in * out * px / 4; // the 1x1 skip at half size
    }
    double c4 = s.ch(4);
    d += (c4 + 1) * c4 * 9 * 16 + c4 * 16 * c4 + c4;
    return new double[] {g, d};
  }
}
