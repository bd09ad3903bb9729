package org.jgan.core.ops;

import java.util.function.BiFunction;
import org.jgan.core.memory.BufferPool;
import org.jgan.core.tensor.Shapes;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.Op;
import org.nd4j.linalg.api.ops.impl.reduce.same.Sum;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarAdd;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarMultiplication;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.DivOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Array-level kernels on ND4J: every result is a fresh, detached, C-ordered array that its caller
 * owns (and a {@code TensorScope} frees). ND4J's allocating convenience methods ({@code x.add(y)})
 * allocate zero-filled, garbage-collected memory and are about 20 times slower for large arrays on
 * this path, so nothing here uses them.
 */
public final class Kernels {
  /** Bytes of arrays allocated here and not yet freed. */
  private static final java.util.concurrent.atomic.AtomicLong LIVE_BYTES =
      new java.util.concurrent.atomic.AtomicLong();

  /** Arrays allocated here since the JVM started. */
  private static final java.util.concurrent.atomic.AtomicLong ALLOCATIONS =
      new java.util.concurrent.atomic.AtomicLong();

  /** Buffers made fresh by {@link #alloc} (not from the pool) since the JVM started. */
  private static final java.util.concurrent.atomic.AtomicLong FRESH =
      new java.util.concurrent.atomic.AtomicLong();

  /**
   * With {@code -Djgan.trackAllocations=true}, where each live array was allocated, for finding
   * leaks ({@link #liveAllocationSites()}).
   */
  private static final java.util.Map<INDArray, Throwable> SITES =
      Boolean.getBoolean("jgan.trackAllocations")
          ? java.util.Collections.synchronizedMap(new java.util.IdentityHashMap<>())
          : null;

  private Kernels() {}

  /**
   * An uninitialised detached array: a buffer from {@link BufferPool} when one of this type and
   * length was freed before, otherwise a fresh one.
   */
  public static INDArray alloc(DataType type, long... shape) {
    INDArray a = BufferPool.take(type, shape);
    if (a == null) {
      a = Nd4j.createUninitializedDetached(type, 'c', shape);
      FRESH.incrementAndGet();
    }
    LIVE_BYTES.addAndGet(a.length() * type.width());
    ALLOCATIONS.incrementAndGet();
    if (SITES != null) {
      SITES.put(a, new Throwable("allocated here"));
    }
    return a;
  }

  /**
   * Allocation sites of live arrays, most frequent first (empty unless {@code
   * jgan.trackAllocations} is set): site to count.
   */
  public static java.util.Map<String, Integer> liveAllocationSites() {
    java.util.Map<String, Integer> counts = new java.util.HashMap<>();
    if (SITES != null) {
      synchronized (SITES) {
        for (Throwable t : SITES.values()) {
          StackTraceElement[] st = t.getStackTrace();
          StringBuilder key = new StringBuilder();
          for (int i = 1; i < Math.min(st.length, 7); i++) {
            key.append(st[i].getClassName().replace("org.jgan.", "")).append('.').append(st[i].getMethodName()).append(':')
                .append(st[i].getLineNumber()).append(" < ");
          }
          counts.merge(key.toString(), 1, Integer::sum);
        }
      }
    }
    return counts;
  }

  /**
   * Bytes of arrays allocated by {@link #alloc} and not freed by {@link #free}: every array the
   * library owns (parameters, optimiser state, the current step's tensors).
   */
  public static long liveBytes() {
    return LIVE_BYTES.get();
  }

  /** How many arrays {@link #alloc} has made since the JVM started. */
  public static long allocations() {
    return ALLOCATIONS.get();
  }

  /** How many of those had a fresh buffer rather than a pooled one. */
  public static long freshAllocations() {
    return FRESH.get();
  }

  /** A detached array filled with {@code value}. */
  public static INDArray full(DataType type, double value, long... shape) {
    INDArray a = alloc(type, shape);
    a.assign(value);
    return a;
  }

  /** A detached, C-ordered copy. */
  public static INDArray copy(INDArray a) {
    INDArray out = alloc(a.dataType(), a.shape());
    out.assign(a);
    return out;
  }

  /** {@code a + b} with broadcasting. */
  public static INDArray add(INDArray a, INDArray b) {
    INDArray out = alloc(a.dataType(), Shapes.broadcast(a.shape(), b.shape()));
    Nd4j.exec(new AddOp(new INDArray[] {a, b}, new INDArray[] {out}));
    return out;
  }

  /** {@code a - b} with broadcasting. */
  public static INDArray sub(INDArray a, INDArray b) {
    INDArray out = alloc(a.dataType(), Shapes.broadcast(a.shape(), b.shape()));
    Nd4j.exec(new SubOp(new INDArray[] {a, b}, new INDArray[] {out}));
    return out;
  }

  /** {@code a * b} with broadcasting. */
  public static INDArray mul(INDArray a, INDArray b) {
    INDArray out = alloc(a.dataType(), Shapes.broadcast(a.shape(), b.shape()));
    Nd4j.exec(new MulOp(new INDArray[] {a, b}, new INDArray[] {out}));
    return out;
  }

  /** {@code a / b} with broadcasting. */
  public static INDArray div(INDArray a, INDArray b) {
    INDArray out = alloc(a.dataType(), Shapes.broadcast(a.shape(), b.shape()));
    Nd4j.exec(new DivOp(new INDArray[] {a, b}, new INDArray[] {out}));
    return out;
  }

  /** {@code a + c}. */
  public static INDArray addScalar(INDArray a, double c) {
    INDArray out = alloc(a.dataType(), a.shape());
    Nd4j.getExecutioner().exec(new ScalarAdd(a, null, out, c));
    return out;
  }

  /** {@code a * c}. */
  public static INDArray mulScalar(INDArray a, double c) {
    INDArray out = alloc(a.dataType(), a.shape());
    Nd4j.getExecutioner().exec(new ScalarMultiplication(a, null, out, c));
    return out;
  }

  /**
   * Applies an ND4J transform {@code (x, z) -> op} into a fresh array of {@code a}'s shape, e.g.
   * {@code unary(a, Exp::new)}.
   */
  public static INDArray unary(INDArray a, BiFunction<INDArray, INDArray, ? extends Op> op) {
    INDArray out = alloc(a.dataType(), a.shape());
    Nd4j.getExecutioner().exec(op.apply(a, out));
    return out;
  }

  /** Sum over {@code axes} (all axes when empty), keeping reduced axes as size 1 if asked. */
  public static INDArray sum(INDArray a, boolean keepDims, int... axes) {
    long[] in = a.shape();
    boolean[] reduced = new boolean[in.length];
    if (axes.length == 0) {
      java.util.Arrays.fill(reduced, true);
    }
    for (int ax : axes) {
      reduced[ax] = true;
    }
    int kept = 0;
    for (boolean r : reduced) {
      kept += r ? 0 : 1;
    }
    long[] shape = new long[keepDims ? in.length : kept];
    for (int i = 0, j = 0; i < in.length; i++) {
      if (keepDims) {
        shape[i] = reduced[i] ? 1 : in[i];
      } else if (!reduced[i]) {
        shape[j++] = in[i];
      }
    }
    INDArray out = alloc(a.dataType(), shape);
    if (!sumByProducts(a, reduced, out) && !sumMiddleByProducts(a, reduced, out)) {
      int[] dims = axes.length == 0 ? allAxes(in.length) : axes;
      Nd4j.exec(new Sum(a, null, out, keepDims, dims));
    }
    return out;
  }

  /**
   * A sum whose kept axes are consecutive, in a C-ordered floating-point array: with the array
   * read as a {@code [P, K, S]} block (P the reduced leading axes, K the kept ones, S the reduced
   * trailing ones), the result is {@code X ones(S)} followed by {@code ones(P)^T X'}, two matrix
   * products. A bias gradient (the sum of {@code [N, C, H, W]} over N, H and W) is the common case;
   * ND4J's reductions ran 3-8 times slower than these products on {@code [32, 128, 32, 32]}.
   *
   * @return false (and nothing written) where the layout does not allow it
   */
  private static boolean sumByProducts(INDArray a, boolean[] reduced, INDArray out) {
    DataType type = a.dataType();
    long[] in = a.shape();
    int[] run = onlyRun(reduced, true);
    boolean all = run != null && run[0] == 0 && run[1] == in.length - 1;
    int[] kept = !plainFloating(a) ? null : all ? new int[] {in.length, in.length - 1} : onlyRun(reduced, false);
    if (kept == null) {
      return false; // kept axes not consecutive, or a layout the products cannot read
    }
    long[] pks = blocks(in, kept[0], kept[1]);
    long p = pks[0];
    long k = pks[1];
    long s = pks[2];
    if (p == 1 && s == 1) {
      return false; // nothing to add up
    }
    // the trailing sum first: a matrix-vector product over the whole array runs at memory speed
    INDArray afterS = a;
    if (s > 1) {
      INDArray onesS = full(type, 1.0, s, 1);
      afterS = p > 1 ? alloc(type, p * k, 1) : out.reshape('c', k, 1);
      custom("matmul", new INDArray[] {a.reshape('c', p * k, s), onesS}, new INDArray[] {afterS}, 0, 0);
      free(onesS);
    }
    INDArray onesP = null;
    if (p > 1) {
      onesP = full(type, 1.0, 1, p);
      custom("matmul", new INDArray[] {onesP, afterS.reshape('c', p, k)}, new INDArray[] {out.reshape('c', 1, k)}, 0, 0);
      if (s > 1) {
        free(afterS);
      }
    }
    free(onesP);
    return true;
  }

  /**
   * A sum over one run of consecutive axes with kept axes on both sides (a sum over channels,
   * {@code [N, C, H, W]} to {@code [N, H, W]}): with the array read as {@code [P, R, S]}, one
   * batched matrix product {@code ones[P, 1, R] X}. ND4J's reduction over the middle axis of
   * {@code [32, 128, 1024]} took 4.4 ms, the product 1.35 ms.
   *
   * @return false (and nothing written) where the layout does not allow it
   */
  private static boolean sumMiddleByProducts(INDArray a, boolean[] reduced, INDArray out) {
    DataType type = a.dataType();
    int[] run = plainFloating(a) ? onlyRun(reduced, true) : null;
    long[] in = a.shape();
    if (run == null || run[0] == 0 || run[1] == in.length - 1) {
      return false; // not one run of reduced axes between kept ones
    }
    long[] prs = blocks(in, run[0], run[1]);
    long p = prs[0];
    long r = prs[1];
    long s = prs[2];
    INDArray ones = full(type, 1.0, p, 1, r);
    custom("matmul", new INDArray[] {ones, a.reshape('c', p, r, s)}, new INDArray[] {out.reshape('c', p, 1, s)}, 0, 0);
    free(ones);
    return true;
  }

  /** The products of the sizes before axis {@code first}, from it to {@code last}, and after. */
  private static long[] blocks(long[] shape, int first, int last) {
    long[] b = {1, 1, 1};
    for (int i = 0; i < shape.length; i++) {
      b[i < first ? 0 : i <= last ? 1 : 2] *= shape[i];
    }
    return b;
  }

  /**
   * Sums of fewer elements go to ND4J's reduction: a libnd4j matrix product costs about 0.25 ms
   * however small, and ND4J was as fast or faster up to [32, 128, 256] (about 1M elements).
   */
  private static final long SUM_BY_PRODUCTS_MIN = 1L << 21;

  /**
   * A C-ordered, dense float or double array of at least {@link #SUM_BY_PRODUCTS_MIN} elements,
   * as the matrix products read it.
   */
  private static boolean plainFloating(INDArray a) {
    DataType type = a.dataType();
    return (type == DataType.FLOAT || type == DataType.DOUBLE) && a.ordering() == 'c' && !a.isView()
        && org.nd4j.linalg.api.shape.Shape.hasDefaultStridesForShape(a) && a.length() >= SUM_BY_PRODUCTS_MIN;
  }

  /**
   * {first, last} of the axes whose flag is {@code value} when they are consecutive, or null (also
   * when there are none).
   */
  private static int[] onlyRun(boolean[] flags, boolean value) {
    int first = -1;
    int last = -1;
    for (int i = 0; i < flags.length; i++) {
      if (flags[i] == value) {
        if (first >= 0 && last != i - 1) {
          return null;
        }
        first = first < 0 ? i : first;
        last = i;
      }
    }
    return first < 0 ? null : new int[] {first, last};
  }

  /** Runs a libnd4j custom op by name with the given outputs and integer arguments. */
  public static void custom(String name, INDArray[] inputs, INDArray[] outputs, int... iargs) {
    exec(name, inputs, outputs, new Double[0], new boolean[0], iargs);
  }

  /** Runs a libnd4j custom op with boolean and integer arguments. */
  public static void custom(String name, INDArray[] inputs, INDArray[] outputs, boolean[] bargs, int... iargs) {
    exec(name, inputs, outputs, new Double[0], bargs, iargs);
  }

  /** Runs a libnd4j custom op with floating-point and integer arguments. */
  public static void custom(String name, INDArray[] inputs, INDArray[] outputs, double[] targs, int... iargs) {
    Double[] t = new Double[targs.length];
    for (int i = 0; i < t.length; i++) {
      t[i] = targs[i];
    }
    exec(name, inputs, outputs, t, new boolean[0], iargs);
  }

  private static void exec(String name, INDArray[] inputs, INDArray[] outputs, Double[] targs, boolean[] bargs, int[] iargs) {
    DynamicCustomOp.DynamicCustomOpsBuilder b =
        DynamicCustomOp.builder(name).addInputs(inputs).addOutputs(outputs).addIntegerArguments(iargs);
    if (targs.length > 0) {
      b.addFloatingPointArguments(targs);
    }
    if (bargs.length > 0) {
      b.addBooleanArguments(bargs);
    }
    Nd4j.exec(b.build());
  }

  /**
   * Frees an array made by {@link #alloc} (its buffer goes to {@link BufferPool} when pooled);
   * views and already-freed arrays are left alone. Never pass an array ND4J allocated, nor a
   * permuted alias (which ND4J reports as closeable).
   */
  public static void free(INDArray a) {
    if (a != null && !a.wasClosed() && a.closeable()) {
      LIVE_BYTES.addAndGet(-a.length() * a.dataType().width());
      if (SITES != null) {
        SITES.remove(a);
      }
      if (!BufferPool.give(a)) {
        a.close();
      }
    }
  }

  static int[] allAxes(int rank) {
    int[] axes = new int[rank];
    for (int i = 0; i < rank; i++) {
      axes[i] = i;
    }
    return axes;
  }
}
