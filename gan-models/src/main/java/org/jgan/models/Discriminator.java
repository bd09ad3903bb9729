package org.jgan.models;

import org.jgan.core.nn.Module;
import org.jgan.core.tensor.Tensor;

/** A discriminator: samples (and labels, when conditional) to logits {@code [N, 1]}. */
public abstract class Discriminator extends Module {
  private final int labelCount;

  /** An unconditional discriminator. */
  protected Discriminator() {
    this(0);
  }

  /** A discriminator conditioned on {@code labelCount} classes (0: unconditional). */
  protected Discriminator(int labelCount) {
    this.labelCount = labelCount;
  }

  /** Number of classes for conditioning; 0 when unconditional. */
  public final int labelCount() {
    return labelCount;
  }

  /**
   * Scores samples.
   *
   * @param x images {@code [N, C, H, W]} at the current stage, or points {@code [N, d]}
   * @param labels class indices for a conditional discriminator, else null
   * @return logits {@code [N, 1]}
   */
  public abstract Tensor forward(Tensor x, int[] labels);

  /** Checks the labels against {@link #labelCount()}. */
  protected final void checkLabels(int[] labels, long n) {
    Generator.checkLabels(getClass().getSimpleName(), labelCount, labels, n);
  }
}
