package org.jgan.core.testing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.jgan.core.autograd.Autograd;
import org.jgan.core.autograd.GradMode;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.tensor.TensorScope;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Finite-difference gradient checks in float64, after {@code torch.autograd.gradcheck}.
 *
 * <p>The function's outputs are weighted by fixed random tensors {@code r_k}, {@code L = sum_k
 * sum(f_k(x) * r_k)}; the analytic gradient of {@code L} (from the engine) is compared with central
 * differences {@code (L(x + eps e_j) - L(x - eps e_j)) / 2 eps} per coordinate, {@code eps = 1e-6
 * max(1, rms(x))}. The error of a coordinate is {@code max(0, |a - n| - r) / max(|a|, |n|, 1e-3
 * max_j |a_j|)}, where {@code r = 1e-15 max(1, |L|) / eps} is the round-off of the differencing.
 */
public final class GradCheck {
  /** Central-difference step. */
  public static final double EPS = 1e-6;

  private GradCheck() {}

  /** The largest error found, where, and how many coordinates were checked. */
  public record Report(double maxError, String worst, int checked) {}

  /**
   * Checks first derivatives of {@code f} with respect to every input.
   *
   * @param inputs float64 leaves that require gradients; their arrays are perturbed and restored
   * @param maxCoords coordinates checked per input (all when the input is smaller)
   */
  public static Report check(
      Function<List<Tensor>, List<Tensor>> f, List<Tensor> inputs, int maxCoords, long seed) {
    for (Tensor in : inputs) {
      if (in.dtype() != DType.FLOAT64 || !in.requiresGrad()) {
        throw new IllegalArgumentException(
            "gradient checks need float64 inputs that require gradients: " + in);
      }
    }
    try (TensorScope scope = TensorScope.open()) {
      Rng rng = new Rng(seed);
      List<Tensor> outs = f.apply(inputs);
      List<Tensor> weights = new ArrayList<>();
      for (Tensor o : outs) {
        weights.add(rng.normal(DType.FLOAT64, o.shape()));
      }
      List<Tensor> analytic = Autograd.grad(outs, inputs, weights, false);
      double base = Math.abs(weighted(f, inputs, weights));
      double worst = 0;
      String where = "";
      int checked = 0;
      for (int i = 0; i < inputs.size(); i++) {
        INDArray x = inputs.get(i).data();
        // Row-major: a gradient may be a strided view (after permute), and ND4J's linear index
        // of an 'f'-ordered view runs in its own order, not the input's.
        INDArray a = analytic.get(i).data().dup('c');
        double floor = Math.max(1e-3 * a.amaxNumber().doubleValue(), 1e-12);
        long n = x.length();
        // The step scales with the input (weights stored as N(0,1)/0.01 are ~100), and differences
        // below the differencing's own round-off (~1e-16 |L| / eps) are not counted as errors.
        double eps = EPS * Math.max(1.0, Math.sqrt(x.mul(x).meanNumber().doubleValue()));
        double noise = 1e-15 * Math.max(1.0, base) / eps;
        int[] coords = coordinates(n, maxCoords, rng);
        for (int j : coords) {
          double orig = x.getDouble(j);
          x.putScalar(j, orig + eps);
          double plus = weighted(f, inputs, weights);
          x.putScalar(j, orig - eps);
          double minus = weighted(f, inputs, weights);
          x.putScalar(j, orig);
          double num = (plus - minus) / (2 * eps);
          double an = a.getDouble(j);
          double err =
              Math.max(0, Math.abs(an - num) - noise)
                  / Math.max(Math.max(Math.abs(an), Math.abs(num)), floor);
          checked++;
          if (err > worst) {
            worst = err;
            where = "input " + i + " element " + j + ": analytic " + an + ", numeric " + num;
          }
        }
      }
      return new Report(worst, where, checked);
    }
  }

  /**
   * Checks second derivatives: the gradient check of {@code (x, v) -> J(x)^T v}, where the inner
   * gradient is computed with {@code createGraph = true} ({@code torch.autograd.gradgradcheck}).
   */
  public static Report checkSecondOrder(
      Function<List<Tensor>, List<Tensor>> f, List<Tensor> inputs, int maxCoords, long seed) {
    List<Tensor> vs = new ArrayList<>();
    try (GradMode.Guard g = GradMode.disabled()) {
      Rng rng = new Rng(seed + 17);
      for (Tensor o : f.apply(inputs)) {
        vs.add(Tensor.leaf(rng.normalArray(DType.FLOAT64, 0, 1, o.shape()), true));
      }
    }
    int k = inputs.size();
    Function<List<Tensor>, List<Tensor>> jtv =
        all -> {
          List<Tensor> xs = all.subList(0, k);
          List<Tensor> v = all.subList(k, all.size());
          return Autograd.grad(f.apply(xs), xs, v, true);
        };
    List<Tensor> all = new ArrayList<>(inputs);
    all.addAll(vs);
    return check(jtv, all, maxCoords, seed);
  }

  private static double weighted(
      Function<List<Tensor>, List<Tensor>> f, List<Tensor> inputs, List<Tensor> weights) {
    // Gradients stay on: a second-order check's function itself takes a gradient.
    try (TensorScope s = TensorScope.open()) {
      List<Tensor> outs = f.apply(inputs);
      double total = 0;
      for (int k = 0; k < outs.size(); k++) {
        total += outs.get(k).mul(weights.get(k)).sum().item();
      }
      return total;
    }
  }

  private static int[] coordinates(long n, int max, Rng rng) {
    if (n <= max) {
      int[] all = new int[(int) n];
      for (int i = 0; i < n; i++) {
        all[i] = i;
      }
      return all;
    }
    int[] perm = rng.permutation((int) n);
    return Arrays.copyOf(perm, max);
  }
}
