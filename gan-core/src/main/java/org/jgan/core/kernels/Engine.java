package org.jgan.core.kernels;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A {@link Backend} made live: the state its kernels keep (the buffer pool, oneDNN's Winograd
 * plans, allocation counters), installed on the threads that use it. Kernels reach the engine of
 * their thread through {@link #current()}; a thread that installed none uses the default engine,
 * made on first use from {@link Backend#cpu()}.
 *
 * <pre>{@code
 * try (Engine engine = Engine.start(Backend.cpu().withPoolBytes(0))) {  // installed on this thread
 *   ... train ...
 *   log.info("{}", engine.stats());
 * }                                                                    // uninstalled, pool freed
 * }</pre>
 *
 * <p>Two engines share nothing: a test that starts its own engine sees counters and a pool that no
 * earlier code touched. An engine is safe to install on several threads at once ({@link
 * #install()}); its counters then add up over all of them. Arrays do not belong to an engine: an
 * array allocated under one engine may be freed under another, whose pool then takes its buffer.
 */
public final class Engine implements AutoCloseable {
  private static final ThreadLocal<ArrayDeque<Engine>> INSTALLED =
      ThreadLocal.withInitial(ArrayDeque::new);

  private final Backend backend;
  private final BufferPool pool;
  private final DnnConv dnn;
  private final DnnEltwise eltwise;
  private final Winograd winograd;
  private final AtomicLong liveBytes = new AtomicLong();
  private final AtomicLong allocations = new AtomicLong();
  private final AtomicLong fresh = new AtomicLong();
  private final AtomicLong collections = new AtomicLong();
  private final AtomicLong freshAtLastCollection = new AtomicLong();
  private final AtomicLong winogradCalls = new AtomicLong();
  private final AtomicLong oneDnnCalls = new AtomicLong();
  private final Map<INDArray, Throwable> sites;
  private Thread startedOn;
  private volatile boolean closed;

  /** An engine for {@code backend}, not yet installed on any thread. */
  public Engine(Backend backend) {
    if (backend == null) {
      throw new IllegalArgumentException("an engine needs a backend, got null");
    }
    this.backend = backend;
    this.pool = new BufferPool(backend.poolBytes());
    this.dnn = backend.winograd() || backend.oneDnn() ? new DnnConv(this) : null;
    this.winograd = backend.winograd() ? new Winograd(dnn) : null;
    this.eltwise = backend.oneDnn() ? new DnnEltwise(this) : null;
    this.sites =
        backend.trackAllocations() ? Collections.synchronizedMap(new IdentityHashMap<>()) : null;
    Platform.hintAllocatorOnce();
  }

  /**
   * A new engine for {@code backend}, installed on this thread until {@link #close()}, which also
   * frees what it holds.
   */
  public static Engine start(Backend backend) {
    Engine e = new Engine(backend);
    INSTALLED.get().push(e);
    e.startedOn = Thread.currentThread();
    return e;
  }

  /** The engine installed on this thread, or the default engine when none is. */
  public static Engine current() {
    Engine e = INSTALLED.get().peek();
    return e != null ? e : Default.ENGINE;
  }

  /** The engine of threads that installed none: {@link Backend#cpu()}, made on first use. */
  public static Engine defaultEngine() {
    return Default.ENGINE;
  }

  private static final class Default {
    static final Engine ENGINE = new Engine(Backend.cpu());
  }

  /** Installs this engine on the calling thread until the guard closes (guards nest). */
  public Guard install() {
    checkOpen();
    ArrayDeque<Engine> stack = INSTALLED.get();
    stack.push(this);
    return new Guard(stack, this);
  }

  /** Uninstalls an engine from the thread that installed it. */
  public static final class Guard implements AutoCloseable {
    private final ArrayDeque<Engine> stack;
    private final Engine engine;
    private final Thread thread = Thread.currentThread();
    private boolean closed;

    private Guard(ArrayDeque<Engine> stack, Engine engine) {
      this.stack = stack;
      this.engine = engine;
    }

    /**
     * Uninstalls the engine.
     *
     * @throws IllegalStateException on another thread than the one that installed it, or when an
     *     engine installed after it is still installed
     */
    @Override
    public void close() {
      if (!closed) {
        if (Thread.currentThread() != thread) {
          throw new IllegalStateException(
              "an engine must be uninstalled on the thread that installed it");
        }
        pop(stack, engine);
        closed = true;
      }
    }
  }

  private static void pop(ArrayDeque<Engine> stack, Engine e) {
    if (stack.peek() != e) {
      throw new IllegalStateException(
          "engine uninstalled out of order or on another thread: an engine installed after it is"
              + " still installed (use try-with-resources)");
    }
    stack.pop();
  }

  /** The description this engine runs. */
  public Backend backend() {
    return backend;
  }

  // ---------------------------------------------------------------- allocation

  /** An uninitialised detached C-ordered array, from the pool when it holds a fitting buffer. */
  INDArray alloc(DataType type, long[] shape) {
    INDArray a = pool.take(type, shape);
    if (a == null) {
      a = Nd4j.createUninitializedDetached(type, 'c', shape);
      fresh.incrementAndGet();
    }
    liveBytes.addAndGet(a.length() * type.width());
    allocations.incrementAndGet();
    if (sites != null) {
      sites.put(a, new Throwable("allocated here"));
    }
    return a;
  }

  /** Frees an array made by {@link #alloc}: its buffer goes to the pool, or back to the C heap. */
  void free(INDArray a) {
    liveBytes.addAndGet(-a.length() * a.dataType().width());
    if (sites != null) {
      sites.remove(a);
    }
    if (!pool.give(a)) {
      a.close();
    }
  }

  /** The buffer pool (for tests of this package). */
  BufferPool pool() {
    return pool;
  }

  /** The Winograd kernels of this engine, or null when its backend turns them off. */
  Winograd winograd() {
    return winograd;
  }

  /**
   * oneDNN's cached convolution primitives for the other float32 convolutions, or null when the
   * backend turns them off.
   */
  DnnConv oneDnn() {
    return backend.oneDnn() ? dnn : null;
  }

  /**
   * oneDNN's kept bias, noise and leaky ReLU primitives, or null when the backend turns oneDNN's
   * primitives off.
   */
  DnnEltwise oneDnnEltwise() {
    return eltwise;
  }

  /** Counts a convolution run on oneDNN's primitives: Winograd or direct. */
  void countDnn(boolean winogradKernel) {
    (winogradKernel ? winogradCalls : oneDnnCalls).incrementAndGet();
  }

  // ---------------------------------------------------------------- steps

  /**
   * Ends a step: frees pooled buffers that no step wanted lately and, when the backend says so,
   * collects ND4J's per-array Java objects (a full garbage collection every {@link
   * Backend#gcEveryArrays()} fresh buffers). {@code TensorScope} calls it when an outermost scope
   * closes, between steps, when the fewest arrays are alive.
   *
   * <p>Why the collection: ND4J keeps several Java objects per array (its deallocator's weak
   * reference, held in a map, with the native buffer's handles) until the array's Java object is
   * collected, even when the library freed the memory explicitly. Under G1 these overflow the
   * survivor space into the old generation, which is collected only when it is nearly full, so a
   * long run's heap (and resident memory) climbs to {@code -Xmx}; docs/reliability.md measures it.
   */
  public void endStep() {
    pool.endStep();
    long every = backend.gcEveryArrays();
    long made = fresh.get();
    long last = freshAtLastCollection.get();
    if (every > 0 && made - last >= every && freshAtLastCollection.compareAndSet(last, made)) {
      System.gc();
      collections.incrementAndGet();
    }
  }

  // ---------------------------------------------------------------- figures

  /**
   * Counters of an engine since it started.
   *
   * @param allocations arrays allocated
   * @param freshAllocations of those, arrays whose buffer did not come from the pool
   * @param liveBytes bytes allocated and not freed: parameters, optimiser state, open scopes
   * @param pooledBytes bytes held for reuse
   * @param poolHits allocations the pool served (of pooled sizes, 64 KiB and more)
   * @param poolMisses allocations of pooled sizes it could not serve
   * @param winogradCalls convolutions (any direction) run on the Winograd kernels
   * @param oneDnnCalls convolutions (any direction) run on oneDNN's direct kernels called directly
   * @param collections full garbage collections run by {@link #endStep()}
   */
  public record Stats(
      long allocations,
      long freshAllocations,
      long liveBytes,
      long pooledBytes,
      long poolHits,
      long poolMisses,
      long winogradCalls,
      long oneDnnCalls,
      long collections) {}

  /** The counters now. */
  public Stats stats() {
    long[] hm = pool.counts();
    return new Stats(
        allocations.get(),
        fresh.get(),
        liveBytes.get(),
        pool.pooledBytes(),
        hm[0],
        hm[1],
        winogradCalls.get(),
        oneDnnCalls.get(),
        collections.get());
  }

  /** Bytes of arrays allocated and not yet freed under this engine. */
  public long liveBytes() {
    return liveBytes.get();
  }

  /**
   * Allocation sites of live arrays, most frequent first, as call chains (empty unless the backend
   * tracks allocations).
   */
  public Map<String, Integer> liveAllocationSites() {
    Map<String, Integer> counts = new HashMap<>();
    if (sites != null) {
      synchronized (sites) {
        for (Throwable t : sites.values()) {
          counts.merge(site(t.getStackTrace()), 1, Integer::sum);
        }
      }
    }
    Map<String, Integer> sorted = new LinkedHashMap<>();
    counts.entrySet().stream()
        .sorted((a, b) -> b.getValue() - a.getValue())
        .forEach(e -> sorted.put(e.getKey(), e.getValue()));
    return sorted;
  }

  private static String site(StackTraceElement[] st) {
    StringBuilder key = new StringBuilder();
    for (int i = 2; i < Math.min(st.length, 8); i++) { // past Engine.alloc and Kernels.alloc
      key.append(i > 2 ? " < " : "")
          .append(st[i].getClassName().replace("org.jgan.", ""))
          .append('.')
          .append(st[i].getMethodName())
          .append(':')
          .append(st[i].getLineNumber());
    }
    return key.toString();
  }

  /**
   * What ran, for a run's provenance: the backend's settings, the 3x3 convolution kernel in force,
   * the OpenMP threads and the allocator settings of this process.
   */
  public Map<String, Object> provenance() {
    Map<String, Object> m = new LinkedHashMap<>(backend.toMap());
    m.put("convolution3x3", convolutionKernel());
    m.put("ompThreads", Platform.ompThreads());
    m.put("allocator", Platform.allocatorSettings());
    return m;
  }

  /**
   * Whether 3x3 stride-1 float32 convolutions may run on oneDNN's Winograd kernels: the backend
   * asks for them and this machine has them (AVX-512).
   */
  public boolean winogradAvailable() {
    return winograd != null && Winograd.supported();
  }

  /** Which kernel runs 3x3 stride-1 float32 convolutions, or why not Winograd. */
  public String convolutionKernel() {
    return Winograd.status(backend.winograd(), backend.oneDnn());
  }

  /** One line for logs and benchmark headers: the backend and the kernel in force. */
  public String describe() {
    return backend.describe()
        + "; 3x3 convolutions: "
        + convolutionKernel()
        + "; OMP threads "
        + Platform.ompThreads()
        + "; allocator: "
        + Platform.allocatorSettings();
  }

  // ---------------------------------------------------------------- closing

  /**
   * Frees the pooled buffers and oneDNN's primitives. An engine from {@link #start} is uninstalled
   * from its thread first; the default engine cannot be closed.
   *
   * @throws IllegalStateException for the default engine, or when an engine installed after this
   *     one is still installed
   */
  @Override
  public void close() {
    if (this == Default.ENGINE) {
      throw new IllegalStateException("the default engine cannot be closed");
    }
    if (closed) {
      return;
    }
    if (startedOn != null) {
      if (Thread.currentThread() != startedOn) {
        throw new IllegalStateException("an engine must be closed on the thread that started it");
      }
      pop(INSTALLED.get(), this);
    }
    closed = true;
    pool.close();
    if (dnn != null) {
      dnn.close();
    }
    if (eltwise != null) {
      eltwise.close();
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("engine was closed: " + backend.describe());
    }
  }

  @Override
  public String toString() {
    return "Engine[" + backend.describe() + "]";
  }
}
