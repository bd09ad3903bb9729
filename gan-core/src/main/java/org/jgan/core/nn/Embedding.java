package org.jgan.core.nn;

import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;

/**
 * A lookup table {@code weight [count, dim]} (init {@code N(0, 1)}, as PyTorch's {@code
 * nn.Embedding}). The lookup is a product with a one-hot matrix, so its gradient scatters into the
 * looked-up rows and it is differentiable to any order.
 */
public final class Embedding extends Module {
  private final int count;
  private final Parameter weight;

  /** A table of {@code count} vectors of size {@code dim}. */
  public Embedding(int count, int dim, Rng rng) {
    this.count = count;
    this.weight = param("weight", rng.normal(DType.FLOAT32, count, dim));
  }

  /** The table {@code [count, dim]}. */
  public Parameter weight() {
    return weight;
  }

  /** Rows {@code indices[n]}, as {@code [N, dim]}. */
  public Tensor forward(int[] indices) {
    return oneHot(indices, count, weight.value().dtype()).matmul(weight.value());
  }

  /**
   * One-hot rows {@code [N, count]}.
   *
   * @throws IllegalArgumentException for an index outside {@code [0, count)}
   */
  public static Tensor oneHot(int[] indices, int count, DType type) {
    double[] v = new double[indices.length * count];
    for (int n = 0; n < indices.length; n++) {
      if (indices[n] < 0 || indices[n] >= count) {
        throw new IllegalArgumentException(
            "index " + indices[n] + " at position " + n + " is outside [0, " + count + ")");
      }
      v[n * count + indices[n]] = 1.0;
    }
    return Tensor.of(v, indices.length, count).to(type);
  }
}
