package org.jgan.train.loop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import org.jgan.core.autograd.GradMode;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.tensor.TensorScope;
import org.jgan.models.Family;
import org.jgan.models.Generator;
import org.jgan.models.ModelConfig;
import org.jgan.models.Sampling;
import org.jgan.train.data.ImageDataset;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every image family trains on the data's channels and size: its preset, built for 1- or 3-channel
 * data at a power-of-two size it supports, takes two conditional training steps on such data and
 * samples images of that shape (the growing ones after growing to it).
 */
class DataShapesTest {
  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of(Family.DCGAN, 3, 16),
        Arguments.of(Family.DCGAN, 1, 64),
        Arguments.of(Family.PROGRESSIVE, 3, 8),
        Arguments.of(Family.PROGRESSIVE, 1, 16),
        Arguments.of(Family.STYLEGAN, 3, 8),
        Arguments.of(Family.STYLEGAN, 1, 16),
        Arguments.of(Family.STYLEGAN2, 3, 8),
        Arguments.of(Family.STYLEGAN2, 3, 16));
  }

  /** Random labelled images of the shape: enough to take steps on. */
  private static ImageDataset random(int channels, int side) {
    int n = 16;
    byte[] px = new byte[n * channels * side * side];
    Rng rng = new Rng(5);
    for (int i = 0; i < px.length; i++) {
      px[i] = (byte) rng.nextInt(256);
    }
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i % 3;
    }
    return new ImageDataset("random", px, n, channels, side, side, labels, List.of("a", "b", "c"));
  }

  @ParameterizedTest(name = "{0} {1}x{2}x{2}")
  @MethodSource("cases")
  void thePresetForTheDataTrainsOnIt(Family family, int channels, int side) {
    ImageDataset data = random(channels, side);
    ModelConfig model = family.preset(null, channels, side).withLabels(3);
    assertEquals(side, model.resolution());
    assertEquals(channels, model.imageChannels());
    // growing families grow through every stage to the data's size, 8 images per phase
    long total = model.grows() ? new ProgressiveSchedule(4, side, 8).imagesToReachFinal() + 16 : 16;
    TrainingConfig.Builder b =
        TrainingConfig.defaults(model, total).toBuilder().batchSize(8).snapshotImages(0);
    if (model.grows()) {
      b.progressiveImages(8).stageBatches(new int[0]);
    }
    TrainingConfig cfg = b.build();
    Trainer t = new Trainer(cfg, data);
    while (!t.done()) {
      assertTrue(Double.isFinite(t.step().lossD()));
    }
    Generator g = t.sampler();
    try (TensorScope s = TensorScope.open();
        GradMode.Guard off = GradMode.disabled()) {
      Tensor img = g.forward(g.sampleLatents(2, new Rng(1)), new int[] {0, 2}, Sampling.fixed(1));
      assertArrayEquals(new long[] {2, channels, side, side}, img.shape());
    }
  }
}
