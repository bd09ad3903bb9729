package org.jgan.train.metrics;

/**
 * Mode coverage on the 2-D mixtures (VEEGAN, PacGAN): a sample is of high quality when it lies
 * within three standard deviations of its nearest mode; a mode counts as covered when it receives
 * at least {@code minPerMode} high-quality samples (PacGAN counts a mode lost below 20 of 2,500
 * samples on the 25-mode grid).
 */
public final class ToyMetrics {
  private ToyMetrics() {}

  /**
   * Scores points {@code [n * 2]} (x, y interleaved).
   *
   * @return {modes covered, share of high-quality samples}
   */
  public static double[] score(float[] points, double[][] modes, double std, int minPerMode) {
    int n = points.length / 2;
    int[] perMode = new int[modes.length];
    int good = 0;
    for (int i = 0; i < n; i++) {
      int best = -1;
      double bestD = Double.MAX_VALUE;
      for (int m = 0; m < modes.length; m++) {
        double dx = points[2 * i] - modes[m][0];
        double dy = points[2 * i + 1] - modes[m][1];
        double d = dx * dx + dy * dy;
        if (d < bestD) {
          bestD = d;
          best = m;
        }
      }
      if (Math.sqrt(bestD) <= 3 * std) {
        good++;
        perMode[best]++;
      }
    }
    int covered = 0;
    for (int c : perMode) {
      covered += c >= minPerMode ? 1 : 0;
    }
    return new double[] {covered, good / (double) n};
  }
}
