package org.jgan.core.memory;

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
 * Native buffers freed by a {@link TensorScope}, kept for the next array of the same type and
 * length (after SameDiff's {@code ArrayCacheMemoryMgr} and PyTorch's caching allocator).
 *
 * <p>Why: a training step allocates the same large arrays every time, and memory fresh from the
 * C allocator (glibc serves large blocks by {@code mmap}, and returns them on free) is zeroed and
 * mapped by the kernel page by page on first touch. On the SG2-32 twin page faults took 18% of the
 * CPU time (3.5 million in a 19 s profile run), with libnd4j's own temporaries, which only the
 * allocator settings of docs/usage.md reach. A buffer from this pool is already mapped.
 *
 * <p>What a user sees: nothing, except that resident memory after the first steps stays at the
 * step's peak rather than falling between steps. An array given back here reports {@code
 * wasClosed()}, so ND4J refuses to compute with it afterwards, just as with a closed array, and
 * freeing it twice is a no-op. Only arrays of at least {@link #MIN_BYTES} are pooled; the pool holds
 * at most {@code jgan.poolBytes} bytes (default 4 GiB; {@code 0} turns pooling off) and beyond that
 * frees as before. A buffer nobody took during the last {@link #MAX_AGE} steps (closes of an
 * outermost {@link TensorScope}) is freed, so a change of batch size does not leave the old
 * sizes behind. {@link #clear()} returns everything to the C allocator.
 */
public final class BufferPool {
  /** Arrays smaller than this come from and go to the C allocator directly (its bins reuse them). */
  public static final long MIN_BYTES = 1L << 16;

  /** Steps a pooled buffer may wait for a taker before it is freed. */
  public static final int MAX_AGE = 2;

  private static final long CAPACITY = Long.getLong("jgan.poolBytes", 4L << 30);
  private static final VarHandle RELEASED = releasedHandle();
  private static final Map<Long, ArrayDeque<DataBuffer>> FREE = new HashMap<>();
  private static final Map<DataBuffer, Long> POOLED = new IdentityHashMap<>(); // buffer -> step given
  private static long step;
  private static long pooledBytes;
  private static long hits;
  private static long misses;

  static {
    NativeMemory.hintOnce();
  }

  private BufferPool() {}

  /** Whether pooling is on: {@code jgan.poolBytes} is positive and ND4J's arrays can be marked released. */
  public static boolean enabled() {
    return CAPACITY > 0 && RELEASED != null;
  }

  /**
   * An uninitialised C-ordered array over a pooled buffer of the right type and length, or null
   * when there is none.
   */
  public static INDArray take(DataType type, long[] shape) {
    long length = 1;
    for (long d : shape) {
      length *= d;
    }
    if (!enabled() || length * type.width() < MIN_BYTES) {
      return null;
    }
    DataBuffer buffer;
    synchronized (FREE) {
      ArrayDeque<DataBuffer> q = FREE.get(key(type, length));
      buffer = q == null ? null : q.pollLast();
      if (buffer == null) {
        misses++;
        return null;
      }
      POOLED.remove(buffer);
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
  public static boolean give(INDArray a) {
    long bytes = a.length() * a.dataType().width();
    DataBuffer buffer = a.data();
    if (!enabled() || bytes < MIN_BYTES || a.isView() || buffer.length() != a.length() || !(a instanceof BaseNDArray)) {
      return false;
    }
    synchronized (FREE) {
      if (POOLED.containsKey(buffer)) { // an alias of an array already given back
        RELEASED.set((BaseNDArray) a, true);
        return true;
      }
      if (pooledBytes + bytes > CAPACITY) {
        return false;
      }
      FREE.computeIfAbsent(key(a.dataType(), a.length()), k -> new ArrayDeque<>()).addLast(buffer);
      POOLED.put(buffer, step);
      pooledBytes += bytes;
    }
    RELEASED.set((BaseNDArray) a, true);
    return true;
  }

  /**
   * Ends a step: frees the buffers given back more than {@link #MAX_AGE} steps ago and not taken
   * since. {@link TensorScope} calls it when an outermost scope closes.
   */
  public static void endStep() {
    synchronized (FREE) {
      step++;
      for (var it = FREE.values().iterator(); it.hasNext(); ) {
        ArrayDeque<DataBuffer> q = it.next();
        while (!q.isEmpty() && step - POOLED.get(q.peekFirst()) > MAX_AGE) { // oldest first
          DataBuffer b = q.pollFirst();
          POOLED.remove(b);
          pooledBytes -= b.length() * b.dataType().width();
          b.close();
        }
        if (q.isEmpty()) {
          it.remove();
        }
      }
    }
  }

  /** Frees every pooled buffer. */
  public static void clear() {
    synchronized (FREE) {
      for (ArrayDeque<DataBuffer> q : FREE.values()) {
        for (DataBuffer b : q) {
          b.close();
        }
      }
      FREE.clear();
      POOLED.clear();
      pooledBytes = 0;
    }
  }

  /** Bytes held for reuse. */
  public static long pooledBytes() {
    synchronized (FREE) {
      return pooledBytes;
    }
  }

  /** {pooled allocations, allocations the pool could not serve} since the JVM started (pooled sizes only). */
  public static long[] counts() {
    synchronized (FREE) {
      return new long[] {hits, misses};
    }
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
