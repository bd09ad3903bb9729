package org.jgan.core.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.jgan.core.autograd.Autograd;
import org.jgan.core.autograd.GradMode;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.testing.LeakCheck;
import org.jgan.core.testing.TensorAssert;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Leaky ReLU with and without a recorded graph: the same values, hand-computed at the kink. */
class LeakyReluTest {
  @AfterEach
  void noLeak() {
    LeakCheck.assertNoOpenScope();
  }

  @Test
  void handComputedValuesOnBothPaths() {
    double g = Math.sqrt(2);
    double[] x = {-2, -0.5, 0, 0.5, 3};
    double[] expected = {-0.4 * g, -0.1 * g, 0, 0.5 * g, 3 * g};
    Tensor graph = Tensor.leaf(Tensor.of(x, 5).data(), true).leakyRelu(0.2, g);
    Tensor noGraph;
    try (GradMode.Guard off = GradMode.disabled()) {
      noGraph = Tensor.of(x, 5).leakyRelu(0.2, g);
    }
    assertArrayEquals(expected, graph.toDoubleArray(), 1e-15);
    assertArrayEquals(expected, noGraph.toDoubleArray(), 1e-15);
    assertArrayEquals(
        new double[] {-0.4, -0.1, 0, 0.5, 3},
        Tensor.of(x, 5).leakyRelu(0.2).toDoubleArray(),
        1e-15);
    // the slope at exactly 0 is alpha times the gain (PyTorch's convention)
    Tensor at0 = Tensor.leaf(Tensor.of(new double[] {0}, 1).data(), true);
    assertArrayEquals(
        new double[] {0.2 * g},
        Autograd.grad(at0.leakyRelu(0.2, g).sum(), at0, false).toDoubleArray(),
        1e-15);
  }

  @Test
  void float32PathsAgreeOnALargeArray() {
    Tensor x = Tensor.of(new Rng(4).normalArray(DType.FLOAT32, 0, 1, 4, 8, 8, 16));
    Tensor withMask = Tensor.leaf(x.data(), true).leakyRelu(0.2, Math.sqrt(2));
    Tensor without;
    try (GradMode.Guard off = GradMode.disabled()) {
      without = x.leakyRelu(0.2, Math.sqrt(2));
    }
    TensorAssert.assertClose(
        withMask, without, 3e-7, "leaky relu with and without a graph (an ulp apart)");
  }

  @Test
  void anOpMadeWithoutAMaskRefusesBackward() {
    LeakyRelu op = new LeakyRelu(0.2, 1.0, false);
    op.forward(Tensor.of(new double[] {1, -1}, 2).data());
    assertThrows(
        IllegalStateException.class, () -> op.backward(null, Tensor.of(new double[] {1, 1}, 2)));
  }
}
