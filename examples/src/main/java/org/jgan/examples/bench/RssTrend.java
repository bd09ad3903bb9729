package org.jgan.examples.bench;

import java.io.PrintStream;
import java.util.Locale;
import org.jgan.core.kernels.NativeMemory;

/**
 * Whether resident memory grows over a long loop. The JVM resizes its heap as it goes, so single
 * readings move by a hundred megabytes either way; a leak shows as a rising peak. This samples the
 * resident set every few steps after warm-up (the first 10% of the steps) and compares the peak of
 * the first half of the remaining steps with the peak of the second half.
 */
final class RssTrend {
  private final int steps;
  private final int warmup;
  private final int every;
  private long firstPeak;
  private long secondPeak;

  RssTrend(int steps) {
    this.steps = steps;
    this.warmup = Math.max(1, steps / 10);
    this.every = Math.max(1, steps / 1000);
  }

  /** The last warm-up step (10% of the steps): sampling starts after it. */
  int warmup() {
    return warmup;
  }

  /** Call after each step (1-based). */
  void sample(long step) {
    if (step <= warmup || step % every != 0) {
      return;
    }
    long rss = NativeMemory.residentBytes();
    if (step <= warmup + (steps - warmup) / 2) {
      firstPeak = Math.max(firstPeak, rss);
    } else {
      secondPeak = Math.max(secondPeak, rss);
    }
  }

  /** Prints the two peaks and returns the growth of the second over the first. */
  double report(PrintStream out) {
    double growth = firstPeak == 0 ? 0 : (double) secondPeak / firstPeak - 1;
    int mid = warmup + (steps - warmup) / 2;
    out.printf(
        Locale.ROOT,
        "peak resident memory, steps %d-%d: %d MB; steps %d-%d: %d MB; growth %+.1f%%%n",
        warmup + 1,
        mid,
        firstPeak >> 20,
        mid + 1,
        steps,
        secondPeak >> 20,
        100 * growth);
    return growth;
  }
}
