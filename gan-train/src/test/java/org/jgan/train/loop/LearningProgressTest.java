package org.jgan.train.loop;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jgan.core.autograd.GradMode;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.tensor.TensorScope;
import org.jgan.models.Generator;
import org.jgan.models.Sampling;
import org.jgan.models.dcgan.DcganConfig;
import org.jgan.models.vanilla.VanillaConfig;
import org.jgan.train.data.FashionMnist;
import org.jgan.train.data.ImageDataset;
import org.jgan.train.data.ToyDistributions;
import org.jgan.train.metrics.FeatureNet;
import org.jgan.train.metrics.FeatureStats;
import org.jgan.train.metrics.Metrics;
import org.jgan.train.metrics.ToyMetrics;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Real training: a small DCGAN on the embedded Fashion-MNIST split for 300 steps, whose Fréchet
 * distance to the real images must fall by at least half; the vanilla GAN on the 25-Gaussian grid,
 * which must cover most of the modes.
 */
@Tag("slow")
class LearningProgressTest {
  private static final Logger LOG = LoggerFactory.getLogger(LearningProgressTest.class);

  @Test
  void frechetDistanceFallsByAtLeastHalfIn300Steps() {
    ImageDataset data = FashionMnist.embeddedTest();
    TrainingConfig config =
        TrainingConfig.defaults(DcganConfig.fashion28(), 300L * 64).toBuilder().seed(3).build();
    Trainer t = new Trainer(config, data);
    FeatureNet net = FeatureNet.pretrained();
    double[][] real = Metrics.realFeatures(net, data, 2000, 1);
    double before = fd(net, real, t.sampler());
    while (!t.done()) {
      t.step();
    }
    double after = fd(net, real, t.sampler());
    LOG.info(
        "DCGAN fashion28, 300 steps of 64: FD {} -> {}",
        String.format("%.1f", before),
        String.format("%.1f", after));
    assertTrue(after < before / 2, "FD " + before + " -> " + after);
  }

  @Test
  void theVanillaGanCoversTheGrid() {
    var data = ToyDistributions.grid25(50_000, new Rng(11));
    Trainer t = new Trainer(TrainingConfig.defaults(VanillaConfig.toy2d(), 1_000_000), data);
    double[] before = modes(t.sampler());
    while (!t.done()) {
      t.step();
    }
    double[] after = modes(t.sampler());
    LOG.info(
        "vanilla GAN on grid25, 1M samples: modes {} -> {}, high quality {} -> {}",
        (int) before[0],
        (int) after[0],
        String.format("%.2f", before[1]),
        String.format("%.2f", after[1]));
    assertTrue(
        after[0] >= 18 && after[1] >= 0.5,
        "modes " + after[0] + ", high-quality share " + after[1]);
  }

  private static double[] modes(Generator g) {
    try (TensorScope s = TensorScope.open();
        GradMode.Guard off = GradMode.disabled()) {
      Tensor pts = g.forward(g.sampleLatents(2500, new Rng(5)), null, Sampling.fixed(1.0));
      return ToyMetrics.score(
          pts.toFloatArray(), ToyDistributions.gridMeans(), ToyDistributions.GRID_STD, 20);
    }
  }

  private static double fd(FeatureNet net, double[][] real, Generator g) {
    g.eval();
    double v = FeatureStats.frechet(real, Metrics.fakeFeatures(net, g, 2000, 2));
    g.train(true);
    return v;
  }
}
