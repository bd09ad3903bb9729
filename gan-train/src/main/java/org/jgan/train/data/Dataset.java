package org.jgan.train.data;

import java.util.List;
import org.jgan.core.tensor.DType;

/** A finite, indexable set of training samples with optional class labels. */
public interface Dataset {
  /** A name for logs and checkpoints, e.g. {@code fashion-mnist-test}. */
  String name();

  /** Number of samples. */
  int size();

  /** Shape of one sample: {@code [C, H, W]} or {@code [d]}. */
  long[] sampleShape();

  /** Number of classes; 0 when unlabelled. */
  int labelCount();

  /** Class names, index = label (empty when unlabelled). */
  List<String> classNames();

  /** The label of sample {@code i}, or -1 when unlabelled. */
  int label(int i);

  /**
   * The samples at {@code indices} as one batch; {@code flip[k]} mirrors sample k horizontally
   * (null: no flips).
   */
  Batch batch(int[] indices, boolean[] flip, DType type);
}
