package org.jgan.train.augment;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jgan.core.kernels.Shapes;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;

/**
 * DiffAugment (Zhao et al. 2020): the same random, differentiable transformations applied to the
 * real and the generated images before the discriminator sees them, so that it cannot memorise a
 * small dataset while the generator's gradient still passes through. Three groups, each drawn
 * afresh per image and call, on images {@code [N, C, H, W]} in [-1, 1]:
 *
 * <ul>
 *   <li>{@code color}: brightness {@code x + (u - 0.5)}, then saturation {@code (x - m_c) 2u + m_c}
 *       about the mean over channels, then contrast {@code (x - m) (u + 0.5) + m} about the image's
 *       mean, each {@code u ~ U(0, 1)} per image;
 *   <li>{@code translation}: an integer shift per axis, uniform in {@code [-s, s]} with {@code s =
 *       round(side / 8)}, vacated pixels 0;
 *   <li>{@code cutout}: a rectangle of half the sides (rounded) whose centre is uniform in {@code
 *       [0, side + 1 - size mod 2)} per axis (so the border may cut it), set to 0.
 * </ul>
 *
 * Every group is a product and sum with per-image constants, slices and zero padding: once and
 * twice differentiable (R1 on augmented reals needs the second order).
 */
public final class DiffAugment {
  /** The groups of DiffAugment. */
  public enum Group {
    /** Brightness, saturation, contrast. */
    COLOR,
    /** Integer translation with zero fill. */
    TRANSLATION,
    /** A zeroed square. */
    CUTOUT;

    /** The name on the command line and in configs: {@code color}. */
    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The paper's policy for images: {@code color,translation,cutout}. */
  public static final Set<Group> ALL = EnumSet.allOf(Group.class);

  private DiffAugment() {}

  /**
   * {@code x} through the groups in {@code policy} (in the paper's order), drawn from {@code rng}.
   */
  public static Tensor apply(Tensor x, Set<Group> policy, Rng rng) {
    Shapes.check(x.shape(), "DiffAugment input", -1, -1, -1, -1);
    int n = (int) x.size(0);
    Tensor y = x;
    if (policy.contains(Group.COLOR)) {
      y = color(y, draw(rng, n), draw(rng, n), draw(rng, n));
    }
    if (policy.contains(Group.TRANSLATION)) {
      int sy = (int) Math.round(x.size(2) * 0.125);
      int sx = (int) Math.round(x.size(3) * 0.125);
      int[] dy = new int[n];
      int[] dx = new int[n];
      for (int i = 0; i < n; i++) {
        dy[i] = rng.nextInt(2 * sy + 1) - sy;
        dx[i] = rng.nextInt(2 * sx + 1) - sx;
      }
      y = translate(y, dy, dx);
    }
    if (policy.contains(Group.CUTOUT)) {
      int h = (int) x.size(2);
      int w = (int) x.size(3);
      int sh = (int) Math.round(h * 0.5);
      int sw = (int) Math.round(w * 0.5);
      int[] cy = new int[n];
      int[] cx = new int[n];
      for (int i = 0; i < n; i++) {
        cy[i] = rng.nextInt(h + 1 - sh % 2);
        cx[i] = rng.nextInt(w + 1 - sw % 2);
      }
      y = cutout(y, cy, cx, sh, sw);
    }
    return y;
  }

  private static double[] draw(Rng rng, int n) {
    double[] u = new double[n];
    for (int i = 0; i < n; i++) {
      u[i] = rng.nextDouble();
    }
    return u;
  }

  /**
   * The colour group with given draws {@code u ~ U(0, 1)} per image for brightness, saturation and
   * contrast; {@code u = 0.5} everywhere is the identity.
   */
  public static Tensor color(
      Tensor x, double[] brightness, double[] saturation, double[] contrast) {
    int n = (int) x.size(0);
    Tensor b = perImage(brightness, n, x).sub(0.5);
    Tensor y = x.add(b);
    Tensor mc = y.mean(true, 1);
    y = y.sub(mc).mul(perImage(saturation, n, x).mul(2)).add(mc);
    Tensor m = y.mean(true, 1, 2, 3);
    return y.sub(m).mul(perImage(contrast, n, x).add(0.5)).add(m);
  }

  private static Tensor perImage(double[] v, int n, Tensor like) {
    if (v.length != n) {
      throw new IllegalArgumentException(v.length + " draws for " + n + " images");
    }
    return Tensor.of(v, n, 1, 1, 1).to(like.dtype());
  }

  /**
   * Image {@code i} moved down by {@code dy[i]} and right by {@code dx[i]} pixels (negative: up,
   * left), the vacated pixels 0: zero padding, then the shifted window.
   */
  public static Tensor translate(Tensor x, int[] dy, int[] dx) {
    long h = x.size(2);
    long w = x.size(3);
    int py = 0;
    int px = 0;
    for (int i = 0; i < dy.length; i++) {
      py = Math.max(py, Math.abs(dy[i]));
      px = Math.max(px, Math.abs(dx[i]));
    }
    if (py == 0 && px == 0) {
      return x;
    }
    Tensor padded = x.pad(2, py, py).pad(3, px, px);
    List<Tensor> parts = new ArrayList<>();
    for (int i = 0; i < dy.length; i++) {
      int top = py - dy[i];
      int left = px - dx[i];
      parts.add(padded.slice(0, i, i + 1).slice(2, top, top + h).slice(3, left, left + w));
    }
    return Tensor.concat(0, parts.toArray(new Tensor[0]));
  }

  /**
   * Image {@code i} with the {@code sh x sw} rectangle centred at ({@code cy[i]}, {@code cx[i]})
   * (its top-left corner at {@code c - s / 2}, clipped to the image) set to 0.
   */
  public static Tensor cutout(Tensor x, int[] cy, int[] cx, int sh, int sw) {
    int n = (int) x.size(0);
    int h = (int) x.size(2);
    int w = (int) x.size(3);
    // the rectangle is the outer product of a row band and a column band: O(N (H + W)) here,
    // the per-pixel work in native kernels
    double[] rows = new double[n * h];
    double[] cols = new double[n * w];
    for (int i = 0; i < n; i++) {
      int y0 = Math.max(0, cy[i] - sh / 2);
      int y1 = Math.min(h, cy[i] - sh / 2 + sh);
      int x0 = Math.max(0, cx[i] - sw / 2);
      int x1 = Math.min(w, cx[i] - sw / 2 + sw);
      for (int y = y0; y < y1; y++) {
        rows[i * h + y] = 1;
      }
      for (int xx = x0; xx < x1; xx++) {
        cols[i * w + xx] = 1;
      }
    }
    Tensor inside =
        Tensor.of(rows, n, 1, h, 1).to(x.dtype()).mul(Tensor.of(cols, n, 1, 1, w).to(x.dtype()));
    return x.mul(inside.rsub(1));
  }
}
