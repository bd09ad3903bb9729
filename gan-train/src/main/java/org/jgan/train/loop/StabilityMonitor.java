package org.jgan.train.loop;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches gradient norms as training runs and flags, in the log, a norm that explodes (more than
 * {@value #EXPLODE} times its running average, an average over the last ~50 steps, once 20 steps
 * have been seen) or vanishes (below {@value #VANISH}). A flag is a warning: training goes on.
 */
public final class StabilityMonitor {
  /** Factor over the running average that counts as an explosion. */
  public static final double EXPLODE = 20.0;

  /** Norm below which a gradient counts as vanished. */
  public static final double VANISH = 1e-8;

  private static final Logger LOG = LoggerFactory.getLogger(StabilityMonitor.class);

  private final String network;
  private double average = Double.NaN;
  private long seen;
  private long flags;

  /** A monitor for one network. */
  public StabilityMonitor(String network) {
    this.network = network;
  }

  /** Records a norm; returns true (and logs a warning) when it is flagged. */
  public boolean observe(long step, double norm) {
    boolean flagged = false;
    if (norm < VANISH) {
      LOG.warn("step {}: {} gradient norm {} vanished (below {})", step, network, norm, VANISH);
      flagged = true;
    } else if (seen >= 20 && norm > EXPLODE * average) {
      LOG.warn(
          "step {}: {} gradient norm {} exploded ({}x its running average {})",
          step,
          network,
          String.format("%.4g", norm),
          String.format("%.1f", norm / average),
          String.format("%.4g", average));
      flagged = true;
    }
    average = Double.isNaN(average) ? norm : average + 0.02 * (norm - average);
    seen++;
    flags += flagged ? 1 : 0;
    return flagged;
  }

  /** How many steps were flagged. */
  public long flags() {
    return flags;
  }
}
