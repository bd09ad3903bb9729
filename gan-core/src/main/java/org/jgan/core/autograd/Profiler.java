package org.jgan.core.autograd;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jgan.core.tensor.Tensor;

/**
 * Time per op type on one thread, for finding where a training step spends its milliseconds.
 * Started explicitly and active on its thread until closed; when none is active an op pays one
 * thread-local read. Times are exclusive: an op's backward that runs other ops counts only its own
 * work, the nested ops count under their own names; fused backward kernels (such as {@code
 * conv2d_bp}) show as {@code <op>.backward}.
 *
 * <pre>{@code
 * try (Profiler p = Profiler.start(false)) {
 *   trainer.step();
 *   p.report().forEach(System.out::println);
 * }
 * }</pre>
 */
public final class Profiler implements AutoCloseable {
  private static final ThreadLocal<Profiler> ACTIVE = new ThreadLocal<>();

  private final boolean byShape;
  private final Profiler previous;
  private final Map<String, long[]> stats = new HashMap<>(); // {calls, nanos}
  private final ArrayDeque<long[]> nested = new ArrayDeque<>();
  private boolean closed;

  private Profiler(boolean byShape, Profiler previous) {
    this.byShape = byShape;
    this.previous = previous;
  }

  /**
   * Starts collecting on this thread until {@link #close()}; with {@code shapes}, each op type is
   * split by the shapes of its inputs ({@code conv2d [32, 128, 32, 32] [128, 128, 3, 3]}).
   */
  public static Profiler start(boolean shapes) {
    Profiler p = new Profiler(shapes, ACTIVE.get());
    ACTIVE.set(p);
    return p;
  }

  /** Stops collecting (the figures stay readable). */
  @Override
  public void close() {
    if (!closed) {
      if (ACTIVE.get() != this) {
        throw new IllegalStateException("profilers closed out of order or on another thread");
      }
      ACTIVE.set(previous);
      closed = true;
    }
  }

  /** The profiler collecting on this thread, or null. */
  static Profiler active() {
    return ACTIVE.get();
  }

  /**
   * Runs {@code work}, counted under {@code name} (and the shapes of {@code inputs}) when a
   * profiler is active on this thread: for kernels that run outside {@link Autograd#apply}, such as
   * in-place updates.
   */
  public static void run(String name, Tensor[] inputs, Runnable work) {
    Profiler p = ACTIVE.get();
    if (p == null) {
      work.run();
      return;
    }
    long t0 = p.begin();
    try {
      work.run();
    } finally {
      p.end(name, inputs, t0);
    }
  }

  long begin() {
    nested.push(new long[1]);
    return System.nanoTime();
  }

  void end(String name, Tensor[] inputs, long start) {
    long total = System.nanoTime() - start;
    long children = nested.pop()[0];
    String key = name;
    if (byShape) {
      StringBuilder b = new StringBuilder(name);
      for (Tensor t : inputs) {
        if (t != null) {
          b.append(' ').append(Arrays.toString(t.shape()));
        }
      }
      key = b.toString();
    }
    long[] s = stats.computeIfAbsent(key, k -> new long[2]);
    s[0]++;
    s[1] += total - children;
    if (!nested.isEmpty()) {
      nested.peek()[0] += total;
    }
  }

  /**
   * One op type's figures.
   *
   * @param op the op's name (with its input shapes when split by shape)
   * @param calls how many times it ran
   * @param millis its exclusive time
   */
  public record Entry(String op, long calls, double millis) {}

  /** The figures so far, most time first. */
  public List<Entry> report() {
    List<Entry> out = new ArrayList<>();
    stats.forEach((k, v) -> out.add(new Entry(k, v[0], v[1] / 1e6)));
    out.sort((a, b) -> Double.compare(b.millis(), a.millis()));
    return out;
  }
}
