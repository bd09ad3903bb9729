package org.jgan.train.metrics;

import java.util.Arrays;
import java.util.function.IntFunction;
import org.jgan.core.autograd.GradMode;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.tensor.TensorScope;

/**
 * A feature network the metrics measure in: the shipped Fashion-MNIST classifier ({@link
 * FeatureNet}) or Inception-v3's pool3 ({@link Inception}, the FID of the papers).
 */
public interface FeatureSpace {
  /** What the features are, for reports ({@code "fashion-mnist classifier (128 features)"}). */
  String name();

  /** Length of a feature vector. */
  int featureCount();

  /** How many images to measure at once (bounded by the memory of the activations). */
  int batchSize();

  /**
   * The features {@code [n, featureCount()]} of a batch of images {@code [n, C, H, W]} in [-1, 1]
   * as the metrics see them (after whatever rounding the space applies to every image).
   */
  Tensor measure(Tensor images);

  /**
   * Features of {@code count} images, asked for {@code batch} at a time from {@code batches} (which
   * returns {@code [n, C, H, W]} images in [-1, 1]), computed without a graph; one row per image.
   */
  default double[][] featuresOf(IntFunction<Tensor> batches, int count, int batch) {
    int d = featureCount();
    double[][] f = new double[count][];
    try (GradMode.Guard off = GradMode.disabled()) {
      for (int at = 0; at < count; at += batch) {
        try (TensorScope s = TensorScope.open()) {
          int n = Math.min(batch, count - at);
          double[] v = measure(batches.apply(n)).toDoubleArray();
          for (int i = 0; i < n; i++) {
            f[at + i] = Arrays.copyOfRange(v, i * d, (i + 1) * d);
          }
        }
      }
    }
    return f;
  }

  /**
   * Null when this space can measure images of {@code shape} ({@code [C, H, W]}) from data named
   * {@code dataName}; otherwise one sentence that says why not.
   */
  String cannotMeasure(long[] shape, String dataName);
}
