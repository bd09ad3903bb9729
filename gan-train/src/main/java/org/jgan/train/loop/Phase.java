package org.jgan.train.loop;

import org.jgan.models.Generator;
import org.jgan.models.StyleGenerator;

/**
 * The phases of one training step, in the order they run, with StyleGAN2-ADA's names and lazy
 * schedule: a phase runs on the steps that are multiples of its interval, and a lazily scheduled
 * regulariser's loss is multiplied by its interval so that it keeps its weight on average.
 */
public enum Phase {
  /**
   * The discriminator on real and generated images; WGAN-GP's penalty and drift, and R1 when its
   * interval is 1, join this loss.
   */
  D_MAIN(false),
  /** Lazy R1 regularisation of the discriminator, every {@code r1Interval} steps (16). */
  D_REG(false),
  /** The generator against the discriminator (whose weight gradients are never computed). */
  G_MAIN(true),
  /**
   * Lazy path-length regularisation of a style-based generator, every {@code plInterval} steps (4),
   * on {@code batch / plBatchShrink} samples.
   */
  G_REG(true);

  private final boolean generator;

  Phase(boolean generator) {
    this.generator = generator;
  }

  /** Whether this phase trains the generator (else the discriminator). */
  public boolean trainsGenerator() {
    return generator;
  }

  /** Steps between two runs of this phase: 1 for the main phases. */
  public int interval(TrainingConfig c) {
    return switch (this) {
      case D_MAIN, G_MAIN -> 1;
      case D_REG -> c.r1Interval();
      case G_REG -> c.plInterval();
    };
  }

  /**
   * Whether this phase runs at all under {@code c} for generator {@code g}: R1 as its own phase
   * only when lazy (interval above 1), path length only for style-based generators.
   */
  public boolean enabled(TrainingConfig c, Generator g) {
    return switch (this) {
      case D_MAIN, G_MAIN -> true;
      case D_REG -> c.r1Gamma() > 0 && c.r1Interval() > 1;
      case G_REG -> c.plWeight() > 0 && g instanceof StyleGenerator;
    };
  }

  /** Whether this phase runs at step {@code step}. */
  public boolean due(TrainingConfig c, Generator g, long step) {
    return enabled(c, g) && step % interval(c) == 0;
  }
}
