package org.jgan.train.metrics;

import java.util.Arrays;
import org.jgan.core.tensor.Rng;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.eigen.Eigen;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Distances between two sets of feature vectors (rows), in float64:
 *
 * <ul>
 *   <li>{@link #frechet}: {@code |mu_a - mu_b|^2 + Tr(S_a + S_b - 2 (S_a S_b)^(1/2))} (Heusel et
 *       al. 2017), the trace of the square root computed as {@code sum sqrt(eig(S_a^(1/2) S_b
 *       S_a^(1/2)))} with symmetric eigen-decompositions;
 *   <li>{@link #kid}: the kernel inception distance (Binkowski et al. 2018), unbiased MMD^2 with
 *       the kernel {@code (a.b / d + 1)^3}, averaged over 100 subsets of {@code min(n_a, n_b,
 *       1000)};
 *   <li>{@link #precisionRecall}: improved precision and recall (Kynkaanniemi et al. 2019), k = 3.
 * </ul>
 */
public final class FeatureStats {
  private FeatureStats() {}

  private static INDArray matrix(double[][] rows) {
    return Nd4j.createFromArray(rows).castTo(DataType.DOUBLE);
  }

  /** Mean {@code [d]} and covariance {@code [d, d]} (divided by n - 1). */
  static INDArray[] moments(double[][] rows) {
    INDArray x = matrix(rows);
    INDArray mu = x.mean(0);
    INDArray c = x.subRowVector(mu);
    INDArray cov = c.transpose().mmul(c).divi(rows.length - 1);
    return new INDArray[] {mu, cov};
  }

  /** The Fréchet distance between Gaussians fitted to {@code a} and {@code b}. */
  public static double frechet(double[][] a, double[][] b) {
    INDArray[] ma = moments(a);
    INDArray[] mb = moments(b);
    double meanTerm = ma[0].sub(mb[0]).norm2Number().doubleValue();
    meanTerm *= meanTerm;
    INDArray sqrtA = sqrtPsd(ma[1]);
    INDArray m = sqrtA.mmul(mb[1]).mmul(sqrtA);
    m = m.add(m.transpose()).muli(0.5);
    INDArray eig = Eigen.symmetricGeneralizedEigenvalues(m.dup(), false);
    double traceSqrt = 0;
    for (int i = 0; i < eig.length(); i++) {
      traceSqrt += Math.sqrt(Math.max(eig.getDouble(i), 0));
    }
    double trace = trace(ma[1]) + trace(mb[1]);
    return meanTerm + trace - 2 * traceSqrt;
  }

  /**
   * The spread of a sample: the square root of its covariance's trace (the root-mean-square
   * distance of the rows from their mean, times sqrt(n / (n - 1))).
   */
  public static double spread(double[][] rows) {
    if (rows.length < 2) {
      throw new IllegalArgumentException("a spread needs at least 2 rows, got " + rows.length);
    }
    return Math.sqrt(trace(moments(rows)[1]));
  }

  private static double trace(INDArray m) {
    double t = 0;
    for (int i = 0; i < m.size(0); i++) {
      t += m.getDouble(i, i);
    }
    return t;
  }

  /** Square root of a symmetric positive semi-definite matrix. */
  static INDArray sqrtPsd(INDArray s) {
    INDArray v = s.dup();
    INDArray eig =
        Eigen.symmetricGeneralizedEigenvalues(v, true); // v now holds eigenvectors (columns)
    INDArray root = Nd4j.zeros(DataType.DOUBLE, eig.length());
    for (int i = 0; i < eig.length(); i++) {
      root.putScalar(i, Math.sqrt(Math.max(eig.getDouble(i), 0)));
    }
    return v.mulRowVector(root).mmul(v.transpose());
  }

  /** KID with {@code subsets} random subsets (seeded). */
  public static double kid(double[][] a, double[][] b, int subsets, long seed) {
    int m = Math.min(Math.min(a.length, b.length), 1000);
    int d = a[0].length;
    Rng rng = new Rng(seed);
    double total = 0;
    for (int s = 0; s < subsets; s++) {
      INDArray x = matrix(pick(a, m, rng));
      INDArray y = matrix(pick(b, m, rng));
      INDArray kxx = kernel(x, x, d);
      INDArray kyy = kernel(y, y, d);
      INDArray kxy = kernel(x, y, d);
      double sxx = kxx.sumNumber().doubleValue() - trace(kxx);
      double syy = kyy.sumNumber().doubleValue() - trace(kyy);
      double sxy = kxy.sumNumber().doubleValue();
      total += (sxx + syy) / (m * (m - 1.0)) - 2 * sxy / ((double) m * m);
    }
    return total / subsets;
  }

  private static INDArray kernel(INDArray x, INDArray y, int d) {
    return Transforms.pow(x.mmul(y.transpose()).divi(d).addi(1), 3, false);
  }

  private static double[][] pick(double[][] rows, int m, Rng rng) {
    int[] p = rng.permutation(rows.length);
    double[][] out = new double[m][];
    for (int i = 0; i < m; i++) {
      out[i] = rows[p[i]];
    }
    return out;
  }

  /**
   * Improved precision (share of {@code fake} inside the real manifold: within the distance to the
   * k-th nearest real neighbour of some real sample) and recall (the reverse), k = 3.
   *
   * @return {precision, recall}
   */
  public static double[] precisionRecall(double[][] real, double[][] fake, int k) {
    INDArray r = matrix(real);
    INDArray f = matrix(fake);
    double[] rr = kthNeighbourRadii(r, k);
    double[] fr = kthNeighbourRadii(f, k);
    return new double[] {coverage(f, r, rr), coverage(r, f, fr)};
  }

  /** Squared Euclidean distances between rows, {@code [n_a, n_b]}. */
  static INDArray sqDistances(INDArray a, INDArray b) {
    INDArray an = a.mul(a).sum(1).reshape(-1, 1);
    INDArray bn = b.mul(b).sum(1).reshape(1, -1);
    return a.mmul(b.transpose()).muli(-2).addiColumnVector(an).addiRowVector(bn);
  }

  private static double[] kthNeighbourRadii(INDArray x, int k) {
    int n = (int) x.size(0);
    double[] radii = new double[n];
    for (int at = 0; at < n; at += 1000) {
      int to = Math.min(n, at + 1000);
      double[][] d = sqDistances(x.get(NDArrayIndex.interval(at, to)), x).toDoubleMatrix();
      for (int i = 0; i < d.length; i++) {
        double[] row = d[i].clone();
        Arrays.sort(row);
        radii[at + i] = row[Math.min(k, row.length - 1)]; // row[0] is the point itself
      }
    }
    return radii;
  }

  /** Share of {@code q} rows within the radius of at least one {@code ref} row. */
  private static double coverage(INDArray q, INDArray ref, double[] radii) {
    int n = (int) q.size(0);
    int inside = 0;
    for (int at = 0; at < n; at += 1000) {
      int to = Math.min(n, at + 1000);
      double[][] d = sqDistances(q.get(NDArrayIndex.interval(at, to)), ref).toDoubleMatrix();
      for (double[] row : d) {
        for (int j = 0; j < row.length; j++) {
          if (row[j] <= radii[j]) {
            inside++;
            break;
          }
        }
      }
    }
    return inside / (double) n;
  }
}
