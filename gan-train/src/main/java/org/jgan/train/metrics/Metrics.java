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

  /** Features of {@code count} generated samples (constant noise, no truncation). */
  public static double[][] fakeFeatures(FeatureSpace net, Generator g, int count, long seed) {
    return fakeFeatures(net, g, count, seed, Sampling.fixed(1.0));
  }

  /** Features of {@code count} generated samples, sampled as {@code sampling} says. */
  public static double[][] fakeFeatures(
      FeatureSpace net, Generator g, int count, long seed, Sampling sampling) {
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
            return g.forward(z, labels, sampling);
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
    for (int k = 0; k < share.length; k++) {
      share[k] =
          (double) pass(net, samplesOf(g, k, rng, Sampling.fixed(1.0)), perClass, k).hits()
              / perClass;
    }
    return share;
  }

  /**
   * One class of a conditional generator against the data's images of that class, in the shipped
   * classifier's features: the share of the samples it assigns to the class, and of the data's
   * images (the ceiling of the first for samples as varied as the data); FD, precision and recall
   * within the class; and two spreads that show the variety within the class, 1 meaning as varied
   * as the data: of the features (the square root of the covariance's trace, samples over data) and
   * of the pixels (each pixel's standard deviation across images, averaged over the pixels, samples
   * over data).
   */
  public record ClassReport(
      int label,
      double accuracy,
      double realAccuracy,
      double fd,
      double precision,
      double recall,
      double featureSpread,
      double pixelSpread,
      int samples,
      int reals) {
    /** As a map for JSON output. */
    public Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("accuracy", accuracy);
      m.put("real_accuracy", realAccuracy);
      m.put("fd", fd);
      m.put("precision", precision);
      m.put("recall", recall);
      m.put("feature_spread", featureSpread);
      m.put("pixel_spread", pixelSpread);
      m.put("samples", samples);
      m.put("reals", reals);
      return m;
    }
  }

  /**
   * {@link ClassReport}s of every class of a conditional generator: {@code perClass} samples of
   * each class (constant noise, no truncation) against up to {@code perClass} images of that class
   * in {@code data}, drawn in a seeded order. The data's labels must be the generator's classes.
   */
  public static ClassReport[] byClass(Generator g, Dataset data, int perClass, long seed) {
    return byClass(g, data, perClass, seed, Sampling.fixed(1.0));
  }

  /**
   * {@link #byClass(Generator, Dataset, int, long)} with the samples drawn as {@code sampling} says
   * (truncated, for one).
   */
  public static ClassReport[] byClass(
      Generator g, Dataset data, int perClass, long seed, Sampling sampling) {
    int classes = g.labelCount();
    if (classes == 0 || data.labelCount() != classes) {
      throw new IllegalArgumentException(
          "per-class metrics need a conditional generator and data with its classes; got "
              + classes
              + " and "
              + data.labelCount()
              + " classes");
    }
    if (perClass < 10) {
      throw new IllegalArgumentException("per-class metrics need >= 10 samples, got " + perClass);
    }
    FeatureNet net = FeatureNet.pretrained();
    g.eval();
    int[] order = new Rng(seed).permutation(data.size());
    Rng rng = new Rng(seed + 1);
    ClassReport[] out = new ClassReport[classes];
    for (int k = 0; k < classes; k++) {
      int[] reals = new int[perClass];
      int found = 0;
      for (int i = 0; i < order.length && found < perClass; i++) {
        if (data.label(order[i]) == k) {
          reals[found++] = order[i];
        }
      }
      if (found < 2) {
        throw new IllegalArgumentException(
            data.name() + " has " + found + " images of class " + k + "; per-class metrics need 2");
      }
      int[] realIdx = Arrays.copyOf(reals, found);
      Pass real =
          pass(
              net,
              (at, n) ->
                  data.batch(Arrays.copyOfRange(realIdx, at, at + n), null, DType.FLOAT32).x(),
              found,
              k);
      Pass fake = pass(net, samplesOf(g, k, rng, sampling), perClass, k);
      double[] pr = FeatureStats.precisionRecall(real.features(), fake.features(), 3);
      out[k] =
          new ClassReport(
              k,
              (double) fake.hits() / perClass,
              (double) real.hits() / found,
              FeatureStats.frechet(real.features(), fake.features()),
              pr[0],
              pr[1],
              FeatureStats.spread(fake.features()) / FeatureStats.spread(real.features()),
              fake.pixelSpread() / real.pixelSpread(),
              perClass,
              found);
    }
    return out;
  }

  /** How many of the {@code n} rows of {@code logits} have their largest entry at {@code k}. */
  private static int argmaxHits(double[] logits, int n, int k) {
    int classes = logits.length / n;
    int hits = 0;
    for (int i = 0; i < n; i++) {
      int best = 0;
      for (int c = 1; c < classes; c++) {
        if (logits[i * classes + c] > logits[i * classes + best]) {
          best = c;
        }
      }
      hits += best == k ? 1 : 0;
    }
    return hits;
  }

  /** Images {@code [at, at + n)} of a sequence, as one batch. */
  private interface Images {
    Tensor get(int at, int n);
  }

  /** Samples of class {@code k} as {@code sampling} says, latents drawn from {@code rng}. */
  private static Images samplesOf(Generator g, int k, Rng rng, Sampling sampling) {
    return (at, n) -> {
      int[] labels = new int[n];
      Arrays.fill(labels, k);
      return g.forward(g.sampleLatents(n, rng), labels, sampling);
    };
  }

  /** What one pass over images measured: their features, hits of one class, pixel spread. */
  private record Pass(double[][] features, int hits, double pixelSpread) {}

  /**
   * The classifier's features of {@code count} images, how many it assigns to class {@code k}, and
   * their pixel spread, in batches of the classifier's size.
   */
  private static Pass pass(FeatureNet net, Images images, int count, int k) {
    double[][] features = new double[count][];
    int hits = 0;
    Pixels pixels = new Pixels();
    try (GradMode.Guard off = GradMode.disabled()) {
      for (int at = 0; at < count; at += net.batchSize()) {
        try (TensorScope s = TensorScope.open()) {
          int n = Math.min(net.batchSize(), count - at);
          Tensor x = images.get(at, n);
          pixels.add(x);
          Tensor f = net.measure(x);
          double[] v = f.toDoubleArray();
          int d = v.length / n;
          for (int i = 0; i < n; i++) {
            features[at + i] = Arrays.copyOfRange(v, i * d, (i + 1) * d);
          }
          hits += argmaxHits(net.logitsOf(f).toDoubleArray(), n, k);
        }
      }
    }
    return new Pass(features, hits, pixels.spread());
  }

  /** Per-pixel sums and sums of squares over images, for their standard deviation. */
  private static final class Pixels {
    private double[] sum;
    private double[] squares;
    private long count;

    void add(Tensor images) {
      int n = (int) images.size(0);
      Tensor flat = images.to(DType.FLOAT64).reshape(n, images.numel() / n);
      double[] s1 = flat.sum(false, 0).toDoubleArray();
      double[] s2 = flat.square().sum(false, 0).toDoubleArray();
      if (sum == null) {
        sum = new double[s1.length];
        squares = new double[s1.length];
      }
      for (int j = 0; j < s1.length; j++) {
        sum[j] += s1[j];
        squares[j] += s2[j];
      }
      count += n;
    }

    /** Each pixel's standard deviation (divided by n - 1), averaged over the pixels. */
    double spread() {
      double total = 0;
      for (int j = 0; j < sum.length; j++) {
        double mean = sum[j] / count;
        total += Math.sqrt(Math.max(0, (squares[j] - count * mean * mean) / (count - 1)));
      }
      return total / sum.length;
    }
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
    return evaluate(space, g, data, count, seed, Sampling.fixed(1.0));
  }

  /**
   * {@link #evaluate(FeatureSpace, Generator, Dataset, int, long)} with the samples drawn as {@code
   * sampling} says (truncated, for one).
   */
  public static Report evaluate(
      FeatureSpace space, Generator g, Dataset data, int count, long seed, Sampling sampling) {
    g.eval();
    return compare(
        space.name(),
        realFeatures(space, data, count, seed),
        fakeFeatures(space, g, count, seed + 1, sampling),
        seed + 2);
  }
}
