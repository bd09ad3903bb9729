package org.jgan.train.data;

import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;

/**
 * The 2-D mixtures of the mode-collapse literature:
 *
 * <ul>
 *   <li>{@link #ring8}: 8 Gaussians with means {@code (2 cos(2 pi i / 8), 2 sin(2 pi i / 8))},
 *       standard deviation {@value #RING_STD} (VEEGAN, Srivastava et al. 2017);
 *   <li>{@link #grid25}: 25 Gaussians with means {@code (-4 + 2i, -4 + 2j)}, standard deviation
 *       {@value #GRID_STD} (PacGAN, Lin et al. 2018).
 * </ul>
 *
 * Modes are equally likely. {@link org.jgan.train.metrics.ToyMetrics} scores samples against them.
 */
public final class ToyDistributions {
  /** Standard deviation of each ring component. */
  public static final double RING_STD = 0.02;

  /** Standard deviation of each grid component. */
  public static final double GRID_STD = 0.05;

  private ToyDistributions() {}

  /** The 8 ring means, {@code [8][2]}. */
  public static double[][] ringMeans() {
    double[][] m = new double[8][];
    for (int i = 0; i < 8; i++) {
      m[i] = new double[] {2 * Math.cos(2 * Math.PI * i / 8), 2 * Math.sin(2 * Math.PI * i / 8)};
    }
    return m;
  }

  /** The 25 grid means, {@code [25][2]}. */
  public static double[][] gridMeans() {
    double[][] m = new double[25][];
    for (int i = 0; i < 5; i++) {
      for (int j = 0; j < 5; j++) {
        m[i * 5 + j] = new double[] {-4 + 2 * i, -4 + 2 * j};
      }
    }
    return m;
  }

  /** {@code n} samples of the ring. */
  public static PointDataset ring8(int n, Rng rng) {
    return sample("ring8", ringMeans(), RING_STD, n, rng);
  }

  /** {@code n} samples of the grid. */
  public static PointDataset grid25(int n, Rng rng) {
    return sample("grid25", gridMeans(), GRID_STD, n, rng);
  }

  private static PointDataset sample(String name, double[][] means, double std, int n, Rng rng) {
    float[] noise = rng.normal(DType.FLOAT32, 0, std, n, 2).toFloatArray();
    float[] v = new float[2 * n];
    int[] modes = new int[n];
    for (int i = 0; i < n; i++) {
      modes[i] = rng.nextInt(means.length);
      v[2 * i] = (float) means[modes[i]][0] + noise[2 * i];
      v[2 * i + 1] = (float) means[modes[i]][1] + noise[2 * i + 1];
    }
    return new PointDataset(name, v, 2, modes);
  }
}
