package org.jgan.train.loop;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jgan.models.Generator;
import org.jgan.models.dcgan.DcganConfig;
import org.jgan.train.data.FashionMnist;
import org.jgan.train.data.ImageDataset;
import org.jgan.train.metrics.FeatureNet;
import org.jgan.train.metrics.Metrics;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Real training: a small DCGAN on the embedded Fashion-MNIST split for 300 steps; the Fréchet
 * distance of its samples to the real images must fall by at least half.
 */
@Tag("slow")
class LearningProgressTest {
  private static final Logger LOG = LoggerFactory.getLogger(LearningProgressTest.class);

  @Test
  void frechetDistanceFallsByAtLeastHalfIn300Steps() {
    ImageDataset data = FashionMnist.embeddedTest();
    TrainingConfig config = TrainingConfig.defaults(DcganConfig.fashion28(), 300L * 64).toBuilder().seed(3).build();
    Trainer t = new Trainer(config, data);
    FeatureNet net = FeatureNet.pretrained();
    double[][] real = Metrics.realFeatures(net, data, 2000, 1);
    double before = fd(net, real, t.sampler());
    while (!t.done()) {
      t.step();
    }
    double after = fd(net, real, t.sampler());
    LOG.info("DCGAN fashion28, 300 steps of 64: FD {} -> {}", String.format("%.1f", before), String.format("%.1f", after));
    assertTrue(after < before / 2, "FD " + before + " -> " + after);
  }

  private static double fd(FeatureNet net, double[][] real, Generator g) {
    g.eval();
    double v = org.jgan.train.metrics.FeatureStats.frechet(real, Metrics.fakeFeatures(net, g, 2000, 2));
    g.train(true);
    return v;
  }
}
