package org.jgan.models;

import org.jgan.core.nn.Module;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;

/**
 * A generator: latents {@code z [N, zDim]} (and class labels, when conditional) to samples, images
 * {@code [N, C, H, W]} nominally in [-1, 1] or points {@code [N, d]}.
 */
public abstract class Generator extends Module {
  private final ModelConfig config;

  /** A generator of the family and sizes {@code config} states. */
  protected Generator(ModelConfig config) {
    this.config = config;
  }

  /** Size of the latent {@code z}. */
  public int zDim() {
    return config.zDim();
  }

  /** Number of classes for conditioning; 0 when unconditional. */
  public int labelCount() {
    return config.labelCount();
  }

  /**
   * Shape of one sample at the current stage: {@code [C, H, W]} (H = W the stage resolution of a
   * growing network, else the config's), or {@code [d]} for points.
   */
  public long[] sampleShape() {
    int r = this instanceof Progressive p ? p.stageResolution() : config.resolution();
    return new long[] {config.imageChannels(), r, r};
  }

  /**
   * Generates samples.
   *
   * @param z latents {@code [N, zDim]}
   * @param labels class indices (length N) for a conditional generator, else null
   * @param sampling noise source and truncation; families without noise ignore the noise, and
   *     families without a mapping network refuse a truncation ({@link #checkNoTruncation})
   */
  public abstract Tensor forward(Tensor z, int[] labels, Sampling sampling);

  /** Latents {@code z ~ N(0, I)} of this generator's size and type. */
  public Tensor sampleLatents(int n, Rng rng) {
    return rng.normal(dtype(), n, zDim());
  }

  /**
   * Refuses a truncation {@code psi != 1} for a family without a mapping network (vanilla, DCGAN,
   * progressive): truncation pulls the intermediate latent {@code w}, which they do not have, and
   * ignoring it would hand back untruncated samples as if they were truncated.
   */
  protected final void checkNoTruncation(Sampling sampling) {
    if (sampling != null && sampling.truncationPsi() != 1.0) {
      throw new IllegalArgumentException(
          getClass().getSimpleName()
              + " has no mapping network to truncate: psi must be 1, got "
              + sampling.truncationPsi());
    }
  }

  /** Checks the labels against {@link #labelCount()}. */
  protected final void checkLabels(int[] labels, long n) {
    checkLabels(getClass().getSimpleName(), labelCount(), labels, n);
  }

  /**
   * Checks {@code labels} for {@code n} samples of a network with {@code labelCount} classes: null
   * when unconditional, else one index in {@code [0, labelCount)} per sample.
   */
  static void checkLabels(String owner, int labelCount, int[] labels, long n) {
    if (labelCount == 0 && labels != null) {
      throw new IllegalArgumentException(owner + " is unconditional; labels must be null");
    }
    if (labelCount > 0) {
      if (labels == null || labels.length != n) {
        throw new IllegalArgumentException(
            owner + " is conditional: pass one label per sample (" + n + ")");
      }
      for (int l : labels) {
        if (l < 0 || l >= labelCount) {
          throw new IllegalArgumentException("label " + l + " is outside [0, " + labelCount + ")");
        }
      }
    }
  }
}
