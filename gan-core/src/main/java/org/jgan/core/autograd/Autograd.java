package org.jgan.core.autograd;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.jgan.core.kernels.Shapes;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.tensor.TensorScope;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The reverse-mode engine, after {@code torch.autograd}.
 *
 * <ul>
 *   <li>{@link #apply} runs an op and, when gradients are on and an input requires one, records a
 *       {@link Node}.
 *   <li>{@link #backward} accumulates gradients into leaves' {@code grad()} and frees the graph.
 *   <li>{@link #grad} returns gradients of outputs with respect to chosen tensors (leaves or not)
 *       without touching {@code grad()}; with {@code createGraph} the gradients carry a graph of
 *       their own and can be differentiated again.
 * </ul>
 *
 * <p>The engine, not the ops, sums the gradients of a tensor used several times and sums gradients
 * of broadcast inputs back to the input's shape. Only branches that lead to a requested tensor are
 * evaluated, so asking for an input gradient never computes weight gradients.
 */
public final class Autograd {
  private Autograd() {}

  /** Runs {@code op} on the inputs' arrays and records it when gradients are on. */
  public static Tensor apply(Op op, Tensor... inputs) {
    INDArray[] arrays = new INDArray[inputs.length];
    boolean anyGrad = false;
    for (int i = 0; i < inputs.length; i++) {
      arrays[i] = inputs[i].data();
      anyGrad |= inputs[i].requiresGrad();
    }
    INDArray out;
    Profiler profiler = Profiler.active();
    if (profiler != null) {
      long t0 = profiler.begin();
      out = op.forward(arrays);
      profiler.end(op.name(), inputs, t0);
    } else {
      out = op.forward(arrays);
    }
    if (!op.aliasesInput() && !isAlias(out, arrays)) {
      TensorScope.register(out);
    }
    if (!anyGrad || !GradMode.isEnabled()) {
      return Tensor.fromOp(out, null);
    }
    Node node = new Node(op, inputs.clone());
    Tensor t = Tensor.fromOp(out, node);
    node.setOutput(t);
    return t;
  }

  private static boolean isAlias(INDArray out, INDArray[] inputs) {
    for (INDArray in : inputs) {
      if (out == in || out.data() == in.data()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Back-propagates from {@code output} into every leaf that requires a gradient, accumulating into
   * {@code grad()}.
   *
   * @param gradOutput gradient of the output; null means 1 for a one-element output
   * @param retainGraph keep the graph for another pass
   */
  public static void backward(Tensor output, Tensor gradOutput, boolean retainGraph) {
    if (!output.requiresGrad()) {
      throw new IllegalStateException(
          "backward(): the tensor does not require a gradient and has no graph (was it computed"
              + " under GradMode.disabled(), or from inputs that require no gradient?)");
    }
    Tensor g = gradOutput != null ? gradOutput : seed(output);
    run(List.of(output), List.of(g), null, retainGraph, false);
  }

  /**
   * Gradients of {@code sum(output)} with respect to each input (PyTorch's {@code
   * torch.autograd.grad} with a scalar output).
   */
  public static Tensor grad(Tensor output, Tensor input, boolean createGraph) {
    return grad(List.of(output), List.of(input), null, createGraph).get(0);
  }

  /**
   * Gradients of the outputs, weighted by {@code gradOutputs}, with respect to {@code inputs}.
   *
   * @param gradOutputs one per output, or null for ones (each output then must have one element)
   * @param createGraph record the gradient computation so the results can be differentiated again;
   *     the graph is then retained, as in PyTorch
   * @return one gradient per input, zeros for an input the outputs do not depend on
   */
  public static List<Tensor> grad(
      List<Tensor> outputs, List<Tensor> inputs, List<Tensor> gradOutputs, boolean createGraph) {
    List<Tensor> gs = new ArrayList<>();
    for (int i = 0; i < outputs.size(); i++) {
      gs.add(gradOutputs != null ? gradOutputs.get(i) : seed(outputs.get(i)));
    }
    for (Tensor in : inputs) {
      if (!in.requiresGrad()) {
        throw new IllegalArgumentException(
            "grad(): input "
                + in
                + " does not require a gradient; create it with"
                + " Tensor.leaf(data, true) or pass an intermediate result");
      }
    }
    return run(outputs, gs, inputs, createGraph, createGraph);
  }

  private static Tensor seed(Tensor output) {
    if (output.numel() != 1) {
      throw new IllegalArgumentException(
          "a gradient can be implicitly created only for one-element outputs, got shape "
              + Shapes.str(output.shape())
              + "; pass gradOutput");
    }
    return Tensor.ones(output.dtype(), output.shape());
  }

  /**
   * The engine. {@code targets == null} means backward(): every leaf requiring a gradient
   * accumulates. Otherwise the gradients of the targets are returned.
   */
  private static List<Tensor> run(
      List<Tensor> outputs,
      List<Tensor> gradOutputs,
      List<Tensor> targets,
      boolean retainGraph,
      boolean createGraph) {
    Map<Tensor, Integer> targetIndex = new IdentityHashMap<>();
    Map<Node, Tensor> nodeTargets = new IdentityHashMap<>();
    if (targets != null) {
      for (int i = 0; i < targets.size(); i++) {
        targetIndex.put(targets.get(i), i);
        if (targets.get(i).node() != null) {
          nodeTargets.put(targets.get(i).node(), targets.get(i));
        }
      }
    }
    List<Node> order = topologicalOrder(outputs);
    Map<Node, Boolean> needed = new IdentityHashMap<>();
    for (Node n : order) { // inputs come before consumers
      boolean need = nodeTargets.containsKey(n);
      for (Tensor in : n.inputsOrNull()) {
        need |= leadsToTarget(in, targets, targetIndex, needed);
      }
      needed.put(n, need);
    }
    Map<Node, Tensor> nodeGrads = new IdentityHashMap<>();
    Map<Tensor, Tensor> leafGrads = new IdentityHashMap<>();
    Tensor[] results = new Tensor[targets == null ? 0 : targets.size()];
    try (GradMode.Guard mode = GradMode.set(createGraph)) {
      for (int i = 0; i < outputs.size(); i++) {
        Tensor out = outputs.get(i);
        Tensor g = gradOutputs.get(i);
        if (!Arrays.equals(out.shape(), g.shape())) {
          throw new IllegalArgumentException(
              "gradient of shape "
                  + Shapes.str(g.shape())
                  + " given for output of shape "
                  + Shapes.str(out.shape()));
        }
        if (out.node() != null) {
          nodeGrads.merge(out.node(), g, Tensor::add);
        } else if (leadsToTarget(out, targets, targetIndex, needed)) {
          leafGrads.merge(out, g, Tensor::add);
        }
      }
      for (int k = order.size() - 1; k >= 0; k--) {
        Node n = order.get(k);
        Tensor g = nodeGrads.remove(n);
        if (g == null || !needed.get(n)) {
          continue;
        }
        Tensor target = nodeTargets.get(n);
        if (target != null) {
          results[targetIndex.get(target)] = g;
        }
        propagate(n, g, targets, targetIndex, needed, nodeGrads, leafGrads, createGraph);
      }
    } finally {
      if (!retainGraph) {
        for (Node n : order) {
          n.release();
        }
      }
    }
    if (targets == null) {
      for (Map.Entry<Tensor, Tensor> e : leafGrads.entrySet()) {
        e.getKey().accumulateGrad(e.getValue().data());
      }
      return List.of();
    }
    for (Map.Entry<Tensor, Tensor> e : leafGrads.entrySet()) {
      Integer i = targetIndex.get(e.getKey());
      if (i != null) {
        results[i] = e.getValue();
      }
    }
    List<Tensor> out = new ArrayList<>(results.length);
    for (int i = 0; i < results.length; i++) {
      Tensor t = targets.get(i);
      out.add(results[i] != null ? results[i] : Tensor.zeros(t.dtype(), t.shape()));
    }
    return out;
  }

  private static void propagate(
      Node n,
      Tensor g,
      List<Tensor> targets,
      Map<Tensor, Integer> targetIndex,
      Map<Node, Boolean> needed,
      Map<Node, Tensor> nodeGrads,
      Map<Tensor, Tensor> leafGrads,
      boolean createGraph) {
    Tensor[] inputs = n.inputsOrNull();
    boolean[] needs = new boolean[inputs.length];
    boolean any = false;
    for (int i = 0; i < inputs.length; i++) {
      needs[i] = leadsToTarget(inputs[i], targets, targetIndex, needed);
      any |= needs[i];
    }
    if (!any) {
      return;
    }
    n.setNeedsGrad(needs);
    Tensor[] grads;
    Profiler profiler = Profiler.active();
    if (profiler != null) {
      long t0 = profiler.begin();
      grads = n.op().backward(n, g);
      profiler.end(n.op().name() + ".backward", inputs, t0);
    } else {
      grads = n.op().backward(n, g);
    }
    for (int i = 0; i < inputs.length; i++) {
      if (!needs[i]) {
        continue;
      }
      Tensor gi = grads[i];
      if (gi == null) {
        throw new IllegalStateException(
            "op '" + n.op().name() + "' returned no gradient for input " + i + " that needs one");
      }
      gi = gi.sumTo(inputs[i].shape());
      if (createGraph && n.op().maxGradOrder() < 2) {
        gi = apply(new OnceDifferentiable(n.op().name()), gi);
      }
      Tensor in = inputs[i];
      if (in.node() != null) {
        nodeGrads.merge(in.node(), gi, Tensor::add);
      } else {
        leafGrads.merge(in, gi, Tensor::add);
      }
    }
  }

  private static boolean leadsToTarget(
      Tensor t, List<Tensor> targets, Map<Tensor, Integer> targetIndex, Map<Node, Boolean> needed) {
    if (!t.requiresGrad()) {
      return false;
    }
    if (t.node() == null) {
      return targets == null || targetIndex.containsKey(t);
    }
    return Boolean.TRUE.equals(needed.get(t.node())) || targetIndex.containsKey(t);
  }

  /** Nodes reachable from the outputs, every node after all nodes that feed it. */
  private static List<Node> topologicalOrder(List<Tensor> outputs) {
    List<Node> order = new ArrayList<>();
    Map<Node, Boolean> visited = new IdentityHashMap<>();
    ArrayDeque<Object[]> stack = new ArrayDeque<>(); // {node, next input index}
    for (Tensor out : outputs) {
      Node root = out.node();
      if (root == null || visited.containsKey(root)) {
        continue;
      }
      visited.put(root, Boolean.TRUE);
      stack.push(new Object[] {root, 0});
      while (!stack.isEmpty()) {
        Object[] top = stack.peek();
        Node n = (Node) top[0];
        Tensor[] ins = n.inputsOrNull();
        if (ins == null) {
          n.input(0); // throws the freed-graph error
        }
        int i = (Integer) top[1];
        if (i < ins.length) {
          top[1] = i + 1;
          Node child = ins[i].requiresGrad() ? ins[i].node() : null;
          if (child != null && !visited.containsKey(child)) {
            visited.put(child, Boolean.TRUE);
            stack.push(new Object[] {child, 0});
          }
        } else {
          stack.pop();
          order.add(n);
        }
      }
    }
    return order;
  }

  /** Identity whose own backward refuses: marks gradients of an op that is differentiable once. */
  private static final class OnceDifferentiable extends Op {
    private final String origin;

    OnceDifferentiable(String origin) {
      this.origin = origin;
    }

    @Override
    public String name() {
      return "once_differentiable(" + origin + ")";
    }

    @Override
    public INDArray forward(INDArray... inputs) {
      return inputs[0];
    }

    @Override
    public boolean aliasesInput() {
      return true;
    }

    @Override
    public Tensor[] backward(Node node, Tensor gradOutput) {
      throw new IllegalStateException(
          "op '"
              + origin
              + "' can be differentiated only once, but a second derivative through it was"
              + " requested (createGraph = true); use its composite form for R1 or path length");
    }
  }
}
