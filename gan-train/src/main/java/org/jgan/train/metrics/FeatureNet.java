package org.jgan.train.metrics;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import org.jgan.core.autograd.GradMode;
import org.jgan.core.io.SafeTensors;
import org.jgan.core.kernels.Shapes;
import org.jgan.core.nn.Conv2d;
import org.jgan.core.nn.Embedding;
import org.jgan.core.nn.Functional;
import org.jgan.core.nn.Linear;
import org.jgan.core.nn.Module;
import org.jgan.core.optim.Adam;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.tensor.TensorScope;
import org.jgan.train.data.Batch;
import org.jgan.train.data.Batches;
import org.jgan.train.data.ImageDataset;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The feature space of the metrics: a small classifier trained with this library on the
 * Fashion-MNIST training split, in place of Inception (which cannot be downloaded here and was not
 * trained on garments). Three 3x3 convolutions (32, 64, 128 channels) each followed by leaky ReLU
 * and 2x2 average pooling, a dense layer to 128 features (leaky ReLU) and a dense layer to the ten
 * classes; input {@code [N, 1, 32, 32]} in [-1, 1] (28x28 images are padded with black). The
 * metrics use the 128 features.
 *
 * <p>The shipped weights come from {@code ./gan train-classifier} (see docs/metrics.md), which
 * records its test accuracy in the file's metadata.
 */
public final class FeatureNet extends Module implements FeatureSpace {
  /** Size of the feature vector. */
  public static final int FEATURES = 128;

  /** How reports name this feature space. */
  public static final String NAME = "fashion-mnist classifier (128 features)";

  private static final Logger LOG = LoggerFactory.getLogger(FeatureNet.class);
  private static final String RESOURCE =
      "/org/jgan/train/metrics/fashion-mnist-features.safetensors";

  private final Conv2d conv1;
  private final Conv2d conv2;
  private final Conv2d conv3;
  private final Linear fc;
  private final Linear out;

  /** A network with random weights (seeded). */
  public FeatureNet(long seed) {
    Rng rng = new Rng(seed);
    conv1 = child("conv1", new Conv2d(1, 32, 3, 1, 1, true, rng));
    conv2 = child("conv2", new Conv2d(32, 64, 3, 1, 1, true, rng));
    conv3 = child("conv3", new Conv2d(64, 128, 3, 1, 1, true, rng));
    fc = child("fc", new Linear(128 * 4 * 4, FEATURES, rng));
    out = child("out", new Linear(FEATURES, 10, rng));
  }

  /** The shipped, trained network. */
  public static FeatureNet pretrained() {
    try (InputStream in = FeatureNet.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            "feature network weights missing from the jar: " + RESOURCE);
      }
      SafeTensors.Contents c = SafeTensors.read(in.readAllBytes(), RESOURCE);
      FeatureNet net = new FeatureNet(0);
      net.loadStateDict(c.tensors());
      net.eval();
      return net;
    } catch (IOException e) {
      throw new IllegalStateException("feature network weights damaged: " + e.getMessage(), e);
    }
  }

  /** The metadata of the shipped weights (accuracy, command, epochs). */
  public static Map<String, String> pretrainedInfo() {
    try (InputStream in = FeatureNet.class.getResourceAsStream(RESOURCE)) {
      return in == null ? Map.of() : SafeTensors.read(in.readAllBytes(), RESOURCE).metadata();
    } catch (IOException e) {
      return Map.of(); // damaged weights: pretrained() says so when they are used
    }
  }

  private static Tensor pad(Tensor x) {
    Shapes.check(x.shape(), "FeatureNet input", -1, 1, -1, -1);
    if (x.size(2) == 28 && x.size(3) == 28) {
      return x.add(1.0).pad(2, 2, 2).pad(3, 2, 2).sub(1.0); // black border
    }
    Shapes.check(x.shape(), "FeatureNet input (28x28 or 32x32)", -1, 1, 32, 32);
    return x;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int featureCount() {
    return FEATURES;
  }

  @Override
  public int batchSize() {
    return 250;
  }

  @Override
  public String cannotMeasure(long[] shape, String dataName) {
    return Metrics.cannotMeasure(shape, dataName);
  }

  /** Features {@code [N, 128]} of images {@code [N, 1, 28|32, 28|32]}. */
  public Tensor features(Tensor x) {
    Tensor h = Functional.avgPool2d(conv1.forward(pad(x)).leakyRelu(0.2), 2);
    h = Functional.avgPool2d(conv2.forward(h).leakyRelu(0.2), 2);
    h = Functional.avgPool2d(conv3.forward(h).leakyRelu(0.2), 2);
    return fc.forward(h.flatten(1)).leakyRelu(0.2);
  }

  /** {@link #features} of the images in this network's type. */
  @Override
  public Tensor measure(Tensor images) {
    return features(images.to(dtype()));
  }

  /** Class logits {@code [N, 10]}. */
  public Tensor logits(Tensor x) {
    return out.forward(features(x));
  }

  /** Class logits {@code [N, 10]} of {@link #features} already computed. */
  public Tensor logitsOf(Tensor features) {
    return out.forward(features);
  }

  /** Share of {@code data} classified correctly. */
  public double accuracy(ImageDataset data) {
    int correct = 0;
    try (GradMode.Guard off = GradMode.disabled()) {
      for (int at = 0; at < data.size(); at += 250) {
        try (TensorScope s = TensorScope.open()) {
          int n = Math.min(250, data.size() - at);
          int[] idx = new int[n];
          for (int i = 0; i < n; i++) {
            idx[i] = at + i;
          }
          Batch b = data.batch(idx, null, DType.FLOAT32);
          double[] logits = logits(b.x()).toDoubleArray();
          for (int i = 0; i < n; i++) {
            int best = 0;
            for (int k = 1; k < 10; k++) {
              best = logits[i * 10 + k] > logits[i * 10 + best] ? k : best;
            }
            correct += best == b.labels()[i] ? 1 : 0;
          }
        }
      }
    }
    return correct / (double) data.size();
  }

  /**
   * Trains a network from scratch with Adam (learning rate 1e-3 decaying linearly to 0, betas
   * 0.9/0.999), batch 64, softmax cross-entropy, for {@code epochs} passes over {@code train}.
   */
  public static FeatureNet train(ImageDataset train, int epochs, long seed) {
    return trainSteps(train, (long) epochs * train.size() / 64, seed);
  }

  /**
   * As {@link #train(ImageDataset, int, long)}, for a given number of steps of batch 64 (a fixed
   * budget whatever the size of {@code train}, for comparing training sets).
   */
  public static FeatureNet trainSteps(ImageDataset train, long steps, long seed) {
    FeatureNet net = new FeatureNet(seed);
    Adam adam = new Adam(net.namedParameters(), 1e-3, 0.9, 0.999, 1e-8, 0);
    Batches batches = new Batches(train, seed + 1, false);
    for (long step = 0; step < steps; step++) {
      try (TensorScope s = TensorScope.open()) {
        adam.groups().get(0).setLr(1e-3 * (1 - (double) step / steps)); // linear decay to 0
        Batch b = batches.next(64, DType.FLOAT32);
        adam.zeroGrad();
        Tensor loss = crossEntropy(net.logits(b.x()), b.labels());
        loss.backward();
        adam.step();
        if (step % 500 == 0) {
          LOG.info(
              "classifier step {}/{}: loss {}", step, steps, String.format("%.4f", loss.item()));
        }
      }
    }
    net.eval();
    return net;
  }

  /** Mean softmax cross-entropy, {@code logsumexp(z) - z_label}, stabilised by the row maximum. */
  static Tensor crossEntropy(Tensor logits, int[] labels) {
    long k = logits.size(1);
    // subtracting a per-row constant (not differentiated) keeps exp from overflowing
    double[] v = logits.toDoubleArray();
    double[] max = new double[labels.length];
    for (int i = 0; i < labels.length; i++) {
      max[i] = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < k; j++) {
        max[i] = Math.max(max[i], v[(int) (i * k + j)]);
      }
    }
    Tensor shifted = logits.sub(Tensor.of(max, labels.length, 1).to(logits.dtype()));
    Tensor lse = shifted.exp().sum(true, 1).log();
    Tensor picked = shifted.mul(Embedding.oneHot(labels, (int) k, logits.dtype())).sum(true, 1);
    return lse.sub(picked).mean();
  }
}
