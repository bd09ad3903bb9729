package org.jgan.train.metrics;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jgan.core.autograd.GradMode;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.tensor.TensorScope;
import org.jgan.models.Generator;
import org.jgan.models.Sampling;
import org.jgan.train.data.Batches;
import org.jgan.train.data.Dataset;

/**
 * Sample-quality metrics of a generator against a dataset in a {@link FeatureSpace}: the shipped
 * Fashion-MNIST classifier's ({@link FeatureNet}, the default) or Inception's ({@link Inception},
 * where the Fréchet distance is the FID of the papers). Fréchet distance (FD), KID (x 1000, as
 * usually reported) and improved precision/recall (k = 3). Generated images use constant noise and
 * no truncation; a conditional generator draws its labels uniformly.
 */
public final class Metrics {
  private Metrics() {}

  /** The metrics of one comparison. */
  public record Report(
      double fd,
      double kidTimes1000,
      double precision,
      double recall,
      int samples,
      String featureSpace) {
    /** As a map for JSON output. */
    public Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("fd", fd);
      m.put("kid_x1000", kidTimes1000);
      m.put("precision", precision);
      m.put("recall", recall);
      m.put("samples", samples);
      m.put("feature_space", featureSpace);
      return m;
    }
  }

  /**
   * Whether these metrics can measure images of {@code shape} ({@code [C, H, W]}) from data named
   * {@code dataName}: null when they can, else one sentence that says why not and what would. The
   * feature network is a Fashion-MNIST classifier: it sees one channel at 28x28 or 32x32, and its
   * figures mean most on Fashion-MNIST itself.
   */
  public static String cannotMeasure(long[] shape, String dataName) {
    if (shape.length == 3 && shape[0] == 1 && (shape[1] == 28 || shape[1] == 32)) {
      return null;
    }
    return "the metrics' feature network (a Fashion-MNIST classifier) sees one channel at 28x28"
        + " or 32x32, and "
        + dataName
        + " is "
        + (shape.length == 3 ? shape[0] + "x" + shape[1] + "x" + shape[2] : "point data")
        + "; other data needs Inception features (--inception FILE, see docs/metrics.md)";
  }

  /**
   * A caution for data the feature network was not trained on (null for Fashion-MNIST): the figures
   * compare runs on this data with each other, not with anything else.
   */
  public static String caution(String dataName) {
    return dataName.startsWith("fashion-mnist")
        ? null
        : "the features are a Fashion-MNIST classifier's: figures on "
            + dataName
            + " compare runs on it with each other only";
  }

  /** Features of the first {@code count} samples of {@code data} in a seeded random order. */
  public static double[][] realFeatures(FeatureSpace net, Dataset data, int count, long seed) {
    Batches b = new Batches(data, seed, false);
    int n = Math.min(count, data.size());
    return net.featuresOf(k -> b.next(k, DType.FLOAT32).x(), n, net.batchSize());
  }

  /** Features of {@code count} generated samples. */
  public static double[][] fakeFeatures(FeatureSpace net, Generator g, int count, long seed) {
    Rng rng = new Rng(seed);
    return net.featuresOf(
        k -> {
          try (GradMode.Guard off = GradMode.disabled()) {
            Tensor z = g.sampleLatents(k, rng);
            int[] labels = null;
            if (g.labelCount() > 0) {
              labels = new int[k];
              for (int i = 0; i < k; i++) {
                labels[i] = rng.nextInt(g.labelCount());
              }
            }
            return g.forward(z, labels, Sampling.fixed(1.0));
          }
        },
        count,
        net.batchSize());
  }

  /**
   * How often the shipped Fashion-MNIST classifier ({@link FeatureNet#pretrained()}) assigns a
   * conditional generator's samples to the class they were drawn for: one share per class, from
   * {@code perClass} samples each (constant noise, no truncation). Meaningful for a generator of
   * Fashion-MNIST's ten classes; the caller decides that.
   */
  public static double[] classAccuracy(Generator g, int perClass, long seed) {
    if (g.labelCount() == 0) {
      throw new IllegalArgumentException("class accuracy needs a conditional generator");
    }
    FeatureNet net = FeatureNet.pretrained();
    g.eval();
    Rng rng = new Rng(seed);
    double[] share = new double[g.labelCount()];
    try (GradMode.Guard off = GradMode.disabled()) {
      for (int k = 0; k < share.length; k++) {
        int correct = 0;
        for (int at = 0; at < perClass; at += 250) {
          try (TensorScope s = TensorScope.open()) {
            int n = Math.min(250, perClass - at);
            int[] labels = new int[n];
            Arrays.fill(labels, k);
            Tensor x = g.forward(g.sampleLatents(n, rng), labels, Sampling.fixed(1.0));
            double[] logits = net.logits(x.to(net.dtype())).toDoubleArray();
            int classes = logits.length / n;
            for (int i = 0; i < n; i++) {
              int best = 0;
              for (int c = 1; c < classes; c++) {
                if (logits[i * classes + c] > logits[i * classes + best]) {
                  best = c;
                }
              }
              correct += best == k ? 1 : 0;
            }
          }
        }
        share[k] = (double) correct / perClass;
      }
    }
    return share;
  }

  /** All metrics of {@code fake} against {@code real} features of the Fashion-MNIST classifier. */
  public static Report compare(double[][] real, double[][] fake, long seed) {
    return compare(FeatureNet.NAME, real, fake, seed);
  }

  /** All metrics of {@code fake} against {@code real} features of the space named {@code space}. */
  public static Report compare(String space, double[][] real, double[][] fake, long seed) {
    double[] pr = FeatureStats.precisionRecall(real, fake, 3);
    return new Report(
        FeatureStats.frechet(real, fake),
        1000 * FeatureStats.kid(real, fake, 100, seed),
        pr[0],
        pr[1],
        fake.length,
        space);
  }

  /** A generator against a dataset with {@code count} samples on each side (the classifier). */
  public static Report evaluate(Generator g, Dataset data, int count, long seed) {
    return evaluate(FeatureNet.pretrained(), g, data, count, seed);
  }

  /** A generator against a dataset with {@code count} samples on each side, in {@code space}. */
  public static Report evaluate(
      FeatureSpace space, Generator g, Dataset data, int count, long seed) {
    g.eval();
    return compare(
        space.name(),
        realFeatures(space, data, count, seed),
        fakeFeatures(space, g, count, seed + 1),
        seed + 2);
  }
}
