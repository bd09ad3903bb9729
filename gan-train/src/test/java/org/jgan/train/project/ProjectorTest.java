package org.jgan.train.project;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.jgan.core.autograd.GradMode;
import org.jgan.core.kernels.DataFormat;
import org.jgan.core.nn.Buffer;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.models.Sampling;
import org.jgan.models.StyleGenerator;
import org.jgan.models.TinyConfigs;
import org.jgan.models.stylegan2.StyleGan2Config;
import org.jgan.models.stylegan2.StyleGan2Generator;
import org.junit.jupiter.api.Test;

/** The projector on a small random StyleGAN2: it finds a sample it is shown, in W and W+. */
class ProjectorTest {
  private static StyleGan2Generator generator() {
    StyleGan2Config c =
        new StyleGan2Config(16, 16, 2, 0.01, 1, 16, 128, 16, 0, false, 4, 1, 2, 0, DataFormat.NHWC);
    return trained(new StyleGan2Generator(c, 3));
  }

  /** {@code g} with non-zero noise strengths, as a trained network has, in eval mode. */
  private static <G extends StyleGenerator> G trained(G g) {
    g.namedParameters()
        .forEach(
            (k, p) -> {
              if (k.endsWith("noise.strength")) {
                p.value().data().assign(0.3);
              }
            });
    g.eval();
    return g;
  }

  private static double psnr(Tensor a, Tensor b) {
    double mse = a.sub(b).square().mean().item();
    return 10 * Math.log10(4 / mse); // images in [-1, 1]: peak-to-peak 2
  }

  @Test
  void projectionFindsAShownSampleInWAndWPlus() {
    StyleGan2Generator g = generator();
    Tensor target;
    try (GradMode.Guard off = GradMode.disabled()) {
      target = g.forward(g.sampleLatents(1, new Rng(21)), null, Sampling.fixed(1.0));
    }
    List<double[]> before = new ArrayList<>();
    for (Buffer b : Projector.noiseBuffers(g)) {
      before.add(b.value().toDoubleArray());
    }
    for (boolean wPlus : new boolean[] {false, true}) {
      Projector.Settings s = new Projector.Settings(120, 0.1, wPlus, 1.0, 1e3, 500, 4);
      Projector.Result r = Projector.project(g, target, 0, x -> x, s, 40);
      double first = r.losses()[0];
      double last = r.losses()[r.losses().length - 1];
      assertTrue(last < 0.2 * first, (wPlus ? "W+" : "W") + ": loss " + first + " -> " + last);
      Tensor start = r.frames().get(0);
      assertTrue(
          psnr(r.image(), target) > psnr(start, target) + 6,
          "PSNR " + psnr(start, target) + " -> " + psnr(r.image(), target));
      assertEquals(4, r.frames().size()); // steps 0, 40, 80 and the last
      assertArrayEquals(new long[] {1, g.numWs(), g.wDim()}, r.ws().shape());
      assertEquals(Projector.noiseBuffers(g).size(), r.noise().size());
    }
    // the generator's own noise is as it was
    List<Buffer> after = Projector.noiseBuffers(g);
    for (int i = 0; i < after.size(); i++) {
      assertArrayEquals(before.get(i), after.get(i).value().toDoubleArray(), 0.0);
    }
  }

  @Test
  void aBatchProjectsEachImageOnItsOwn() {
    StyleGan2Generator g = generator();
    Tensor a;
    Tensor b;
    Tensor c;
    try (GradMode.Guard off = GradMode.disabled()) {
      Tensor three = g.forward(g.sampleLatents(3, new Rng(5)), null, Sampling.fixed(1.0));
      a = three.slice(0, 0, 1);
      b = three.slice(0, 1, 2);
      c = three.slice(0, 2, 3);
    }
    Projector.Settings s = new Projector.Settings(60, 0.1, true, 1.0, 1e3, 500, 4);
    Projector.Result ab =
        Projector.project(g, Tensor.concat(0, a, b), Degradation.identity(), null, x -> x, s, 0);
    Projector.Result ac =
        Projector.project(g, Tensor.concat(0, a, c), Degradation.identity(), null, x -> x, s, 0);
    assertArrayEquals(new long[] {2, g.numWs(), g.wDim()}, ab.ws().shape());
    // the first image's latent, noise and reconstruction do not depend on its neighbour
    assertArrayEquals(
        ab.ws().slice(0, 0, 1).toDoubleArray(), ac.ws().slice(0, 0, 1).toDoubleArray(), 1e-5);
    assertArrayEquals(
        ab.image().slice(0, 0, 1).toDoubleArray(), ac.image().slice(0, 0, 1).toDoubleArray(), 1e-5);
    for (int i = 0; i < ab.noise().size(); i++) {
      Tensor n = ab.noise().get(i);
      assertEquals(2, n.size(0), "one map per image");
      assertArrayEquals(
          n.slice(0, 0, 1).toDoubleArray(), ac.noise().get(i).slice(0, 0, 1).toDoubleArray(), 1e-5);
      for (int k = 0; k < 2; k++) { // each map renormalised on its own
        double[] v = n.slice(0, k, k + 1).toDoubleArray();
        double mean = 0;
        double sq = 0;
        for (double x : v) {
          mean += x / v.length;
          sq += x * x / v.length;
        }
        assertEquals(0, mean, 1e-5);
        assertEquals(1, sq, 1e-4);
      }
    }
    // and the second images differ, as their targets do
    assertTrue(psnr(ab.image().slice(0, 1, 2), b) > psnr(ab.image().slice(0, 1, 2), c));
  }

  @Test
  void aConditionalStyleGanBatchIsProjectedWithItsPerChannelNoise() {
    StyleGenerator g = trained((StyleGenerator) TinyConfigs.styleGan().withLabels(3).generator(8));
    Tensor targets;
    try (GradMode.Guard off = GradMode.disabled()) {
      targets = g.forward(g.sampleLatents(2, new Rng(3)), new int[] {0, 2}, Sampling.fixed(1.0));
    }
    Projector.Settings s = new Projector.Settings(80, 0.1, true, 1.0, 1e3, 300, 4);
    Projector.Result r =
        Projector.project(g, targets, Degradation.identity(), new int[] {0, 2}, x -> x, s, 0);
    assertTrue(
        r.losses()[r.losses().length - 1] < 0.3 * r.losses()[0],
        "loss " + r.losses()[0] + " -> " + r.losses()[r.losses().length - 1]);
    assertArrayEquals(targets.shape(), r.image().shape());
    assertEquals(Projector.noiseBuffers(g).size(), r.noise().size());
    assertEquals(2, r.noise().get(0).size(0));
  }

  @Test
  void aConditionalGeneratorNeedsALabelPerImage() {
    StyleGan2Config c =
        new StyleGan2Config(16, 16, 2, 0.01, 1, 16, 128, 16, 3, false, 4, 1, 2, 0, DataFormat.NHWC);
    StyleGan2Generator g = new StyleGan2Generator(c, 3);
    Tensor two = Tensor.zeros(DType.FLOAT32, 2, 1, 16, 16);
    Projector.Settings s = new Projector.Settings(2, 0.1, false, 1.0, 1e3, 10, 4);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Projector.project(g, two, Degradation.identity(), new int[] {1}, x -> x, s, 0));
    assertTrue(e.getMessage().contains("2 images, 1 labels"), e.getMessage());
    Projector.Result r =
        Projector.project(g, two, Degradation.identity(), new int[] {0, 2}, x -> x, s, 0);
    assertEquals(2, r.image().size(0));
  }

  @Test
  void theNoiseRegulariserByHand() {
    // a constant map correlates fully with its shifts: (c^2)^2 per axis and halving
    Tensor ones8 = Tensor.ones(DType.FLOAT64, 8, 8);
    assertEquals(2.0, Projector.noiseRegularizer(List.of(ones8)).item(), 1e-12);
    Tensor twos16 = Tensor.full(DType.FLOAT64, 2.0, 16, 16); // 16 and its halving to 8
    assertEquals(4 * 16.0, Projector.noiseRegularizer(List.of(twos16)).item(), 1e-12);
    // a checkerboard is anti-correlated with its shift by one: -1 squared, per axis
    double[] v = new double[64];
    for (int i = 0; i < 64; i++) {
      v[i] = ((i / 8) + (i % 8)) % 2 == 0 ? 1 : -1;
    }
    assertEquals(2.0, Projector.noiseRegularizer(List.of(Tensor.of(v, 8, 8))).item(), 1e-12);
  }
}
