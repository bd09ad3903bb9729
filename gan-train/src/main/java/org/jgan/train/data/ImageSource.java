package org.jgan.train.data;

import java.io.UncheckedIOException;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Tensor;

/**
 * Images {@code [C, H, W]} whose decoding into floats needs no tensors, so that it can run on
 * another thread ahead of the training step ({@link Batches}); the batch is made on the caller's
 * thread.
 */
public interface ImageSource extends Dataset {
  /**
   * Writes the samples at {@code indices} (mirrored where {@code flip[k]}; null: none) as floats in
   * [-1, 1] ({@code v / 127.5 - 1}) into {@code out}, sample after sample. Safe to call from any
   * thread.
   *
   * @throws DatasetException naming a file that cannot be read or decoded
   */
  void decodeInto(int[] indices, boolean[] flip, float[] out) throws DatasetException;

  /** Whether decoding is slow enough to be worth a background thread (files, not memory). */
  default boolean prefetch() {
    return false;
  }

  /** The labels of {@code indices}, or null when unlabelled. */
  default int[] labels(int[] indices) {
    if (labelCount() == 0) {
      return null;
    }
    int[] ls = new int[indices.length];
    for (int k = 0; k < indices.length; k++) {
      ls[k] = label(indices[k]);
    }
    return ls;
  }

  /** The batch made from floats that {@link #decodeInto} wrote. */
  default Batch batchOf(int[] indices, float[] pixels, DType type) {
    long[] s = sampleShape();
    return new Batch(Tensor.of(pixels, indices.length, s[0], s[1], s[2]).to(type), labels(indices));
  }

  /** Floats for {@code n} samples. */
  default float[] buffer(int n) {
    long[] s = sampleShape();
    return new float[Math.toIntExact(n * s[0] * s[1] * s[2])];
  }

  @Override
  default Batch batch(int[] indices, boolean[] flip, DType type) {
    float[] out = buffer(indices.length);
    try {
      decodeInto(indices, flip, out);
    } catch (DatasetException e) {
      throw new UncheckedIOException(e);
    }
    return batchOf(indices, out, type);
  }
}
