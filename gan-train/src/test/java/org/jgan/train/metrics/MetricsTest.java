package org.jgan.train.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.train.data.FashionMnist;
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
}
