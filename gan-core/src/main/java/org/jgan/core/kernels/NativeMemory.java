package org.jgan.core.kernels;

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
 * unavailable it falls back to the resident set size. The bytes of the library's own live arrays
 * are {@link Engine#liveBytes()}.
 */
public final class NativeMemory {
  private static final CLib LIBC = load();

  private NativeMemory() {}

  /** Bytes allocated by malloc and not yet freed, or the resident set size if unavailable. */
  public static long mallocBytes() {
    if (LIBC == null) {
      return residentBytes();
    }
    MallInfo2 m = LIBC.mallinfo2();
    return m.uordblks + m.hblkhd;
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
    } catch (LinkageError | RuntimeException e) { // no glibc 2.33+, no JNA: fall back to RSS
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
          "arena",
          "ordblks",
          "smblks",
          "hblks",
          "hblkhd",
          "usmblks",
          "fsmblks",
          "uordblks",
          "fordblks",
          "keepcost");
    }
  }
}
