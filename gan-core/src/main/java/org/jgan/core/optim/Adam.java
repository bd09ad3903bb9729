package org.jgan.core.optim;

import java.util.List;
import java.util.Map;
import org.jgan.core.kernels.Kernels;
import org.jgan.core.nn.Parameter;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.floating.Sqrt;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.DivOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.updaters.AdamUpdater;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Adam (Kingma and Ba 2015) exactly as {@code torch.optim.Adam}: with gradient {@code g} at step
 * {@code t},
 *
 * <pre>
 *   g   = g + weightDecay * p                      (L2 penalty, when weightDecay > 0)
 *   m   = b1 m + (1 - b1) g
 *   v   = b2 v + (1 - b2) g^2
 *   p   = p - lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 * </pre>
 *
 * State per parameter: {@code step}, {@code exp_avg} (m), {@code exp_avg_sq} (v). The update runs
 * as libnd4j's fused {@code adam_updater} kernel (one pass instead of eleven; docs/benchmarks.md,
 * "Changes and their effect"), with its epsilon rescaled to give this formula.
 */
public final class Adam extends Optimizer {
  private final double beta1;
  private final double beta2;
  private final double eps;
  private final double weightDecay;

  /** Adam over one group of named parameters. */
  public Adam(
      Map<String, Parameter> params,
      double lr,
      double beta1,
      double beta2,
      double eps,
      double weightDecay) {
    this(List.of(new ParamGroup(params, lr)), beta1, beta2, eps, weightDecay);
  }

  /**
   * Adam over several groups.
   *
   * @throws IllegalArgumentException for betas outside [0, 1), negative eps or weight decay
   */
  public Adam(List<ParamGroup> groups, double beta1, double beta2, double eps, double weightDecay) {
    super(groups);
    if (!(beta1 >= 0 && beta1 < 1)) {
      throw new IllegalArgumentException("invalid beta parameter at index 0: " + beta1);
    }
    if (!(beta2 >= 0 && beta2 < 1)) {
      throw new IllegalArgumentException("invalid beta parameter at index 1: " + beta2);
    }
    if (!(eps >= 0)) {
      throw new IllegalArgumentException("invalid epsilon value: " + eps);
    }
    if (!(weightDecay >= 0)) {
      throw new IllegalArgumentException("invalid weight_decay value: " + weightDecay);
    }
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
    this.weightDecay = weightDecay;
  }

  /** First-moment decay. */
  public double beta1() {
    return beta1;
  }

  /** Second-moment decay. */
  public double beta2() {
    return beta2;
  }

  @Override
  protected void update(INDArray p, INDArray grad, Map<String, INDArray> state, double lr) {
    if (state.isEmpty()) {
      state.put("step", Kernels.full(p.dataType(), 0.0));
      state.put("exp_avg", Kernels.full(p.dataType(), 0.0, p.shape()));
      state.put("exp_avg_sq", Kernels.full(p.dataType(), 0.0, p.shape()));
    }
    INDArray stepArr = state.get("step");
    double t = stepArr.getDouble(0) + 1;
    stepArr.assign(t);
    INDArray m = state.get("exp_avg");
    INDArray v = state.get("exp_avg_sq");
    INDArray g = grad;
    if (weightDecay != 0) {
      g = Kernels.mulScalar(p, weightDecay);
      g.addi(grad);
    }
    double bc1 = 1 - Math.pow(beta1, t);
    double bc2 = 1 - Math.pow(beta2, t);
    if (eps > 0 && lr > 0 && t <= Integer.MAX_VALUE && g.ordering() == 'c' && p.ordering() == 'c') {
      // libnd4j's fused adam_updater (one pass instead of eleven): it computes
      // m lr sqrt(bc2) / bc1 / (sqrt(v) + e), which with e = eps sqrt(bc2) is the formula above.
      // It replaces an epsilon of 0 and a step size of 0, hence the conditions.
      INDArray update = Kernels.alloc(p.dataType(), p.shape());
      Nd4j.exec(
          new AdamUpdater(
              g, v, m, update, v, m, lr, beta1, beta2, eps * Math.sqrt(bc2), (int) (t - 1)));
      p.subi(update);
      Kernels.free(update);
      if (g != grad) {
        Kernels.free(g);
      }
      return;
    }
    INDArray tmp = Kernels.alloc(p.dataType(), p.shape());
    // m = b1 m + (1 - b1) g
    m.muli(beta1);
    tmp.assign(g).muli(1 - beta1);
    m.addi(tmp);
    // v = b2 v + (1 - b2) g^2
    v.muli(beta2);
    Nd4j.exec(new MulOp(new INDArray[] {g, g}, new INDArray[] {tmp}));
    tmp.muli(1 - beta2);
    v.addi(tmp);
    // denom = sqrt(v) / sqrt(bc2) + eps ; p -= lr / bc1 * m / denom
    Nd4j.getExecutioner().exec(new Sqrt(v, tmp));
    tmp.divi(Math.sqrt(bc2)).addi(eps);
    Nd4j.exec(new DivOp(new INDArray[] {m, tmp}, new INDArray[] {tmp}));
    tmp.muli(lr / bc1);
    p.subi(tmp);
    Kernels.free(tmp);
    if (g != grad) {
      Kernels.free(g);
    }
  }
}
