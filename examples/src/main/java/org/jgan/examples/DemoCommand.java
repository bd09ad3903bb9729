package org.jgan.examples;

import java.util.concurrent.Callable;
import org.jgan.core.memory.TensorScope;
import org.jgan.core.nn.Activation;
import org.jgan.core.nn.Conv2d;
import org.jgan.core.nn.Flatten;
import org.jgan.core.nn.Linear;
import org.jgan.core.nn.Sequential;
import org.jgan.core.optim.Adam;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code gan demo}: the core at work until the trainer lands. A small conv net learns to tell
 * horizontal from vertical bars in noisy 8x8 images, printing its loss and test accuracy.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, description = "Train a small conv net on a synthetic task and print its loss.")
public final class DemoCommand implements Callable<Integer> {
  @Option(names = "--steps", defaultValue = "300", description = "Training steps (default ${DEFAULT-VALUE}).")
  int steps;

  @Override
  public Integer call() {
    Rng rng = new Rng(1);
    Sequential net = new Sequential(
        new Conv2d(1, 8, 3, 2, 1, true, rng), Activation.leakyRelu(0.2),
        new Conv2d(8, 8, 3, 2, 1, true, rng), Activation.leakyRelu(0.2),
        new Flatten(), new Linear(8 * 2 * 2, 1, rng));
    Adam adam = new Adam(net.namedParameters(), 0.01, 0.9, 0.999, 1e-8, 0);
    Rng data = new Rng(2);
    for (int step = 1; step <= steps; step++) {
      try (TensorScope s = TensorScope.open()) {
        Tensor[] batch = bars(32, data);
        adam.zeroGrad();
        Tensor loss = net.forward(batch[0]).mul(batch[1]).neg().softplus().mean();
        loss.backward();
        adam.step();
        if (step == 1 || step % 50 == 0) {
          System.out.printf("step %4d  loss %.4f%n", step, loss.item());
        }
      }
    }
    try (TensorScope s = TensorScope.open()) {
      Tensor[] test = bars(1000, new Rng(3));
      double acc = net.forward(test[0]).mul(test[1]).relu().data().gt(0).castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).meanNumber().doubleValue();
      System.out.printf("test accuracy on 1000 new images: %.1f%%%n", 100 * acc);
    }
    return 0;
  }

  /** Noisy 8x8 images with a horizontal (label +1) or vertical (-1) bar. */
  static Tensor[] bars(int n, Rng rng) {
    float[] img = new float[n * 64];
    float[] lab = new float[n];
    float[] noise = rng.normal(DType.FLOAT32, 0, 0.3, n * 64).toFloatArray();
    for (int i = 0; i < n; i++) {
      boolean horizontal = rng.nextDouble() < 0.5;
      int at = rng.nextInt(8);
      for (int k = 0; k < 64; k++) {
        int r = k / 8;
        int c = k % 8;
        img[i * 64 + k] = noise[i * 64 + k] + ((horizontal ? r : c) == at ? 1f : 0f);
      }
      lab[i] = horizontal ? 1f : -1f;
    }
    return new Tensor[] {Tensor.of(img, n, 1, 8, 8), Tensor.of(lab, n, 1)};
  }
}
