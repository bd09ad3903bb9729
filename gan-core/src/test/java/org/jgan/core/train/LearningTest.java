package org.jgan.core.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.jgan.core.nn.Activation;
import org.jgan.core.nn.Conv2d;
import org.jgan.core.nn.Flatten;
import org.jgan.core.nn.Functional;
import org.jgan.core.nn.Layer;
import org.jgan.core.nn.Linear;
import org.jgan.core.nn.Sequential;
import org.jgan.core.optim.Adam;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.tensor.TensorScope;
import org.junit.jupiter.api.Test;

/** The core learns: a tiny MLP solves XOR; a small conv net tells bar orientations apart. */
class LearningTest {
  /** Logistic loss {@code mean softplus(-y * logit)} for labels {@code y} in {-1, +1}. */
  static Tensor logisticLoss(Tensor logits, Tensor signs) {
    return logits.mul(signs).neg().softplus().mean();
  }

  @Test
  void mlpLearnsXor() {
    Rng rng = new Rng(3);
    Sequential mlp =
        new Sequential(new Linear(2, 8, rng), Activation.tanh(), new Linear(8, 1, rng));
    Tensor x = Tensor.of(new float[] {0, 0, 0, 1, 1, 0, 1, 1}, 4, 2);
    Tensor y = Tensor.of(new float[] {-1, 1, 1, -1}, 4, 1);
    Adam adam = new Adam(mlp.namedParameters(), 0.05, 0.9, 0.999, 1e-8, 0);
    double loss = Double.NaN;
    for (int step = 0; step < 400; step++) {
      try (TensorScope s = TensorScope.open()) {
        adam.zeroGrad();
        Tensor l = logisticLoss(mlp.forward(x), y);
        l.backward();
        adam.step();
        loss = l.item();
      }
    }
    double[] out = mlp.forward(x).toDoubleArray();
    assertTrue(
        out[0] < 0 && out[1] > 0 && out[2] > 0 && out[3] < 0,
        "XOR not learned: " + Arrays.toString(out));
    assertTrue(loss < 0.05, "final loss " + loss);
  }

  /** 8x8 images with a horizontal (label +1) or vertical (-1) bar at a random place, plus noise. */
  static Tensor[] bars(int n, Rng rng) {
    float[] img = new float[n * 64];
    float[] lab = new float[n];
    Tensor noise = rng.normal(DType.FLOAT32, 0, 0.3, n * 64L);
    float[] nz = noise.toFloatArray();
    for (int i = 0; i < n; i++) {
      boolean horizontal = rng.nextDouble() < 0.5;
      int at = rng.nextInt(8);
      for (int k = 0; k < 8; k++) {
        int r = horizontal ? at : k;
        int c = horizontal ? k : at;
        img[i * 64 + r * 8 + c] = 1f;
      }
      for (int k = 0; k < 64; k++) {
        img[i * 64 + k] += nz[i * 64 + k];
      }
      lab[i] = horizontal ? 1f : -1f;
    }
    return new Tensor[] {Tensor.of(img, n, 1, 8, 8), Tensor.of(lab, n, 1)};
  }

  @Test
  void smallConvNetLearnsBarOrientation() {
    Rng rng = new Rng(21);
    Layer pool =
        new Layer() {
          @Override
          public Tensor forward(Tensor x) {
            return Functional.avgPool2d(x, 2);
          }
        };
    Sequential net =
        new Sequential(
            new Conv2d(1, 8, 3, 1, 1, true, rng),
            Activation.relu(),
            pool,
            new Conv2d(8, 8, 3, 1, 1, true, rng),
            Activation.relu(),
            new Flatten(),
            new Linear(8 * 4 * 4, 1, rng));
    Adam adam = new Adam(net.namedParameters(), 0.01, 0.9, 0.999, 1e-8, 0);
    Rng data = new Rng(5);
    for (int step = 0; step < 150; step++) {
      try (TensorScope s = TensorScope.open()) {
        Tensor[] batch = bars(32, data);
        adam.zeroGrad();
        logisticLoss(net.forward(batch[0]), batch[1]).backward();
        adam.step();
      }
    }
    try (TensorScope s = TensorScope.open()) {
      Tensor[] test = bars(400, new Rng(99));
      double[] logits = net.forward(test[0]).toDoubleArray();
      double[] labels = test[1].toDoubleArray();
      int correct = 0;
      for (int i = 0; i < logits.length; i++) {
        correct += Math.signum(logits[i]) == labels[i] ? 1 : 0;
      }
      double accuracy = correct / 400.0;
      assertTrue(accuracy >= 0.97, "test accuracy " + accuracy + " below the stated 97%");
    }
  }
}
