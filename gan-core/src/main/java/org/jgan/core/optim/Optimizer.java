package org.jgan.core.optim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jgan.core.autograd.GradMode;
import org.jgan.core.kernels.Kernels;
import org.jgan.core.kernels.Shapes;
import org.jgan.core.nn.Parameter;
import org.jgan.core.tensor.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Updates parameters from their accumulated gradients, after {@code torch.optim.Optimizer}. State
 * is created lazily per parameter and keyed by the parameter's name, so {@link #state()} can be
 * saved in a checkpoint and {@link #loadState} restores it exactly.
 */
public abstract class Optimizer {
  private final List<ParamGroup> groups;
  private final Map<String, Map<String, INDArray>> state = new LinkedHashMap<>();

  /** An optimiser over the given groups; a parameter may appear in one group only. */
  protected Optimizer(List<ParamGroup> groups) {
    this.groups = new ArrayList<>(groups);
    Set<String> seen = new HashSet<>();
    for (ParamGroup g : groups) {
      for (String name : g.params().keySet()) {
        if (!seen.add(name)) {
          throw new IllegalArgumentException("parameter '" + name + "' appears in two groups");
        }
      }
    }
  }

  /** The parameter groups. */
  public List<ParamGroup> groups() {
    return groups;
  }

  /** Applies one update to every parameter that has a gradient. */
  public final void step() {
    try (GradMode.Guard g = GradMode.disabled()) {
      for (ParamGroup group : groups) {
        for (Map.Entry<String, Parameter> e : group.params().entrySet()) {
          Parameter p = e.getValue();
          Tensor grad = p.grad();
          if (grad == null || !p.requiresGrad()) {
            continue;
          }
          Map<String, INDArray> s = state.computeIfAbsent(e.getKey(), k -> new LinkedHashMap<>());
          update(p.value().data(), grad.data(), s, group.lr());
        }
      }
    }
  }

  /** Forgets every parameter's gradient. */
  public final void zeroGrad() {
    for (ParamGroup group : groups) {
      for (Parameter p : group.params().values()) {
        p.zeroGrad();
      }
    }
  }

  /**
   * Updates one parameter in place.
   *
   * @param param the parameter's values (modify in place)
   * @param grad its gradient (read only)
   * @param state this parameter's state, empty on the first step; arrays put here must be owned
   *     (detached, never freed by a scope)
   */
  protected abstract void update(
      INDArray param, INDArray grad, Map<String, INDArray> state, double lr);

  /**
   * The state as {@code "<param>.<entry>"} tensors, e.g. {@code "fc0.weight.exp_avg"}: copies owned
   * by the current scope (open one around the call; without a scope the garbage collector frees
   * them).
   */
  public final Map<String, Tensor> state() {
    Map<String, Tensor> out = new LinkedHashMap<>();
    state.forEach(
        (p, s) -> s.forEach((k, v) -> out.put(p + "." + k, Tensor.owned(Kernels.copy(v)))));
    return out;
  }

  /**
   * Restores a state saved by {@link #state()}; the current state is replaced.
   *
   * @throws IllegalArgumentException for an entry of an unknown parameter or a wrong shape
   */
  public final void loadState(Map<String, Tensor> saved) {
    Map<String, Parameter> params = new LinkedHashMap<>();
    for (ParamGroup g : groups) {
      params.putAll(g.params());
    }
    Map<String, Map<String, INDArray>> restored = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : saved.entrySet()) {
      String key = e.getKey();
      int dot = key.lastIndexOf('.');
      String name = dot < 0 ? "" : key.substring(0, dot);
      Parameter p = params.get(name);
      if (p == null) {
        throw new IllegalArgumentException(
            "optimizer state entry '" + key + "' names no parameter of this optimizer");
      }
      INDArray v = e.getValue().data();
      if (v.length() != 1 && !Arrays.equals(v.shape(), p.shape())) {
        throw new IllegalArgumentException(
            "optimizer state entry '"
                + key
                + "' has shape "
                + Shapes.str(v.shape())
                + ", parameter has "
                + Shapes.str(p.shape()));
      }
      INDArray copy = Kernels.copy(v, p.value().data().dataType());
      restored.computeIfAbsent(name, k -> new LinkedHashMap<>()).put(key.substring(dot + 1), copy);
    }
    state.values().forEach(s -> s.values().forEach(Kernels::free));
    state.clear();
    state.putAll(restored);
  }
}
