package org.jgan.core.autograd;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jgan.core.tensor.Tensor;

/**
 * Time per op type, for finding where a training step spends its milliseconds. Off by default
 * (one volatile read per op when off). Times are exclusive: an op's backward that runs other ops
 * counts only its own work, the nested ops count under their own names; fused backward kernels
 * (such as {@code conv2d_bp}) show as {@code <op>.backward}.
 */
public final class Profiler {
  private static volatile boolean enabled;
  private static volatile boolean byShape;
  private static final Map<String, long[]> STATS = new ConcurrentHashMap<>(); // {calls, nanos}
  private static final ThreadLocal<ArrayDeque<long[]>> NESTED = ThreadLocal.withInitial(ArrayDeque::new);

  private Profiler() {}

  /** Starts collecting (and clears earlier figures), by op type. */
  public static void start() {
    start(false);
  }

  /**
   * Starts collecting (and clears earlier figures); with {@code shapes}, each op type is split by
   * the shapes of its inputs ({@code conv2d [32, 128, 32, 32] [128, 128, 3, 3]}).
   */
  public static void start(boolean shapes) {
    STATS.clear();
    byShape = shapes;
    enabled = true;
  }

  /** Stops collecting. */
  public static void stop() {
    enabled = false;
  }

  /** Whether collecting. */
  public static boolean enabled() {
    return enabled;
  }

  /**
   * Runs {@code work}, counted under {@code name} (and the shapes of {@code inputs}) while
   * collecting: for kernels that run outside {@link Autograd#apply}, such as in-place updates.
   */
  public static void run(String name, Tensor[] inputs, Runnable work) {
    if (!enabled) {
      work.run();
      return;
    }
    long t0 = begin();
    try {
      work.run();
    } finally {
      end(name, inputs, t0);
    }
  }

  static long begin() {
    NESTED.get().push(new long[1]);
    return System.nanoTime();
  }

  static void end(String name, Tensor[] inputs, long start) {
    if (!byShape) {
      end(name, start);
      return;
    }
    StringBuilder key = new StringBuilder(name);
    for (Tensor t : inputs) {
      key.append(' ').append(java.util.Arrays.toString(t.shape()));
    }
    end(key.toString(), start);
  }

  static void end(String name, long start) {
    long total = System.nanoTime() - start;
    ArrayDeque<long[]> stack = NESTED.get();
    long children = stack.pop()[0];
    long[] s = STATS.computeIfAbsent(name, k -> new long[2]);
    synchronized (s) {
      s[0]++;
      s[1] += total - children;
    }
    if (!stack.isEmpty()) {
      stack.peek()[0] += total;
    }
  }

  /** One op type's figures. */
  public record Entry(String op, long calls, double millis) {}

  /** The figures so far, most time first. */
  public static List<Entry> report() {
    List<Entry> out = new ArrayList<>();
    STATS.forEach((k, v) -> out.add(new Entry(k, v[0], v[1] / 1e6)));
    out.sort((a, b) -> Double.compare(b.millis(), a.millis()));
    return out;
  }
}
