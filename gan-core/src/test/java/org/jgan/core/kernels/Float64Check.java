package org.jgan.core.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.testing.TensorAssert;

/**
 * Float32 gradients of a fast kernel path against the same gradients in float64 (which only
 * libnd4j's kernels take), in both data formats, with and without a recorded graph.
 */
final class Float64Check {
  private Float64Check() {}

  /** Gradients of one computation from inputs drawn with {@code rng}, as float64 tensors. */
  @FunctionalInterface
  interface Gradients {
    Tensor[] of(Rng rng, DType type, DataFormat format, boolean graph);
  }

  /**
   * Asserts that every float32 gradient is within {@code tol} of its float64 twin, both computed
   * from the same draws ({@code rng.split(1)}).
   */
  static void assertFloat32MatchesFloat64(Rng rng, double tol, Gradients gradients) {
    for (DataFormat f : DataFormat.values()) {
      for (boolean graph : new boolean[] {false, true}) {
        Tensor[] g32 = gradients.of(rng.split(1), DType.FLOAT32, f, graph);
        Tensor[] g64 = gradients.of(rng.split(1), DType.FLOAT64, f, graph);
        assertEquals(g64.length, g32.length);
        for (int i = 0; i < g32.length; i++) {
          TensorAssert.assertClose(g64[i], g32[i], tol, f + " graph " + graph + " gradient " + i);
        }
      }
    }
  }
}
