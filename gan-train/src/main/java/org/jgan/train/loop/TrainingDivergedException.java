package org.jgan.train.loop;

/**
 * Training produced a non-finite loss or gradient; the message names the step, the network and the
 * term. Nothing is saved after such a step, so the last checkpoint is the last good state.
 */
public final class TrainingDivergedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** An exception for {@code term} of {@code network} at {@code step}. */
  public TrainingDivergedException(long step, String network, String term, double value) {
    super(
        String.format(
            "training diverged at step %d: %s %s is %s; lower the learning rate or raise"
                + " regularisation, then resume from the last checkpoint",
            step, network, term, value));
  }
}
