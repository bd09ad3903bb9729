package org.jgan.core.tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import org.jgan.core.kernels.Engine;
import org.jgan.core.kernels.Kernels;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Deterministic release of native memory, after DJL's {@code NDScope}.
 *
 * <p>Scopes form a stack per thread. Every array an op allocates belongs to the innermost open
 * scope and is freed when that scope closes; arrays made while no scope is open are left to the
 * garbage collector (ND4J frees them eventually). A training step runs in one scope, so its graph,
 * activations and gradients are freed as soon as the step ends; parameters, optimiser state and
 * buffers own their arrays and are never freed by a scope. Closing the outermost scope ends a step
 * for the thread's {@link Engine} ({@link Engine#endStep()}: pool ageing and, as its backend says,
 * a collection of ND4J's per-array Java objects).
 *
 * <pre>{@code
 * try (TensorScope step = TensorScope.open()) {
 *   Tensor loss = ...;
 *   loss.backward();
 *   optimizer.step();
 *   lossValue = loss.item();          // or: Tensor kept = step.keep(loss);
 * }
 * }</pre>
 */
public final class TensorScope implements AutoCloseable {
  private static final ThreadLocal<ArrayDeque<TensorScope>> STACK =
      ThreadLocal.withInitial(ArrayDeque::new);

  private final ArrayList<INDArray> owned = new ArrayList<>();
  private final Thread thread = Thread.currentThread();
  private boolean closed;

  private TensorScope() {}

  /** Opens a scope nested in the current one. */
  public static TensorScope open() {
    TensorScope s = new TensorScope();
    STACK.get().push(s);
    return s;
  }

  /** The innermost open scope on this thread, or null. */
  public static TensorScope current() {
    return STACK.get().peek();
  }

  /** Makes the innermost scope (if any) the owner of a freshly allocated array. */
  public static void register(INDArray array) {
    TensorScope s = STACK.get().peek();
    if (s != null) {
      s.owned.add(array);
    }
  }

  /** Number of arrays this scope will free. */
  public int size() {
    return owned.size();
  }

  /**
   * Keeps a tensor's values alive beyond this scope: its array moves to the enclosing scope (or to
   * the garbage collector when there is none). The result carries no graph, since the graph's saved
   * tensors are freed with this scope. Arrays not owned by this scope (views, parameters) are
   * copied.
   */
  public Tensor keep(Tensor t) {
    INDArray a = t.data();
    if (!removeOwned(a)) {
      a = Kernels.copy(a);
    }
    ArrayDeque<TensorScope> stack = STACK.get();
    TensorScope parent = null;
    boolean seen = false;
    for (TensorScope s : stack) { // innermost first
      if (seen) {
        parent = s;
        break;
      }
      seen = s == this;
    }
    if (parent != null) {
      parent.owned.add(a);
    }
    return Tensor.of(a);
  }

  private boolean removeOwned(INDArray a) {
    for (int i = owned.size() - 1; i >= 0; i--) {
      if (owned.get(i) == a) {
        owned.remove(i);
        return true;
      }
    }
    return false;
  }

  /**
   * Frees every array this scope owns.
   *
   * @throws IllegalStateException if an inner scope is still open, or on another thread
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    if (Thread.currentThread() != thread) {
      throw new IllegalStateException("a TensorScope must be closed on the thread that opened it");
    }
    ArrayDeque<TensorScope> stack = STACK.get();
    if (stack.peek() != this) {
      throw new IllegalStateException(
          "TensorScope closed out of order: an inner scope is still open (use try-with-resources)");
    }
    stack.pop();
    closed = true;
    for (INDArray a : owned) {
      Kernels.free(a);
    }
    owned.clear();
    if (stack.isEmpty()) {
      Engine.current().endStep(); // between steps, when the fewest arrays are alive
    }
  }
}
