package org.jgan.train.study;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Tensor;
import org.jgan.models.Family;
import org.jgan.models.ModelConfig;
import org.jgan.train.data.FashionMnist;
import org.jgan.train.data.ImageDataset;
import org.jgan.train.loop.TrainingConfig;
import org.jgan.train.metrics.FeatureNet;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The pieces of the augmentation study: subsets, joins, stored samples, a whole small trial. */
class AugmentationStudyTest {
  private static final ImageDataset TEST = FashionMnist.embeddedTest();

  @Test
  void aPerClassSubsetHasNOfEveryClassDistinctAndSeeded() {
    ImageDataset a = TEST.perClass(7, 3);
    assertEquals(70, a.size());
    int[] counts = new int[10];
    for (int i = 0; i < a.size(); i++) {
      counts[a.label(i)]++;
    }
    assertArrayEquals(new int[] {7, 7, 7, 7, 7, 7, 7, 7, 7, 7}, counts);
    float[] px = pixels(a);
    assertArrayEquals(px, pixels(TEST.perClass(7, 3)), 0f, "the same seed, the same images");
    assertNotEquals(
        List.of(toList(px)), List.of(toList(pixels(TEST.perClass(7, 4)))), "another seed");
    // no image twice: 70 distinct pictures
    Set<List<Float>> seen = new HashSet<>();
    int per = 28 * 28;
    for (int i = 0; i < 70; i++) {
      seen.add(toList(Arrays.copyOfRange(px, i * per, (i + 1) * per)));
    }
    assertEquals(70, seen.size());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> TEST.head(30).perClass(5, 1));
    assertTrue(e.getMessage().contains("has"), e.getMessage());
  }

  @Test
  void storedSamplesAndJoinsKeepPixelsAndLabels() {
    ImageDataset a = TEST.head(5);
    Tensor x = a.batch(new int[] {0, 1, 2, 3, 4}, null, DType.FLOAT32).x();
    int[] labels = {9, 8, 7, 6, 5};
    ImageDataset back = ImageDataset.of("back", x, labels, a.classNames());
    assertArrayEquals(pixels(a), pixels(back), 0f, "8-bit images survive the round trip");
    ImageDataset both = a.concat("both", back);
    assertEquals(10, both.size());
    assertEquals(a.label(2), both.label(2));
    assertEquals(7, both.label(7));
    assertArrayEquals(
        pixels(a),
        Arrays.copyOfRange(pixels(both), 5 * 784, 10 * 784),
        0f,
        "the second part is the first's pixels again");
    assertThrows(IllegalArgumentException.class, () -> a.concat("bad", a.paddedTo(32)));
  }

  @Test
  @Tag("slow")
  void aTrialTrainsAGanAndTwoClassifiers() {
    ModelConfig model = Family.DCGAN.preset(null, 1, 28).withLabels(10);
    TrainingConfig cfg = TrainingConfig.defaults(model, 3_200);
    AugmentationStudy.Settings s = new AugmentationStudy.Settings(cfg, 20, 150, 1.0);
    ImageDataset held = TEST.perClass(20, 99);
    AugmentationStudy.Trial t = AugmentationStudy.run(TEST, held, 10, 1, s);
    assertEquals(10, t.perClass());
    assertArrayEquals(new long[] {100, 1, 28, 28}, t.samples().shape());
    // 150 steps on 100 images already beat chance (10%) by far
    assertTrue(t.realAccuracy() > 0.4, "real only: " + t.realAccuracy());
    assertTrue(t.augmentedAccuracy() >= 0 && t.augmentedAccuracy() <= 1);
    assertTrue(t.generatedAccuracy() >= 0 && t.generatedAccuracy() <= 1);
    assertTrue(t.ganSeconds() > 0);
    // the real-only classifier is FeatureNet.trainSteps on the same subset and seed
    FeatureNet again = FeatureNet.trainSteps(TEST.perClass(10, 1), 150, 1);
    assertEquals(t.realAccuracy(), again.accuracy(held), 1e-9);
  }

  @Test
  void anUnconditionalGanIsRefused() {
    ModelConfig model = Family.DCGAN.preset(null, 1, 28);
    TrainingConfig cfg = TrainingConfig.defaults(model, 3_200);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> new AugmentationStudy.Settings(cfg, 20, 10, 1));
    assertTrue(e.getMessage().contains("must be conditional"), e.getMessage());
  }

  @Test
  void aTruncationIsRefusedForAFamilyWithoutAMappingNetwork() {
    TrainingConfig cfg =
        TrainingConfig.defaults(Family.DCGAN.preset(null, 1, 28).withLabels(10), 3_200);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> new AugmentationStudy.Settings(cfg, 20, 10, 0.7));
    assertEquals("psi 0.7: the dcgan family has no mapping network to truncate", e.getMessage());
    assertEquals(1.0, new AugmentationStudy.Settings(cfg, 20, 10, 1.0).psi());
  }

  private static float[] pixels(ImageDataset d) {
    int[] idx = new int[d.size()];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = i;
    }
    return d.batch(idx, null, DType.FLOAT32).x().toFloatArray();
  }

  private static List<Float> toList(float[] v) {
    Float[] boxed = new Float[v.length];
    for (int i = 0; i < v.length; i++) {
      boxed[i] = v[i];
    }
    return List.of(boxed);
  }
}
