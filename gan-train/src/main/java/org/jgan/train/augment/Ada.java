package org.jgan.train.augment;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jgan.core.kernels.Kernels;
import org.jgan.core.kernels.Shapes;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.tensor.TensorScope;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The augmentation pipeline of adaptive discriminator augmentation (Karras et al. 2020, "Training
 * Generative Adversarial Networks with Limited Data"), its {@code bgc} groups: every operation is
 * applied to each image independently with probability {@code p} and its parameter drawn afresh.
 *
 * <p><b>Geometric</b> (one affine map per image, composed, then one bilinear resampling with the
 * image mirrored about its border pixels beyond the edges):
 *
 * <ol>
 *   <li>horizontal flip (with probability 1/2 when applied);
 *   <li>rotation by a multiple of 90 degrees (uniform);
 *   <li>integer translation, uniform in [-0.125, 0.125] of the side per axis, rounded to pixels;
 *   <li>isotropic scaling by {@code 2^N(0, 0.2^2)};
 *   <li>rotation, uniform in [-180, 180] degrees, with probability {@code 1 - sqrt(1 - p)};
 *   <li>anisotropic scaling, {@code s = 2^N(0, 0.2^2)} horizontally and {@code 1/s} vertically;
 *   <li>a second rotation as in 5 (so that the two together are applied with probability p);
 *   <li>fractional translation, {@code N(0, 0.125^2)} of the side per axis.
 * </ol>
 *
 * <p><b>Colour</b> (one affine map of (R, G, B) per image, composed; grey images are taken as R = G
 * = B, which the hue rotation and saturation leave unchanged):
 *
 * <ol>
 *   <li>brightness: add {@code N(0, 0.2^2)};
 *   <li>contrast: multiply by {@code 2^N(0, 0.5^2)};
 *   <li>luma flip: reflect along the luma axis {@code (1, 1, 1) / sqrt 3} (with probability 1/2);
 *   <li>hue: rotate about the luma axis, uniform in [-180, 180] degrees;
 *   <li>saturation: scale the part orthogonal to the luma axis by {@code 2^N(0, 1)}.
 * </ol>
 *
 * Both maps are linear in the image with constant coefficients, so the generator's gradient passes
 * through them and R1 differentiates through them a second time. Differences from the paper's
 * implementation: it resamples at twice the resolution between two wavelet filters against
 * aliasing, this pipeline samples bilinearly at the image's own resolution; it pads with a mirror
 * of at most one image width and zeros beyond, this pipeline mirrors without limit.
 */
public final class Ada {
  /** Integer translation, fraction of the side. */
  public static final double XINT_MAX = 0.125;

  /** Isotropic scaling, standard deviation of {@code log2 s}. */
  public static final double SCALE_STD = 0.2;

  /** Rotation, fraction of 180 degrees. */
  public static final double ROTATE_MAX = 1;

  /** Anisotropic scaling, standard deviation of {@code log2 s}. */
  public static final double ANISO_STD = 0.2;

  /** Fractional translation, standard deviation as a fraction of the side. */
  public static final double XFRAC_STD = 0.125;

  /** Brightness, standard deviation of the offset. */
  public static final double BRIGHTNESS_STD = 0.2;

  /** Contrast, standard deviation of {@code log2} of the factor. */
  public static final double CONTRAST_STD = 0.5;

  /** Hue rotation, fraction of 180 degrees. */
  public static final double HUE_MAX = 1;

  /** Saturation, standard deviation of {@code log2} of the factor. */
  public static final double SATURATION_STD = 1;

  private Ada() {}

  /**
   * Images {@code [N, C, H, W]} (C = 1 or 3) through the pipeline at probability {@code p}, draws
   * from {@code rng}; {@code p = 0} returns {@code x} itself and draws nothing.
   */
  public static Tensor apply(Tensor x, double p, Rng rng) {
    Shapes.check(x.shape(), "ADA input", -1, -1, -1, -1);
    if (!(p >= 0 && p <= 1)) {
      throw new IllegalArgumentException("augmentation probability must be in [0, 1], got " + p);
    }
    long c = x.size(1);
    if (c != 1 && c != 3) {
      throw new IllegalArgumentException(
          "ADA's colour transformations need grey (1) or RGB (3) channels, got " + c);
    }
    if (p == 0) {
      return x;
    }
    int n = (int) x.size(0);
    double[][] geo = new double[n][];
    double[][] col = new double[n][];
    for (int i = 0; i < n; i++) {
      geo[i] = drawGeometric(p, rng, x.size(2), x.size(3));
    }
    for (int i = 0; i < n; i++) {
      col[i] = drawColor(p, rng);
    }
    return color(warp(x, geo), col);
  }

  // ---------------------------------------------------------------- drawing

  private static boolean hit(Rng rng, double p) {
    return rng.nextDouble() < p;
  }

  /** A standard normal (Box-Muller from two uniforms). */
  static double gaussian(Rng rng) {
    double u = 1 - rng.nextDouble();
    double v = rng.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /**
   * One image's geometric map, row-major 3x3, from output to input pixel coordinates centred on the
   * image (every parameter is drawn whether or not its operation is applied, so the stream's
   * position depends only on the batch).
   */
  static double[] drawGeometric(double p, Rng rng, long h, long w) {
    double[] g = identity(3);
    double pRot = 1 - Math.sqrt(1 - p);
    boolean on = hit(rng, p);
    int flip = rng.nextInt(2);
    if (on && flip == 1) {
      g = mul3(g, scale(-1, 1));
    }
    on = hit(rng, p);
    int quarter = rng.nextInt(4);
    if (on) {
      g = mul3(g, rotate90(quarter));
    }
    on = hit(rng, p);
    double tx = (rng.nextDouble() * 2 - 1) * XINT_MAX;
    double ty = (rng.nextDouble() * 2 - 1) * XINT_MAX;
    if (on) {
      g = mul3(g, translate(-Math.round(tx * w), -Math.round(ty * h)));
    }
    on = hit(rng, p);
    double s = Math.pow(2, gaussian(rng) * SCALE_STD);
    if (on) {
      g = mul3(g, scale(1 / s, 1 / s));
    }
    on = hit(rng, pRot);
    double theta = (rng.nextDouble() * 2 - 1) * Math.PI * ROTATE_MAX;
    if (on) {
      g = mul3(g, rotate(theta));
    }
    on = hit(rng, p);
    double a = Math.pow(2, gaussian(rng) * ANISO_STD);
    if (on) {
      g = mul3(g, scale(1 / a, a));
    }
    on = hit(rng, pRot);
    theta = (rng.nextDouble() * 2 - 1) * Math.PI * ROTATE_MAX;
    if (on) {
      g = mul3(g, rotate(theta));
    }
    on = hit(rng, p);
    double fx = gaussian(rng) * XFRAC_STD;
    double fy = gaussian(rng) * XFRAC_STD;
    if (on) {
      g = mul3(g, translate(-fx * w, -fy * h));
    }
    return g;
  }

  /** One image's colour map, row-major 4x4 on (R, G, B, 1). */
  static double[] drawColor(double p, Rng rng) {
    double[] c = identity(4);
    double[] v = {1 / Math.sqrt(3), 1 / Math.sqrt(3), 1 / Math.sqrt(3)};
    boolean on = hit(rng, p);
    double b = gaussian(rng) * BRIGHTNESS_STD;
    if (on) {
      c = mul4(brightness(b), c);
    }
    on = hit(rng, p);
    double k = Math.pow(2, gaussian(rng) * CONTRAST_STD);
    if (on) {
      c = mul4(contrast(k), c);
    }
    on = hit(rng, p);
    int flip = rng.nextInt(2);
    if (on && flip == 1) {
      c = mul4(lumaFlip(v), c);
    }
    on = hit(rng, p);
    double theta = (rng.nextDouble() * 2 - 1) * Math.PI * HUE_MAX;
    if (on) {
      c = mul4(hue(v, theta), c);
    }
    on = hit(rng, p);
    double s = Math.pow(2, gaussian(rng) * SATURATION_STD);
    if (on) {
      c = mul4(saturation(v, s), c);
    }
    return c;
  }

  // ---------------------------------------------------------------- the maps

  /** The n x n identity, row-major. */
  public static double[] identity(int n) {
    double[] m = new double[n * n];
    for (int i = 0; i < n; i++) {
      m[i * n + i] = 1;
    }
    return m;
  }

  /** {@code a b} for row-major 3x3 matrices. */
  public static double[] mul3(double[] a, double[] b) {
    return mul(a, b, 3);
  }

  /** {@code a b} for row-major 4x4 matrices. */
  public static double[] mul4(double[] a, double[] b) {
    return mul(a, b, 4);
  }

  private static double[] mul(double[] a, double[] b, int n) {
    double[] m = new double[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int k = 0; k < n; k++) {
          s += a[i * n + k] * b[k * n + j];
        }
        m[i * n + j] = s;
      }
    }
    return m;
  }

  /** Scaling of 2-D homogeneous coordinates. */
  public static double[] scale(double sx, double sy) {
    return new double[] {sx, 0, 0, 0, sy, 0, 0, 0, 1};
  }

  /** Translation of 2-D homogeneous coordinates. */
  public static double[] translate(double tx, double ty) {
    return new double[] {1, 0, tx, 0, 1, ty, 0, 0, 1};
  }

  /** Rotation by {@code theta} (radians) of 2-D homogeneous coordinates. */
  public static double[] rotate(double theta) {
    double c = Math.cos(theta);
    double s = Math.sin(theta);
    return new double[] {c, -s, 0, s, c, 0, 0, 0, 1};
  }

  /** Rotation by {@code quarter} times 90 degrees, with exact entries. */
  public static double[] rotate90(int quarter) {
    int c = new int[] {1, 0, -1, 0}[Math.floorMod(quarter, 4)];
    int s = new int[] {0, 1, 0, -1}[Math.floorMod(quarter, 4)];
    return new double[] {c, -s, 0, s, c, 0, 0, 0, 1};
  }

  /** Adds {@code b} to every channel. */
  public static double[] brightness(double b) {
    double[] m = identity(4);
    m[3] = b;
    m[7] = b;
    m[11] = b;
    return m;
  }

  /** Multiplies every channel by {@code k}. */
  public static double[] contrast(double k) {
    double[] m = identity(4);
    m[0] = k;
    m[5] = k;
    m[10] = k;
    return m;
  }

  /** The reflection {@code I - 2 v v^T} along the unit vector {@code v}. */
  public static double[] lumaFlip(double[] v) {
    double[] m = identity(4);
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        m[i * 4 + j] -= 2 * v[i] * v[j];
      }
    }
    return m;
  }

  /** Rotation by {@code theta} about the unit axis {@code v} (Rodrigues). */
  public static double[] hue(double[] v, double theta) {
    double c = Math.cos(theta);
    double s = Math.sin(theta);
    double[] m = identity(4);
    double[][] cross = {{0, -v[2], v[1]}, {v[2], 0, -v[0]}, {-v[1], v[0], 0}};
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        m[i * 4 + j] = (i == j ? c : 0) + s * cross[i][j] + (1 - c) * v[i] * v[j];
      }
    }
    return m;
  }

  /** {@code v v^T + s (I - v v^T)}: the part orthogonal to {@code v} scaled by {@code s}. */
  public static double[] saturation(double[] v, double s) {
    double[] m = identity(4);
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        m[i * 4 + j] = v[i] * v[j] + s * ((i == j ? 1 : 0) - v[i] * v[j]);
      }
    }
    return m;
  }

  // ---------------------------------------------------------------- applying

  /**
   * Images {@code [N, C, H, W]} resampled bilinearly: output pixel (x, y) of image i, in
   * coordinates centred on the image, is the input at {@code g[i] (x, y, 1)}, the image mirrored
   * about its border pixels outside. Returns {@code x} when every map is the identity.
   */
  public static Tensor warp(Tensor x, double[][] g) {
    int n = (int) x.size(0);
    if (allIdentity(g, n, 3)) {
      return x;
    }
    long h = x.size(2);
    long w = x.size(3);
    long p = h * w;
    // the output pixels' centred coordinates, rows (x, y, 1): [3, P]
    double[] grid = new double[(int) (3 * p)];
    for (int y = 0; y < h; y++) {
      for (int xx = 0; xx < w; xx++) {
        int q = (int) (y * w + xx);
        grid[q] = xx - (w - 1) / 2.0;
        grid[(int) p + q] = y - (h - 1) / 2.0;
        grid[(int) (2 * p) + q] = 1;
      }
    }
    double[] rows = new double[n * 6];
    for (int i = 0; i < n; i++) {
      System.arraycopy(g[i], 0, rows, i * 6, 6);
    }
    // the grid's temporaries are small ([N, P] doubles) but made on every call: closed here
    // rather than left to the garbage collector
    List<INDArray> temps = new ArrayList<>();
    INDArray base = keep(temps, Nd4j.createFromArray(grid)).reshape('c', 3, p);
    INDArray maps = keep(temps, Nd4j.createFromArray(rows)).reshape('c', 2L * n, 3);
    // input coordinates in pixels from the top left: [N, 2, P]
    INDArray at = keep(temps, maps.mmul(base)).reshape('c', n, 2, p);
    INDArray u = keep(temps, at.get(all(), point(0), all()).add((w - 1) / 2.0));
    INDArray v = keep(temps, at.get(all(), point(1), all()).add((h - 1) / 2.0));
    INDArray u0 = keep(temps, Transforms.floor(u, true));
    INDArray v0 = keep(temps, Transforms.floor(v, true));
    INDArray fu = keep(temps, u.sub(u0));
    INDArray fv = keep(temps, v.sub(v0));
    INDArray[] cols = {reflect(temps, u0, w), reflect(temps, keep(temps, u0.add(1)), w)};
    INDArray[] rowsAt = {reflect(temps, v0, h), reflect(temps, keep(temps, v0.add(1)), h)};
    INDArray[] wu = {keep(temps, fu.rsub(1)), fu};
    INDArray[] wv = {keep(temps, fv.rsub(1)), fv};
    INDArray index = Kernels.alloc(DataType.LONG, n, p, 4);
    INDArray weight = Kernels.alloc(x.data().dataType(), n, p, 4);
    TensorScope.register(index); // the taps live as long as the graph that uses them
    TensorScope.register(weight);
    for (int a = 0; a < 2; a++) {
      for (int b = 0; b < 2; b++) {
        int k = 2 * a + b;
        INDArray tap = keep(temps, rowsAt[a].mul(w).addi(cols[b]));
        index.get(all(), all(), point(k)).assign(tap);
        weight.get(all(), all(), point(k)).assign(keep(temps, wv[a].mul(wu[b])));
      }
    }
    for (INDArray t : temps) {
      if (t.closeable()) {
        t.close();
      }
    }
    return x.gatherTaps(index, weight, h, w);
  }

  /** Whether every one of the {@code n} maps ({@code k x k}) is the identity. */
  private static boolean allIdentity(double[][] maps, int n, int k) {
    if (maps.length != n) {
      throw new IllegalArgumentException(maps.length + " maps for " + n + " images");
    }
    boolean identity = true;
    for (double[] m : maps) {
      identity &= Arrays.equals(m, identity(k));
    }
    return identity;
  }

  /** Pixel positions mirrored about the border pixels into {@code [0, size - 1]}. */
  private static INDArray reflect(List<INDArray> temps, INDArray j, long size) {
    if (size == 1) {
      return keep(temps, j.mul(0));
    }
    double last = size - 1;
    double period = 2 * last;
    INDArray turns = keep(temps, Transforms.floor(j.div(period), false).muli(period));
    INDArray m = keep(temps, j.sub(turns));
    return Transforms.abs(m.subi(last), false).rsubi(last); // in place: m itself
  }

  /** {@code a}, noted to be closed when the grid is built. */
  private static INDArray keep(List<INDArray> temps, INDArray a) {
    temps.add(a);
    return a;
  }

  private static INDArrayIndex all() {
    return NDArrayIndex.all();
  }

  private static INDArrayIndex point(long i) {
    return NDArrayIndex.point(i);
  }

  /**
   * Images {@code [N, C, H, W]} through a colour map per image (row-major 4x4 on (R, G, B, 1)); a
   * grey image is taken as R = G = B and the mean of the three outputs kept. Returns {@code x} when
   * every map is the identity.
   */
  public static Tensor color(Tensor x, double[][] m) {
    int n = (int) x.size(0);
    if (allIdentity(m, n, 4)) {
      return x;
    }
    long c = x.size(1);
    if (c == 1) {
      double[] gain = new double[n];
      double[] shift = new double[n];
      for (int i = 0; i < n; i++) {
        for (int r = 0; r < 3; r++) {
          gain[i] += (m[i][r * 4] + m[i][r * 4 + 1] + m[i][r * 4 + 2]) / 3;
          shift[i] += m[i][r * 4 + 3] / 3;
        }
      }
      return x.mul(perImage(gain, x, n, 1, 1, 1)).add(perImage(shift, x, n, 1, 1, 1));
    }
    double[] lin = new double[n * 9];
    double[] shift = new double[n * 3];
    for (int i = 0; i < n; i++) {
      for (int r = 0; r < 3; r++) {
        for (int k = 0; k < 3; k++) {
          lin[i * 9 + r * 3 + k] = m[i][r * 4 + k];
        }
        shift[i * 3 + r] = m[i][r * 4 + 3];
      }
    }
    // y[n, r] = sum_k lin[n, r, k] x[n, k] + shift[n, r]
    Tensor mixed = x.unsqueeze(1).mul(perImage(lin, x, n, 3, 3, 1, 1)).sum(false, 2);
    return mixed.add(perImage(shift, x, n, 3, 1, 1));
  }

  private static Tensor perImage(double[] v, Tensor like, long... shape) {
    return Tensor.of(v, shape).to(like.dtype());
  }
}
