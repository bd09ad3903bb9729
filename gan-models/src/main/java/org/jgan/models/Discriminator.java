package org.jgan.models;

import org.jgan.core.nn.Module;
import org.jgan.core.tensor.Tensor;

/** A discriminator: samples (and labels, when conditional) to logits {@code [N, 1]}. */
public abstract class Discriminator extends Module {
  /** Number of classes for conditioning; 0 when unconditional. */
  public int labelCount() {
    return 0;
  }

  /**
   * Scores samples.
   *
   * @param x images {@code [N, C, H, W]} at the current stage, or points {@code [N, d]}
   * @param labels class indices for a conditional discriminator, else null
   * @return logits {@code [N, 1]}
   */
  public abstract Tensor forward(Tensor x, int[] labels);
}
