package org.jgan.models;

import java.util.List;
import org.jgan.core.autograd.Autograd;
import org.jgan.core.nn.Module;
import org.jgan.core.nn.Parameter;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.testing.TensorAssert;
import org.jgan.models.progressive.ProgressiveDiscriminator;
import org.jgan.models.progressive.ProgressiveGenerator;
import org.jgan.models.stylegan.StyleGanGenerator;
import org.jgan.models.stylegan2.StyleGan2Config;
import org.jgan.models.stylegan2.StyleGan2Discriminator;
import org.jgan.models.stylegan2.StyleGan2Generator;
import org.junit.jupiter.api.Test;

/**
 * Fade-in is exact: at alpha = 0 a grown network is the previous stage (generator: its output
 * up-sampled; discriminator: applied to the down-sampled image); at alpha = 1 it is the grown
 * network alone.
 */
class FadeInTest {
  private static final Sampling FIXED = Sampling.fixed(1.0);

  private static <G extends Generator & Progressive> void checkGenerator(G g) {
    g.to(DType.FLOAT64);
    Tensor z = g.sampleLatents(4, new Rng(1));
    g.setStage(8, 1.0);
    Tensor previous = g.forward(z, null, FIXED);
    g.setStage(16, 0.0);
    TensorAssert.assertClose(
        g.upsampleImages(previous),
        g.forward(z, null, FIXED),
        1e-12,
        "alpha = 0: the up-sampled previous stage");
    g.setStage(16, 0.4);
    Tensor mid = g.forward(z, null, FIXED);
    g.setStage(16, 1.0);
    Tensor grown = g.forward(z, null, FIXED);
    TensorAssert.assertClose(
        g.upsampleImages(previous).mul(0.6).add(grown.mul(0.4)),
        mid,
        1e-12,
        "alpha = 0.4: the blend");
  }

  private static <D extends Discriminator & Progressive> void checkDiscriminator(D d) {
    d.to(DType.FLOAT64);
    Tensor img = new Rng(2).normal(DType.FLOAT64, 4, 1, 16, 16);
    d.setStage(8, 1.0);
    Tensor previous = d.forward(d.downsampleImages(img), null);
    d.setStage(16, 0.0);
    TensorAssert.assertClose(
        previous, d.forward(img, null), 1e-12, "alpha = 0: the down-sampled path");
  }

  /** At alpha = 1 no gradient reaches the previous stage's toRGB / fromRGB. */
  private static void assertUntouched(Module m, String prefix, Tensor out, String what) {
    List<Parameter> ps =
        m.namedParameters().entrySet().stream()
            .filter(e -> e.getKey().startsWith(prefix))
            .map(e -> e.getValue())
            .toList();
    List<Tensor> values = ps.stream().map(Parameter::value).toList();
    for (Tensor g : Autograd.grad(List.of(out.sum()), values, null, false)) {
      TensorAssert.assertZero(g, 0, what);
    }
  }

  @Test
  void progressiveGan() {
    var g = (ProgressiveGenerator) TinyConfigs.progressive().generator(1);
    checkGenerator(g);
    g.setStage(16, 1.0);
    assertUntouched(
        g,
        "b8.torgb",
        g.forward(g.sampleLatents(2, new Rng(3)), null, FIXED),
        "alpha = 1: toRGB_8 unused");
    var d = (ProgressiveDiscriminator) TinyConfigs.progressive().discriminator(2);
    checkDiscriminator(d);
    d.setStage(16, 1.0);
    assertUntouched(
        d,
        "b8.fromrgb",
        d.forward(new Rng(4).normal(DType.FLOAT64, 4, 1, 16, 16), null),
        "alpha = 1: fromRGB_8 unused");
  }

  @Test
  void styleGan() {
    var g = (StyleGanGenerator) TinyConfigs.styleGan().generator(1);
    checkGenerator(g);
    g.setStage(16, 1.0);
    assertUntouched(
        g,
        "synthesis.b8.torgb",
        g.forward(g.sampleLatents(2, new Rng(3)), null, FIXED),
        "alpha = 1: toRGB_8 unused");
  }

  @Test
  void styleGan2OnTopOfTheSkipArchitecture() {
    StyleGan2Config cfg = TinyConfigs.styleGan2().withProgressive(true);
    var g = (StyleGan2Generator) cfg.generator(1);
    checkGenerator(g);
    var d = (StyleGan2Discriminator) cfg.discriminator(2);
    checkDiscriminator(d);
    // alpha = 1 at the top stage is exactly the non-progressive network with the same weights
    g.setStage(32, 1.0);
    var plain = (StyleGan2Generator) TinyConfigs.styleGan2().generator(9);
    plain.to(DType.FLOAT64);
    plain.loadStateDict(g.stateDict());
    Tensor z = g.sampleLatents(2, new Rng(5));
    TensorAssert.assertClose(
        plain.forward(z, null, FIXED),
        g.forward(z, null, FIXED),
        0,
        "alpha = 1: the grown network");
  }
}
