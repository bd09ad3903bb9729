package org.jgan.core.optim;

import java.util.List;
import java.util.Map;
import org.jgan.core.kernels.Kernels;
import org.jgan.core.nn.Parameter;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Stochastic gradient descent with momentum, as {@code torch.optim.SGD} (dampening 0):
 *
 * <pre>
 *   g   = g + weightDecay * p
 *   buf = g                      (first step)
 *   buf = momentum buf + g       (later steps)
 *   p   = p - lr * (nesterov ? g + momentum buf : buf)
 * </pre>
 */
public final class Sgd extends Optimizer {
  private final double momentum;
  private final double weightDecay;
  private final boolean nesterov;

  /** SGD over one group of named parameters. */
  public Sgd(Map<String, Parameter> params, double lr, double momentum) {
    this(List.of(new ParamGroup(params, lr)), momentum, 0.0, false);
  }

  /** SGD over several groups. */
  public Sgd(List<ParamGroup> groups, double momentum, double weightDecay, boolean nesterov) {
    super(groups);
    if (!(momentum >= 0)) {
      throw new IllegalArgumentException("invalid momentum value: " + momentum);
    }
    if (!(weightDecay >= 0)) {
      throw new IllegalArgumentException("invalid weight_decay value: " + weightDecay);
    }
    if (nesterov && momentum == 0) {
      throw new IllegalArgumentException("Nesterov momentum requires a momentum");
    }
    this.momentum = momentum;
    this.weightDecay = weightDecay;
    this.nesterov = nesterov;
  }

  @Override
  protected void update(INDArray p, INDArray grad, Map<String, INDArray> state, double lr) {
    INDArray d = Kernels.copy(grad);
    if (weightDecay != 0) {
      INDArray wd = Kernels.mulScalar(p, weightDecay);
      d.addi(wd);
      Kernels.free(wd);
    }
    if (momentum != 0) {
      INDArray buf = state.get("momentum_buffer");
      if (buf == null) {
        state.put("momentum_buffer", Kernels.copy(d));
        buf = state.get("momentum_buffer");
      } else {
        buf.muli(momentum).addi(d);
      }
      if (nesterov) {
        INDArray mb = Kernels.mulScalar(buf, momentum);
        d.addi(mb);
        Kernels.free(mb);
      } else {
        d.assign(buf);
      }
    }
    d.muli(lr);
    p.subi(d);
    Kernels.free(d);
  }
}
