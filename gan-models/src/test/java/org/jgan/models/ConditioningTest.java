package org.jgan.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.stream.Stream;
import org.jgan.core.autograd.GradMode;
import org.jgan.core.nn.Parameter;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.tensor.TensorScope;
import org.jgan.core.testing.GradCheck;
import org.jgan.core.testing.TensorAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every image family can be conditioned on classes: the label changes the generator's image for the
 * same latent and the discriminator's score for the same image, both networks refuse a missing
 * label, the conditional parts pass the float64 gradient check, and configs written before a family
 * could be conditional still read as unconditional.
 */
class ConditioningTest {
  static Stream<ModelConfig> conditional() {
    return Stream.of(
        TinyConfigs.dcgan().withLabels(3),
        TinyConfigs.progressive().withLabels(3),
        TinyConfigs.styleGan().withLabels(3),
        TinyConfigs.styleGan2().withLabels(3));
  }

  private static double maxAbsDiff(Tensor a, Tensor b) {
    return a.data().sub(b.data()).amaxNumber().doubleValue();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("conditional")
  void theLabelChangesTheImageAndTheScore(ModelConfig config) {
    Generator g = config.generator(1);
    Discriminator d = config.discriminator(2);
    assertEquals(3, g.labelCount());
    assertEquals(3, d.labelCount());
    g.eval();
    d.eval();
    try (TensorScope s = TensorScope.open();
        GradMode.Guard off = GradMode.disabled()) {
      Tensor z = g.sampleLatents(4, new Rng(3));
      Sampling fixed = Sampling.fixed(1.0);
      Tensor a = g.forward(z, new int[] {0, 0, 0, 0}, fixed);
      Tensor b = g.forward(z, new int[] {1, 1, 1, 1}, fixed);
      TensorAssert.assertClose(a, g.forward(z, new int[] {0, 0, 0, 0}, fixed), 0, "repeatable");
      // the freshly initialised networks already depend on the label, by a visible part of the
      // image's own range
      double range = a.data().amaxNumber().doubleValue();
      assertTrue(
          maxAbsDiff(a, b) > 0.01 * range,
          "generator ignores the label: " + maxAbsDiff(a, b) + " of " + range);
      Tensor sa = d.forward(a, new int[] {0, 0, 0, 0});
      Tensor sb = d.forward(a, new int[] {2, 2, 2, 2});
      double score = sa.data().amaxNumber().doubleValue();
      assertTrue(
          maxAbsDiff(sa, sb) > 0.01 * score,
          "discriminator ignores the label: " + maxAbsDiff(sa, sb) + " of " + score);
      String gm =
          assertThrows(IllegalArgumentException.class, () -> g.forward(z, null, fixed))
              .getMessage();
      assertTrue(gm.contains("is conditional"), gm);
      String dm =
          assertThrows(IllegalArgumentException.class, () -> d.forward(a, new int[] {0, 3, 0, 0}))
              .getMessage();
      assertTrue(dm.contains("label 3 is outside [0, 3)"), dm);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("conditional")
  void gradientsThroughTheLabelPathsMatchFiniteDifferences(ModelConfig config) {
    // whole tiny networks in float64: the image and every parameter, a few coordinates each
    Generator g = config.generator(1);
    Discriminator d = config.discriminator(2);
    g.to(DType.FLOAT64);
    d.to(DType.FLOAT64);
    // noise at its initial strength 0 leaves StyleGAN's 4x4 maps constant and positive: instance
    // norm is ill-conditioned there (0 / sqrt(eps)) and removes the bias before it exactly (a zero
    // gradient, which finite differences see as round-off); strong constant noise avoids both
    g.namedParameters()
        .forEach(
            (name, p) -> {
              if (name.endsWith("noise.strength")) {
                p.value().data().assign(1.5);
              }
            });
    int[] labels = {0, 2, 1, 2};
    Sampling fixed = Sampling.fixed(1.0);
    Tensor z = Tensor.leaf(g.sampleLatents(4, new Rng(3)).to(DType.FLOAT64).data().dup(), true);
    List<Tensor> gIn = new ArrayList<>(List.of(z));
    for (Parameter p : g.parameters()) {
      gIn.add(p.value());
    }
    assertPasses(GradCheck.check(xs -> List.of(g.forward(xs.get(0), labels, fixed)), gIn, 4, 7));
    Tensor img;
    try (GradMode.Guard off = GradMode.disabled()) {
      img = Tensor.leaf(g.forward(z, labels, fixed).data().dup(), true);
    }
    List<Tensor> dIn = new ArrayList<>(List.of(img));
    for (Parameter p : d.parameters()) {
      dIn.add(p.value());
    }
    assertPasses(GradCheck.check(xs -> List.of(d.forward(xs.get(0), labels)), dIn, 4, 8));
  }

  private static void assertPasses(GradCheck.Report r) {
    // whole networks: a perturbation may cross a leaky ReLU's kink, hence not the blocks' 1e-6
    assertTrue(r.maxError() < 1e-4, "gradient check: error " + r.maxError() + " at " + r.worst());
    assertTrue(r.checked() > 20, "checked " + r.checked() + " coordinates");
  }

  @Test
  void configsFromBeforeConditioningReadAsUnconditional() {
    for (ModelConfig c :
        List.of(TinyConfigs.dcgan(), TinyConfigs.progressive(), TinyConfigs.styleGan())) {
      var map = new LinkedHashMap<>(ModelConfigs.toMap(c));
      map.remove("labelCount");
      ModelConfig back = ModelConfigs.fromMap(map, null);
      assertEquals(c, back);
      assertEquals(0, back.labelCount());
    }
  }

  @Test
  void theVanillaGanSaysItCannotBeConditioned() {
    String m =
        assertThrows(UnsupportedOperationException.class, () -> TinyConfigs.vanilla().withLabels(2))
            .getMessage();
    assertTrue(m.contains("vanilla family has no class conditioning"), m);
  }
}
