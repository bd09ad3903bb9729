package org.jgan.train.data;

import java.util.List;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Tensor;

/**
 * Points {@code [N, d]} held in memory (2-D toy distributions), with the mode each was drawn from.
 */
public final class PointDataset implements Dataset {
  private final String name;
  private final float[] values;
  private final int dim;
  private final int[] modes;

  /** Points (row-major {@code [n, dim]}) and the index of the mode each came from. */
  public PointDataset(String name, float[] values, int dim, int[] modes) {
    if (values.length % dim != 0 || values.length / dim != modes.length) {
      throw new IllegalArgumentException(
          name
              + ": "
              + values.length
              + " values and "
              + modes.length
              + " modes do not match dim "
              + dim);
    }
    this.name = name;
    this.values = values;
    this.dim = dim;
    this.modes = modes;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int size() {
    return modes.length;
  }

  @Override
  public long[] sampleShape() {
    return new long[] {dim};
  }

  @Override
  public int labelCount() {
    return 0;
  }

  @Override
  public List<String> classNames() {
    return List.of();
  }

  @Override
  public int label(int i) {
    return -1;
  }

  /** The mode sample {@code i} was drawn from. */
  public int mode(int i) {
    return modes[i];
  }

  @Override
  public Batch batch(int[] indices, boolean[] flip, DType type) {
    float[] out = new float[indices.length * dim];
    for (int k = 0; k < indices.length; k++) {
      System.arraycopy(values, indices[k] * dim, out, k * dim, dim);
    }
    return new Batch(Tensor.of(out, indices.length, dim).to(type), null);
  }
}
