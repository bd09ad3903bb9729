package org.jgan.core.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.jgan.core.kernels.Shapes;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Tensor;

/**
 * A building block with named parameters, buffers and sub-modules, after {@code torch.nn.Module}.
 *
 * <p>Subclasses register their parts in the constructor with {@link #param}, {@link #buffer} and
 * {@link #child}; names are joined with dots ({@code synthesis.b16.conv0.weight}), in insertion
 * order, so a state dict reads like PyTorch's. Forward methods are ordinary typed methods of the
 * subclass ({@code forward(Tensor x, Tensor w)}).
 */
public abstract class Module {
  private final Map<String, Parameter> params = new LinkedHashMap<>();
  private final Map<String, Buffer> buffers = new LinkedHashMap<>();
  private final Map<String, Module> children = new LinkedHashMap<>();
  private boolean training = true;

  /** Registers a parameter initialised with a copy of {@code init}. */
  protected final Parameter param(String name, Tensor init) {
    checkName(name);
    Parameter p = new Parameter(init);
    params.put(name, p);
    return p;
  }

  /** Registers a buffer initialised with a copy of {@code init}. */
  protected final Buffer buffer(String name, Tensor init) {
    checkName(name);
    Buffer b = new Buffer(init);
    buffers.put(name, b);
    return b;
  }

  /** Registers a sub-module and returns it. */
  protected final <M extends Module> M child(String name, M module) {
    checkName(name);
    children.put(name, module);
    return module;
  }

  private void checkName(String name) {
    if (name.isEmpty() || name.contains(".")) {
      throw new IllegalArgumentException(
          "module part name must be non-empty without dots: '" + name + "'");
    }
    if (params.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)) {
      throw new IllegalArgumentException("module part '" + name + "' registered twice");
    }
  }

  /** All parameters of this module and its descendants by dotted name, in registration order. */
  public final Map<String, Parameter> namedParameters() {
    Map<String, Parameter> out = new LinkedHashMap<>();
    collect("", out, null);
    return out;
  }

  /** All buffers by dotted name. */
  public final Map<String, Buffer> namedBuffers() {
    Map<String, Buffer> out = new LinkedHashMap<>();
    collect("", null, out);
    return out;
  }

  private void collect(String prefix, Map<String, Parameter> ps, Map<String, Buffer> bs) {
    if (ps != null) {
      params.forEach((k, v) -> ps.put(prefix + k, v));
    }
    if (bs != null) {
      buffers.forEach((k, v) -> bs.put(prefix + k, v));
    }
    children.forEach((k, c) -> c.collect(prefix + k + ".", ps, bs));
  }

  /** Direct sub-modules by name. */
  public final Map<String, Module> children() {
    return Collections.unmodifiableMap(children);
  }

  /** All parameters, in registration order. */
  public final List<Parameter> parameters() {
    return new ArrayList<>(namedParameters().values());
  }

  /** Total number of parameter elements. */
  public final long parameterCount() {
    long n = 0;
    for (Parameter p : namedParameters().values()) {
      n += p.numel();
    }
    return n;
  }

  /** Forgets every parameter's gradient. */
  public final void zeroGrad() {
    for (Parameter p : namedParameters().values()) {
      p.zeroGrad();
    }
  }

  /**
   * Parameters and buffers by dotted name. The tensors are the live values (no copies); save them
   * before training changes them.
   */
  public final Map<String, Tensor> stateDict() {
    Map<String, Tensor> out = new LinkedHashMap<>();
    collectState("", out);
    return out;
  }

  /** PyTorch's order: a module's parameters, then its buffers, then its children's entries. */
  private void collectState(String prefix, Map<String, Tensor> out) {
    params.forEach((k, p) -> out.put(prefix + k, p.value()));
    buffers.forEach((k, b) -> out.put(prefix + k, b.value()));
    children.forEach((k, c) -> c.collectState(prefix + k + ".", out));
  }

  /** Copies every entry of {@code state} into this module; every entry must match exactly. */
  public final void loadStateDict(Map<String, Tensor> state) {
    loadStateDict(state, true);
  }

  /**
   * Copies entries of {@code state} into this module's parameters and buffers.
   *
   * @param strict require the same set of names (no missing, no extra entries)
   * @throws IllegalArgumentException naming the missing, unexpected or mis-shaped entries; nothing
   *     is copied when the check fails
   */
  public final void loadStateDict(Map<String, Tensor> state, boolean strict) {
    Map<String, Parameter> ps = namedParameters();
    Map<String, Buffer> bs = namedBuffers();
    TreeSet<String> missing = new TreeSet<>();
    TreeSet<String> unexpected = new TreeSet<>(state.keySet());
    List<String> misShaped = new ArrayList<>();
    for (String k : ps.keySet()) {
      checkEntry(k, ps.get(k).shape(), state, missing, unexpected, misShaped);
    }
    for (String k : bs.keySet()) {
      checkEntry(k, bs.get(k).shape(), state, missing, unexpected, misShaped);
    }
    StringBuilder err = new StringBuilder();
    if (strict && !missing.isEmpty()) {
      err.append(" missing keys: ").append(missing).append(';');
    }
    if (strict && !unexpected.isEmpty()) {
      err.append(" unexpected keys: ").append(unexpected).append(';');
    }
    if (!misShaped.isEmpty()) {
      err.append(" size mismatch: ").append(String.join(", ", misShaped)).append(';');
    }
    if (err.length() > 0) {
      throw new IllegalArgumentException(
          "error loading state dict into " + getClass().getSimpleName() + ":" + err);
    }
    ps.forEach(
        (k, p) -> {
          if (state.containsKey(k)) {
            p.copyFrom(state.get(k).data(), k);
          }
        });
    bs.forEach(
        (k, b) -> {
          if (state.containsKey(k)) {
            b.copyFrom(state.get(k).data(), k);
          }
        });
  }

  private static void checkEntry(
      String key,
      long[] shape,
      Map<String, Tensor> state,
      TreeSet<String> missing,
      TreeSet<String> unexpected,
      List<String> misShaped) {
    Tensor t = state.get(key);
    unexpected.remove(key);
    if (t == null) {
      missing.add(key);
    } else if (!Arrays.equals(t.shape(), shape)) {
      misShaped.add(
          key + " (checkpoint " + Shapes.str(t.shape()) + ", model " + Shapes.str(shape) + ")");
    }
  }

  /** Sets training mode (batch statistics, noise) on this module and its descendants. */
  public Module train(boolean on) {
    training = on;
    for (Module c : children.values()) {
      c.train(on);
    }
    return this;
  }

  /** Evaluation mode: {@code train(false)}. */
  public final Module eval() {
    return train(false);
  }

  /** Whether this module is in training mode. */
  public final boolean isTraining() {
    return training;
  }

  /** Converts every parameter and buffer to {@code type}, e.g. FLOAT64 for gradient checks. */
  public final Module to(DType type) {
    for (Parameter p : namedParameters().values()) {
      p.to(type);
    }
    for (Buffer b : namedBuffers().values()) {
      b.to(type);
    }
    return this;
  }

  /** The element type of the first parameter (FLOAT32 for a module without parameters). */
  public final DType dtype() {
    for (Parameter p : namedParameters().values()) {
      return p.value().dtype();
    }
    return DType.FLOAT32;
  }

  /** A one-line summary per parameter, and the total. */
  public String summary() {
    StringBuilder sb = new StringBuilder(getClass().getSimpleName()).append('\n');
    namedParameters()
        .forEach(
            (k, p) ->
                sb.append("  ").append(k).append(' ').append(Shapes.str(p.shape())).append('\n'));
    sb.append(String.format("  %,d parameters", parameterCount()));
    return sb.toString();
  }
}
