package org.jgan.core.kernels;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.BaseNDArray;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Native buffers freed by the library, kept for the next array of the same type and length (after
 * SameDiff's {@code ArrayCacheMemoryMgr} and PyTorch's caching allocator); one per {@link Engine}.
 *
 * <p>Why: a training step allocates the same large arrays every time, and memory fresh from the C
 * allocator (glibc serves large blocks by {@code mmap}, and returns them on free) is zeroed and
 * mapped by the kernel page by page on first touch; docs/benchmarks.md measures what that cost. A
 * buffer from this pool is already mapped.
 *
 * <p>What a user sees: nothing, except that resident memory after the first steps stays at the
 * step's peak rather than falling between steps. An array given back here reports {@code
 * wasClosed()}, so ND4J refuses to compute with it afterwards, just as with a closed array, and
 * freeing it twice is a no-op. Only arrays of at least {@link #MIN_BYTES} are pooled; the pool
 * holds at most its capacity ({@link Backend#poolBytes()}) and beyond that frees as before. A
 * buffer nobody took during the last {@link #MAX_AGE} steps is freed, so a change of batch size
 * does not leave the old sizes behind.
 */
final class BufferPool {
  /**
   * Arrays smaller than this come from and go to the C allocator directly (its bins reuse them).
   */
  static final long MIN_BYTES = 1L << 16;

  /** Steps a pooled buffer may wait for a taker before it is freed. */
  static final int MAX_AGE = 2;

  /** ND4J's {@code released} flag of an array, or null where this ND4J has none (no pooling). */
  private static final VarHandle RELEASED = releasedHandle();

  private final long capacity;
  private final Map<Long, ArrayDeque<DataBuffer>> free = new HashMap<>();
  private final Map<DataBuffer, Long> pooled = new IdentityHashMap<>(); // buffer -> step given
  private long step;
  private long pooledBytes;
  private long hits;
  private long misses;
  private boolean closed;

  /** A pool of at most {@code capacity} bytes (0 = none). */
  BufferPool(long capacity) {
    this.capacity = capacity;
  }

  /**
   * Whether pooling is on: a positive capacity, not closed, and ND4J arrays can be marked released.
   */
  synchronized boolean enabled() {
    return capacity > 0 && RELEASED != null && !closed;
  }

  /**
   * An uninitialised C-ordered array over a pooled buffer of the right type and length, or null.
   */
  INDArray take(DataType type, long[] shape) {
    long length = 1;
    for (long d : shape) {
      length *= d;
    }
    if (length * type.width() < MIN_BYTES) {
      return null;
    }
    DataBuffer buffer;
    synchronized (this) {
      if (!enabled()) {
        return null;
      }
      ArrayDeque<DataBuffer> q = free.get(key(type, length));
      buffer = q == null ? null : q.pollLast();
      if (buffer == null) {
        misses++;
        return null;
      }
      pooled.remove(buffer);
      pooledBytes -= length * type.width();
      hits++;
    }
    return Nd4j.create(buffer, shape, Nd4j.getStrides(shape, 'c'), 0, 'c', type);
  }

  /**
   * Takes over the buffer of an array about to be freed: the array is marked released and its
   * buffer kept for {@link #take}. Returns false (the caller then closes the array) for small
   * arrays, views, and when the pool is full or off.
   */
  boolean give(INDArray a) {
    long bytes = a.length() * a.dataType().width();
    DataBuffer buffer = a.data();
    if (bytes < MIN_BYTES
        || a.isView()
        || buffer.length() != a.length()
        || !(a instanceof BaseNDArray)) {
      return false;
    }
    synchronized (this) {
      if (!enabled()) {
        return false;
      }
      if (pooled.containsKey(buffer)) { // an alias of an array already given back
        RELEASED.set((BaseNDArray) a, true);
        return true;
      }
      if (pooledBytes + bytes > capacity) {
        return false;
      }
      free.computeIfAbsent(key(a.dataType(), a.length()), k -> new ArrayDeque<>()).addLast(buffer);
      pooled.put(buffer, step);
      pooledBytes += bytes;
    }
    RELEASED.set((BaseNDArray) a, true);
    return true;
  }

  /**
   * Ends a step: frees the buffers given back more than {@link #MAX_AGE} steps ago, not taken
   * since.
   */
  synchronized void endStep() {
    step++;
    for (var it = free.values().iterator(); it.hasNext(); ) {
      ArrayDeque<DataBuffer> q = it.next();
      while (!q.isEmpty() && step - pooled.get(q.peekFirst()) > MAX_AGE) { // oldest first
        release(q.pollFirst());
      }
      if (q.isEmpty()) {
        it.remove();
      }
    }
  }

  /** Frees every pooled buffer; the pool takes no more. */
  synchronized void close() {
    for (ArrayDeque<DataBuffer> q : free.values()) {
      for (DataBuffer b : q) {
        release(b);
      }
    }
    free.clear();
    closed = true;
  }

  private void release(DataBuffer b) {
    pooled.remove(b);
    pooledBytes -= b.length() * b.dataType().width();
    b.close();
  }

  /** Bytes held for reuse. */
  synchronized long pooledBytes() {
    return pooledBytes;
  }

  /** {allocations the pool served, allocations of pooled sizes it could not serve}. */
  synchronized long[] counts() {
    return new long[] {hits, misses};
  }

  private static Long key(DataType type, long length) {
    return length * 64 + type.ordinal();
  }

  private static VarHandle releasedHandle() {
    try {
      return MethodHandles.privateLookupIn(BaseNDArray.class, MethodHandles.lookup())
          .findVarHandle(BaseNDArray.class, "released", boolean.class);
    } catch (ReflectiveOperationException | RuntimeException e) { // another ND4J: no pooling
      return null;
    }
  }
}
