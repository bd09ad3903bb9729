package org.jgan.train.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.models.Generator;
import org.jgan.models.ModelConfig;
import org.jgan.models.Sampling;
import org.jgan.models.dcgan.DcganConfig;
import org.jgan.train.data.FashionMnist;
import org.jgan.train.data.ImageDataset;
import org.junit.jupiter.api.Test;

class MetricsTest {
  private static double[][] gaussian(int n, int d, double mean, double std, long seed) {
    float[] v = new Rng(seed).normal(DType.FLOAT32, mean, std, n, d).toFloatArray();
    double[][] out = new double[n][d];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < d; j++) {
        out[i][j] = v[i * d + j];
      }
    }
    return out;
  }

  @Test
  void frechetDistanceHasItsClosedForm() {
    double[][] a = gaussian(20_000, 4, 0, 1, 1);
    assertEquals(0.0, FeatureStats.frechet(a, a), 1e-9);
    // N(0, I) vs N(1, 4I) in 4 dims: |mu|^2 = 4, Tr(I + 4I - 2 * 2I) = 4: FD = 8
    double[][] b = gaussian(20_000, 4, 1, 2, 2);
    assertEquals(8.0, FeatureStats.frechet(a, b), 0.3);
  }

  @Test
  void kidAndPrecisionRecallSeeIdenticalAndDisjointSets() {
    double[][] a = gaussian(1000, 8, 0, 1, 3);
    double[][] a2 = gaussian(1000, 8, 0, 1, 4);
    double[][] far = gaussian(1000, 8, 20, 1, 5);
    assertEquals(0.0, FeatureStats.kid(a, a2, 20, 1), 0.05);
    assertTrue(FeatureStats.kid(a, far, 20, 1) > 100);
    double[] same = FeatureStats.precisionRecall(a, a2, 3);
    assertTrue(same[0] > 0.8 && same[1] > 0.8, Arrays.toString(same));
    double[] disjoint = FeatureStats.precisionRecall(a, far, 3);
    assertEquals(0.0, disjoint[0]);
    assertEquals(0.0, disjoint[1]);
  }

  @Test
  void shippedFeatureNetworkClassifiesTheTestSplitAtLeast90Percent() {
    FeatureNet net = FeatureNet.pretrained();
    double acc = net.accuracy(FashionMnist.embeddedTest());
    assertTrue(acc >= 0.90, "test accuracy " + acc);
    assertEquals(String.format("%.4f", acc), FeatureNet.pretrainedInfo().get("test_accuracy"));
  }

  /**
   * A "generator" that returns real test images of a class: of the class asked for (shift 0) or of
   * the next one (shift 1).
   */
  private static Generator realImages(int shift) {
    return realImages(shift, Integer.MAX_VALUE);
  }

  /** As {@link #realImages(int)}, drawing from only the first {@code pool} images of a class. */
  private static Generator realImages(int shift, int pool) {
    ImageDataset data = FashionMnist.embeddedTest();
    List<List<Integer>> byClass = new ArrayList<>();
    for (int k = 0; k < 10; k++) {
      byClass.add(new ArrayList<>());
    }
    for (int i = 0; i < data.size(); i++) {
      byClass.get(data.label(i)).add(i);
    }
    ModelConfig config = new DcganConfig(4, 1, 28, 4, 4, 10);
    return new Generator(config) {
      private int next;

      @Override
      public Tensor forward(Tensor z, int[] labels, Sampling sampling) {
        int[] idx = new int[labels.length];
        for (int i = 0; i < labels.length; i++) {
          List<Integer> images = byClass.get((labels[i] + shift) % 10);
          idx[i] = images.get(next++ % Math.min(pool, images.size()));
        }
        return data.batch(idx, null, DType.FLOAT32).x();
      }
    };
  }

  @Test
  void classAccuracyIsTheClassifiersShareOfTheAskedClass() {
    double[] right = Metrics.classAccuracy(realImages(0), 200, 1);
    double[] wrong = Metrics.classAccuracy(realImages(1), 200, 1);
    for (int k = 0; k < 10; k++) {
      // the classifier's own per-class accuracy on the test split: shirts are the hardest (~0.7)
      assertTrue(right[k] > 0.6, "class " + k + ": " + Arrays.toString(right));
      assertTrue(wrong[k] < 0.25, "class " + k + " shifted: " + Arrays.toString(wrong));
    }
  }

  @Test
  void perClassReportsSeeTheVarietyWithinEachClass() {
    ImageDataset data = FashionMnist.embeddedTest();
    Metrics.ClassReport[] varied = Metrics.byClass(realImages(0), data, 100, 1);
    Metrics.ClassReport[] one = Metrics.byClass(realImages(0, 1), data, 100, 1);
    Metrics.ClassReport[] wrong = Metrics.byClass(realImages(1), data, 100, 1);
    for (int k = 0; k < 10; k++) {
      String at = "class " + k + ": ";
      // real images against other real images of the class: as varied as the data
      assertEquals(k, varied[k].label());
      assertEquals(1.0, varied[k].featureSpread(), 0.15, at + varied[k]);
      assertEquals(1.0, varied[k].pixelSpread(), 0.15, at + varied[k]);
      assertTrue(varied[k].recall() > 0.5, at + varied[k]);
      assertTrue(varied[k].accuracy() > 0.6, at + varied[k]);
      // the data's own share: the classifier on the class's real images, whatever the generator
      assertEquals(varied[k].realAccuracy(), wrong[k].realAccuracy(), at);
      assertEquals(varied[k].accuracy(), varied[k].realAccuracy(), 0.15, at + varied[k]);
      // one image repeated (a class collapsed to a template): no spread, little recall
      assertEquals(0.0, one[k].featureSpread(), 1e-6, at + one[k]);
      assertEquals(0.0, one[k].pixelSpread(), 1e-6, at + one[k]);
      assertTrue(one[k].recall() < 0.2, at + one[k]);
      assertTrue(one[k].fd() > varied[k].fd(), at + one[k]);
      // the next class's images: far from this class
      assertTrue(wrong[k].accuracy() < 0.25, at + wrong[k]);
      assertTrue(wrong[k].fd() > 3 * varied[k].fd(), at + wrong[k]);
    }
  }

  @Test
  void perClassReportsRefuseDataWithoutTheClasses() {
    ImageDataset data = FashionMnist.embeddedTest();
    Generator unconditional =
        new Generator(new DcganConfig(4, 1, 28, 4, 4, 0)) {
          @Override
          public Tensor forward(Tensor z, int[] labels, Sampling sampling) {
            throw new AssertionError("not reached");
          }
        };
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> Metrics.byClass(unconditional, data, 200, 1));
    assertTrue(e.getMessage().contains("0 and 10 classes"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class, () -> Metrics.byClass(realImages(0), data, 5, 1));
    assertTrue(e.getMessage().contains(">= 10"), e.getMessage());
  }
}
