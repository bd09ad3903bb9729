package org.jgan.core.kernels;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.LoggerFactory;

/**
 * What the process runs on, read from its environment for provenance and benchmark headers: the
 * OpenMP threads, glibc's allocator variables, the Java version. These are readings; nothing here
 * switches behaviour (that is {@link Backend}'s job), and this is the only class of the library
 * that reads environment variables or system properties.
 */
public final class Platform {
  /** glibc's allocator variables that the {@code gan} launcher sets for speed (docs/usage.md). */
  public static final List<String> ALLOCATOR_VARIABLES =
      List.of("MALLOC_ARENA_MAX", "MALLOC_MMAP_MAX_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_");

  private static final AtomicBoolean HINTED = new AtomicBoolean();

  private Platform() {}

  /**
   * The OpenMP threads libnd4j's kernels run on: {@code OMP_NUM_THREADS} as set when the process
   * started, or the core count when unset (OpenMP's default).
   */
  public static int ompThreads() {
    String v = System.getenv("OMP_NUM_THREADS");
    try {
      return v == null ? cores() : Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      return cores();
    }
  }

  /** Processors available to the JVM. */
  public static int cores() {
    return Runtime.getRuntime().availableProcessors();
  }

  /** The Java runtime's version. */
  public static String javaVersion() {
    return System.getProperty("java.version");
  }

  /**
   * Each of {@link #ALLOCATOR_VARIABLES} with its value in this process, the empty string where it
   * is unset (as a child process reports it), in that order.
   */
  public static Map<String, String> allocatorVariables() {
    Map<String, String> m = new LinkedHashMap<>();
    for (String v : ALLOCATOR_VARIABLES) {
      String value = System.getenv(v);
      m.put(v, value == null ? "" : value);
    }
    return m;
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
   * Logs once per process, on glibc without {@code MALLOC_ARENA_MAX}, that training runs faster
   * with the allocator variables of the {@code gan} launcher (docs/usage.md has the figures).
   */
  static void hintAllocatorOnce() {
    if (NativeMemory.isExact()
        && System.getenv("MALLOC_ARENA_MAX") == null
        && !HINTED.getAndSet(true)) {
      LoggerFactory.getLogger(Platform.class)
          .info(
              "glibc's allocator runs with its defaults: convolutions page-fault their temporaries"
                  + " in anew on every call. Set MALLOC_ARENA_MAX=1 MALLOC_MMAP_MAX_=0"
                  + " MALLOC_TRIM_THRESHOLD_=4294967296 MALLOC_TOP_PAD_=67108864 before starting"
                  + " the JVM, as the gan launcher does (docs/usage.md).");
    }
  }
}
