package org.jgan.models.stylegan2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import org.jgan.core.autograd.Autograd;
import org.jgan.core.autograd.GradMode;
import org.jgan.core.kernels.Backend;
import org.jgan.core.kernels.DataFormat;
import org.jgan.core.kernels.Engine;
import org.jgan.core.nn.Parameter;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.testing.LeakCheck;
import org.jgan.core.testing.TensorAssert;
import org.jgan.models.TinyConfigs;
import org.jgan.models.blocks.NoiseMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The StyleGAN2 networks give the same images, logits, R1 gradients and parameter gradients
 * whichever layout they run in inside ({@link StyleGan2Config#layout()}): unconditional, and
 * conditional on RGB images while a progressive stage fades in; and the same with Winograd's
 * convolutions and libnd4j's direct ones.
 */
class StyleGan2LayoutTest {
  @AfterEach
  void noLeak() {
    LeakCheck.assertNoOpenScope();
  }

  /** {image, logits, R1 gradient, gradients of every G and D parameter} in one layout. */
  private static List<Tensor> run(StyleGan2Config base, DataFormat format, int[] labels) {
    StyleGan2Config config = base.withLayout(format);
    {
      StyleGan2Generator g = new StyleGan2Generator(config, 1);
      StyleGan2Discriminator d = new StyleGan2Discriminator(config, 2);
      if (config.progressive()) {
        g.stage().set(config.resolution(), 0.4);
        d.stage().set(config.resolution(), 0.4);
      }
      Tensor z = Tensor.of(new Rng(3).normalArray(DType.FLOAT32, 0, 1, 4, config.zDim()));
      Tensor ws = g.mapping(z, labels, 1.0, 0, false);
      Tensor img = g.synthesis(ws, NoiseMode.CONST, null);
      Tensor x = Tensor.leaf(img.detach().data(), true);
      Tensor logits = d.forward(x, labels);
      Tensor r1 = Autograd.grad(logits.sum(), x, true);
      Tensor loss =
          logits.softplus().sum().add(r1.square().sum()).add(d.forward(img, labels).sum());
      List<Tensor> params = new ArrayList<>();
      for (Parameter p : g.parameters()) {
        params.add(p.value());
      }
      for (Parameter p : d.parameters()) {
        params.add(p.value());
      }
      List<Tensor> out = new ArrayList<>(List.of(img, logits, r1));
      out.addAll(Autograd.grad(List.of(loss), params, null, false));
      return out;
    }
  }

  private static void sameInBothLayouts(StyleGan2Config config, int[] labels) {
    List<Tensor> c = run(config, DataFormat.NCHW, labels);
    List<Tensor> l = run(config, DataFormat.NHWC, labels);
    String[] names = {"image", "logits", "R1 gradient"};
    for (int i = 0; i < c.size(); i++) {
      String what = i < names.length ? names[i] : "parameter gradient " + (i - names.length);
      assertEquals(c.get(i) == null, l.get(i) == null, what + ": reached in one layout only");
      if (c.get(i) != null) { // null: outside the graph (another stage's toRGB) in both layouts
        TensorAssert.assertClose(c.get(i), l.get(i), 1e-4, what);
      }
    }
  }

  @Test
  void unconditionalNetworksAgree() {
    sameInBothLayouts(TinyConfigs.styleGan2(), null);
  }

  @Test
  void winogradAndDirectConvolutionsAgree() {
    // with 32 channels at every resolution the networks' 3x3 stride-1 convolutions at 16x16 and
    // 32x32 run on oneDNN's Winograd kernels where available: forward, R1's input gradient and
    // its double backward, and the weight gradients must agree with libnd4j's direct kernels to
    // float32 rounding
    StyleGan2Config t = TinyConfigs.styleGan2();
    StyleGan2Config config =
        new StyleGan2Config(
            t.zDim(),
            t.wDim(),
            t.mappingLayers(),
            t.mappingLrMul(),
            t.imageChannels(),
            t.resolution(),
            32 * t.resolution(),
            32,
            t.labelCount(),
            t.progressive(),
            t.mbstdGroup(),
            t.mbstdChannels(),
            t.dMappingLayers(),
            0,
            DataFormat.NHWC);
    List<Tensor> direct;
    try (Engine off = Engine.start(Backend.cpu().withWinograd(false))) {
      direct = run(config, DataFormat.NHWC, null);
      assertEquals(0, off.stats().winogradCalls());
    }
    List<Tensor> wino;
    try (Engine on = Engine.start(Backend.cpu())) {
      assumeTrue(on.winogradAvailable(), on.convolutionKernel());
      wino = run(config, DataFormat.NHWC, null);
      long calls = on.stats().winogradCalls();
      assertTrue(calls > 10, "the networks ran " + calls + " Winograd convolutions");
    }
    String[] names = {"image", "logits", "R1 gradient"};
    for (int i = 0; i < direct.size(); i++) {
      String what = i < names.length ? names[i] : "parameter gradient " + (i - names.length);
      if (direct.get(i) != null) {
        TensorAssert.assertClose(
            direct.get(i), wino.get(i), 1e-4, what + ", Winograd against direct");
      }
    }
  }

  @Test
  void samplingWithoutAGraphGivesTheImagesOfTheGraph() {
    // without gradients the synthesis layers update their convolutions' outputs in place; the
    // whole network must still give the images it gives while recording a graph, in both layouts
    for (DataFormat f : DataFormat.values()) {
      {
        StyleGan2Generator g = new StyleGan2Generator(TinyConfigs.styleGan2().withLayout(f), 1);
        for (Parameter p : g.parameters()) { // non-zero noise strengths and biases
          if (p.value().rank() <= 1) {
            p.value().data().assign(new Rng(4).normalArray(DType.FLOAT32, 0, 1, p.value().shape()));
          }
        }
        Tensor z = Tensor.of(new Rng(3).normalArray(DType.FLOAT32, 0, 1, 4, g.zDim()));
        Tensor graph = g.synthesis(g.mapping(z, null, 1.0, 0, false), NoiseMode.RANDOM, new Rng(5));
        Tensor noGraph;
        try (GradMode.Guard off = GradMode.disabled()) {
          noGraph = g.synthesis(g.mapping(z, null, 1.0, 0, false), NoiseMode.RANDOM, new Rng(5));
        }
        assertTrue(graph.requiresGrad(), "the reference recorded a graph");
        // not 0: without a graph the mapping's leaky ReLU applies its gain in another order (an
        // ulp)
        TensorAssert.assertClose(graph, noGraph, 1e-5, f + " images without a graph");
      }
    }
  }

  @Test
  void conditionalRgbNetworksAgreeWhileAStageFadesIn() {
    StyleGan2Config base = TinyConfigs.styleGan2();
    StyleGan2Config config = base.withImageChannels(3).withLabels(3).withProgressive(true);
    sameInBothLayouts(config, new int[] {0, 2, 1, 2});
  }
}
