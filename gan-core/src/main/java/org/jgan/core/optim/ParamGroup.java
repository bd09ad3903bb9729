package org.jgan.core.optim;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jgan.core.nn.Parameter;

/**
 * Parameters that share a learning rate (PyTorch's {@code param_groups} entry), e.g. a generator's
 * mapping network and its synthesis network. The learning rate may be changed between steps (a
 * schedule, a new progressive-growing phase).
 */
public final class ParamGroup {
  private final Map<String, Parameter> params;
  private double lr;

  /** A group of named parameters with learning rate {@code lr}. */
  public ParamGroup(Map<String, Parameter> params, double lr) {
    if (!(lr >= 0) || Double.isInfinite(lr)) {
      throw new IllegalArgumentException("invalid learning rate: " + lr);
    }
    this.params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    this.lr = lr;
  }

  /** The parameters by name. */
  public Map<String, Parameter> params() {
    return params;
  }

  /** The learning rate. */
  public double lr() {
    return lr;
  }

  /** Sets the learning rate. */
  public void setLr(double lr) {
    if (!(lr >= 0) || Double.isInfinite(lr)) {
      throw new IllegalArgumentException("invalid learning rate: " + lr);
    }
    this.lr = lr;
  }
}
