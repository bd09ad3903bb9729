package org.jgan.train.study;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jgan.core.autograd.GradMode;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.tensor.TensorScope;
import org.jgan.models.Generator;
import org.jgan.models.ModelConfig;
import org.jgan.models.Sampling;
import org.jgan.train.data.ImageDataset;
import org.jgan.train.loop.Trainer;
import org.jgan.train.loop.TrainingConfig;
import org.jgan.train.metrics.FeatureNet;

/**
 * Data augmentation with a conditional GAN, measured: when only {@code n} labelled images per class
 * are known, does adding {@code m} generated images per class raise a classifier's accuracy on
 * held-out data? One trial draws the {@code n} images per class, trains a conditional GAN on them
 * and nothing else (a generator trained on more labelled data would carry those labels into the
 * comparison), and trains the same classifier ({@link FeatureNet}, the same seed and number of
 * steps) twice: on the real images alone and on the real plus the generated ones.
 */
public final class AugmentationStudy {
  /**
   * How a trial runs.
   *
   * @param training the GAN's training config, conditional on the data's classes ({@code
   *     totalImages} is its budget; the trial's seed replaces {@code seed})
   * @param generatedPerClass generated images added per class ({@code m})
   * @param classifierSteps steps of batch 64 for each classifier, whatever its data's size
   * @param psi truncation of the generated images (1 = none)
   */
  public record Settings(
      TrainingConfig training, int generatedPerClass, long classifierSteps, double psi) {
    /** Validates the values. */
    public Settings {
      ModelConfig m = training.model();
      if (m.labelCount() == 0) {
        throw new IllegalArgumentException("the study's GAN must be conditional: " + m.family());
      }
      if (generatedPerClass < 1 || classifierSteps < 1 || !(psi > 0)) {
        throw new IllegalArgumentException(
            "generatedPerClass and classifierSteps must be >= 1 and psi > 0, got " + this);
      }
      if (psi != 1.0 && !m.family().hasMappingNetwork()) {
        throw new IllegalArgumentException(
            "psi " + psi + ": the " + m.family() + " family has no mapping network to truncate");
      }
    }
  }

  /**
   * One trial's outcome.
   *
   * @param perClass real images per class ({@code n})
   * @param seed the trial's seed (subset, GAN, classifiers)
   * @param realAccuracy test accuracy of the classifier trained on the real images
   * @param augmentedAccuracy test accuracy of the classifier trained on real plus generated
   * @param generatedAccuracy the real-only classifier's accuracy on the generated images (do their
   *     labels hold?)
   * @param ganSeconds wall time of the GAN's training
   * @param samples the first generated images of every class, {@code [10 per class, C, H, W]}
   */
  public record Trial(
      int perClass,
      long seed,
      double realAccuracy,
      double augmentedAccuracy,
      double generatedAccuracy,
      double ganSeconds,
      Tensor samples) {}

  private AugmentationStudy() {}

  /**
   * Runs one trial: {@code perClass} images of every class of {@code train}, seeded by {@code
   * seed}; accuracies on {@code test}.
   */
  public static Trial run(
      ImageDataset train, ImageDataset test, int perClass, long seed, Settings s) {
    if (train.labelCount() != s.training().model().labelCount()) {
      throw new IllegalArgumentException(
          "the GAN is conditional on "
              + s.training().model().labelCount()
              + " classes; the data have "
              + train.labelCount());
    }
    ImageDataset real = train.perClass(perClass, seed);
    TrainingConfig cfg = s.training().toBuilder().seed(seed).build();
    long t0 = System.nanoTime();
    Trainer trainer = new Trainer(cfg, real);
    while (!trainer.done()) {
      try (TensorScope scope = TensorScope.open()) {
        trainer.step();
      }
    }
    double ganSeconds = (System.nanoTime() - t0) / 1e9;
    int classes = train.labelCount();
    ImageDataset fake =
        generate(trainer.sampler(), classes, s.generatedPerClass(), s.psi(), seed, train);
    long steps = s.classifierSteps();
    FeatureNet onReal = FeatureNet.trainSteps(real, steps, seed);
    double realAccuracy = onReal.accuracy(test);
    double generatedAccuracy = onReal.accuracy(fake);
    FeatureNet onBoth =
        FeatureNet.trainSteps(real.concat(real.name() + "+generated", fake), steps, seed);
    double augmentedAccuracy = onBoth.accuracy(test);
    int[] first = new int[10 * classes];
    for (int c = 0; c < classes; c++) {
      for (int k = 0; k < 10; k++) {
        first[c * 10 + k] = c * s.generatedPerClass() + Math.min(k, s.generatedPerClass() - 1);
      }
    }
    Tensor samples;
    try (TensorScope scope = TensorScope.open()) {
      samples = scope.keep(fake.batch(first, null, DType.FLOAT32).x());
    }
    return new Trial(
        perClass, seed, realAccuracy, augmentedAccuracy, generatedAccuracy, ganSeconds, samples);
  }

  /** {@code m} images of every class from {@code g}, class by class, as 8-bit images. */
  static ImageDataset generate(
      Generator g, int classes, int m, double psi, long seed, ImageDataset like) {
    Rng rng = new Rng(seed).split(5);
    Tensor[] parts = new Tensor[classes];
    int[] labels = new int[classes * m];
    try (TensorScope scope = TensorScope.open();
        GradMode.Guard off = GradMode.disabled()) {
      g.eval();
      for (int c = 0; c < classes; c++) {
        int[] ls = new int[m];
        Arrays.fill(ls, c);
        Arrays.fill(labels, c * m, (c + 1) * m, c);
        List<Tensor> chunk = new ArrayList<>();
        for (int at = 0; at < m; at += 250) {
          int n = Math.min(250, m - at);
          chunk.add(
              g.forward(
                  g.sampleLatents(n, rng),
                  Arrays.copyOfRange(ls, at, at + n),
                  Sampling.fixed(psi)));
        }
        parts[c] = Tensor.concat(0, chunk.toArray(new Tensor[0]));
      }
      Tensor all = Tensor.concat(0, parts);
      return ImageDataset.of("generated", all, labels, like.classNames());
    }
  }
}
