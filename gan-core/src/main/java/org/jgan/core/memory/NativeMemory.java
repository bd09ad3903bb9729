package org.jgan.core.memory;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Structure;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.javacpp.Pointer;

/**
 * How much native memory the process uses, for leak checks and logs. {@link #mallocBytes()} asks
 * glibc ({@code mallinfo2}: bytes in use in the heap plus in mmapped chunks), which is where
 * libnd4j's arrays live; it is exact and unaffected by the JVM's own heap. Where glibc's call is
 * unavailable it falls back to the resident set size.
 */
public final class NativeMemory {
  /** glibc's allocator variables that the {@code gan} launcher sets for speed (docs/usage.md). */
  public static final List<String> ALLOCATOR_VARIABLES =
      List.of("MALLOC_ARENA_MAX", "MALLOC_MMAP_MAX_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_");

  private static final CLib LIBC = load();
  private static final long GC_EVERY_ARRAYS = Long.getLong("jgan.gcEveryArrays", 50_000);
  private static final java.util.concurrent.atomic.AtomicLong LAST_COLLECTION = new java.util.concurrent.atomic.AtomicLong();
  private static final java.util.concurrent.atomic.AtomicBoolean HINTED = new java.util.concurrent.atomic.AtomicBoolean();

  private NativeMemory() {}

  /** Bytes allocated by malloc and not yet freed, or the resident set size if unavailable. */
  public static long mallocBytes() {
    if (LIBC == null) {
      return residentBytes();
    }
    MallInfo2 m = LIBC.mallinfo2();
    return m.uordblks + m.hblkhd;
  }

  /**
   * Bytes of the arrays the library allocated and has not freed explicitly: parameters, optimiser
   * state, what the open scopes hold, and arrays made outside any scope (left to the garbage
   * collector, which this count does not see). Between training steps it is constant.
   */
  public static long liveArrayBytes() {
    return org.jgan.core.ops.Kernels.liveBytes();
  }

  /**
   * Runs a full garbage collection if at least {@code jgan.gcEveryArrays} fresh buffers (default
   * 50,000; 0 turns this off; buffers reused from {@link BufferPool} do not count) were allocated
   * since the last one. Closing the outermost {@link TensorScope}
   * calls it, so a loop of scoped steps needs nothing more. Why: ND4J keeps
   * several Java objects per array (its deallocator's weak reference, held in a map, with the
   * native buffer's handles) until the array's Java object is collected, even when the library
   * has freed the memory explicitly. Under G1 these overflow the survivor space into the old
   * generation, which is collected only when it is nearly full, so a long run's heap (and resident
   * memory) climbs to {@code -Xmx}, and the young collections that copy them cost more than this
   * full collection does. Measured in docs/reliability.md.
   *
   * @return whether it collected
   */
  public static boolean collectIfDue() {
    long made = org.jgan.core.ops.Kernels.freshAllocations();
    long last = LAST_COLLECTION.get();
    if (GC_EVERY_ARRAYS <= 0 || made - last < GC_EVERY_ARRAYS || !LAST_COLLECTION.compareAndSet(last, made)) {
      return false;
    }
    System.gc();
    return true;
  }

  /**
   * The allocator variables of this process as {@code NAME=value} separated by spaces, or {@code
   * "glibc defaults"} when none is set.
   */
  public static String allocatorSettings() {
    StringBuilder b = new StringBuilder();
    for (String v : ALLOCATOR_VARIABLES) {
      String value = System.getenv(v);
      if (value != null) {
        b.append(b.length() == 0 ? "" : " ").append(v).append('=').append(value);
      }
    }
    return b.length() == 0 ? "glibc defaults" : b.toString();
  }

  /**
   * Logs once, on glibc without {@code MALLOC_ARENA_MAX}, that training runs faster with the
   * allocator variables of the {@code gan} launcher. Called when the first array is allocated
   * (when {@link BufferPool} loads).
   */
  static void hintOnce() {
    if (!HINTED.getAndSet(true) && LIBC != null && System.getenv("MALLOC_ARENA_MAX") == null) {
      org.slf4j.LoggerFactory.getLogger(NativeMemory.class).info(
          "glibc's allocator runs with its defaults: convolutions page-fault their temporaries in anew on every"
              + " call. Setting MALLOC_ARENA_MAX=1 MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=4294967296"
              + " MALLOC_TOP_PAD_=67108864 before starting the JVM (as the gan launcher does) made a StyleGAN2"
              + " training step 14% faster; see docs/usage.md.");
    }
  }

  /** Whether {@link #mallocBytes()} is exact (glibc) rather than the resident set size. */
  public static boolean isExact() {
    return LIBC != null;
  }

  /** The process's resident set size in bytes. */
  public static long residentBytes() {
    return Pointer.physicalBytes();
  }

  private static CLib load() {
    try {
      CLib lib = Native.loadLibrary("c", CLib.class);
      lib.mallinfo2();
      return lib;
    } catch (Throwable e) { // no glibc 2.33+, no JNA: fall back to RSS
      return null;
    }
  }

  /** The part of libc used here. */
  public interface CLib extends Library {
    /** glibc's allocator statistics. */
    MallInfo2 mallinfo2();
  }

  /** {@code struct mallinfo2}: ten {@code size_t} fields. */
  public static final class MallInfo2 extends Structure implements Structure.ByValue {
    public long arena;
    public long ordblks;
    public long smblks;
    public long hblks;
    public long hblkhd;
    public long usmblks;
    public long fsmblks;
    public long uordblks;
    public long fordblks;
    public long keepcost;

    @Override
    protected List<String> getFieldOrder() {
      return Arrays.asList(
          "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost");
    }
  }
}
