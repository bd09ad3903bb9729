package org.jgan.core.kernels;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What runs the library's kernels: one immutable description, built once by the caller (or by the
 * command line from its flags), made live by an {@link Engine} and recorded in every run's
 * provenance. Nothing else switches kernels, pooling or in-place updates: there are no system
 * properties behind it.
 *
 * <pre>{@code
 * Backend b = Backend.cpu().withWinograd(false);   // compare against libnd4j's direct kernels
 * try (Engine engine = Engine.start(b)) {
 *   ... train or sample ...
 * }
 * }</pre>
 *
 * <p>None of these settings changes what is computed beyond float32 rounding: Winograd's
 * convolutions differ from the direct ones by about {@code 3e-6} of the largest output, the others
 * not at all. Each exists to compare speed or memory, or to rule a fast path out when hunting a
 * wrong value.
 *
 * @param device where arrays live and kernels run; only {@link Device#CPU} exists today
 *     (docs/architecture.md says what a CUDA device would change)
 * @param winograd 3x3 stride-1 float32 convolutions on oneDNN's Winograd kernels where the machine
 *     has them (AVX-512), direct kernels otherwise (true)
 * @param oneDnn the other float32 convolutions (every direction) on oneDNN's direct kernels called
 *     with each shape's primitive made once and kept, rather than through libnd4j, which makes one
 *     per call (true)
 * @param inPlace element-wise updates into a fresh result's own array where no graph is recorded
 *     (the synthesis layer's demodulation, noise, bias and activation; true)
 * @param poolBytes bytes of freed buffers kept for reuse by arrays of the same type and length (4
 *     GiB; 0 = no pooling)
 * @param gcEveryArrays a full garbage collection between steps after this many freshly allocated
 *     buffers, to collect ND4J's per-array Java objects (50,000; 0 = never; docs/reliability.md)
 * @param trackAllocations remember where each live array was allocated, for finding leaks (slow;
 *     false)
 */
public record Backend(
    Device device,
    boolean winograd,
    boolean oneDnn,
    boolean inPlace,
    long poolBytes,
    long gcEveryArrays,
    boolean trackAllocations) {

  /** Where arrays live and kernels run. */
  public enum Device {
    /** ND4J's native CPU build ({@code nd4j-native}, classifier {@code linux-x86_64-onednn}). */
    CPU
  }

  /** Validates the values. */
  public Backend {
    if (device == null) {
      throw new IllegalArgumentException("a backend needs a device, got null");
    }
    if (poolBytes < 0) {
      throw new IllegalArgumentException(
          "poolBytes must be >= 0 (0 = no pooling), got " + poolBytes);
    }
    if (gcEveryArrays < 0) {
      throw new IllegalArgumentException(
          "gcEveryArrays must be >= 0 (0 = never), got " + gcEveryArrays);
    }
  }

  /**
   * The default: the CPU with every fast path on, a 4 GiB pool, a collection every 50,000 buffers.
   */
  public static Backend cpu() {
    return new Backend(Device.CPU, true, true, true, 4L << 30, 50_000, false);
  }

  /** This backend with Winograd convolutions on or off. */
  public Backend withWinograd(boolean on) {
    return new Backend(device, on, oneDnn, inPlace, poolBytes, gcEveryArrays, trackAllocations);
  }

  /** This backend with the other convolutions on oneDNN's cached primitives or on libnd4j. */
  public Backend withOneDnn(boolean on) {
    return new Backend(device, winograd, on, inPlace, poolBytes, gcEveryArrays, trackAllocations);
  }

  /** This backend with in-place updates on or off. */
  public Backend withInPlace(boolean on) {
    return new Backend(device, winograd, oneDnn, on, poolBytes, gcEveryArrays, trackAllocations);
  }

  /** This backend with another pool capacity (0 = no pooling). */
  public Backend withPoolBytes(long bytes) {
    return new Backend(device, winograd, oneDnn, inPlace, bytes, gcEveryArrays, trackAllocations);
  }

  /** This backend collecting every {@code arrays} fresh buffers (0 = never). */
  public Backend withGcEveryArrays(long arrays) {
    return new Backend(device, winograd, oneDnn, inPlace, poolBytes, arrays, trackAllocations);
  }

  /** This backend with allocation sites tracked or not. */
  public Backend withTrackAllocations(boolean on) {
    return new Backend(device, winograd, oneDnn, inPlace, poolBytes, gcEveryArrays, on);
  }

  /** The settings as a map, for provenance and JSON. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("device", device.name().toLowerCase(Locale.ROOT));
    m.put("winograd", winograd);
    m.put("oneDnn", oneDnn);
    m.put("inPlace", inPlace);
    m.put("poolBytes", poolBytes);
    m.put("gcEveryArrays", gcEveryArrays);
    m.put("trackAllocations", trackAllocations);
    return m;
  }

  /** One line for logs and benchmark headers. */
  public String describe() {
    return String.format(
        Locale.ROOT,
        "%s, Winograd %s, oneDNN %s, in-place %s, pool %s, %s%s",
        device.name().toLowerCase(Locale.ROOT),
        winograd ? "on" : "off",
        oneDnn ? "on" : "off",
        inPlace ? "on" : "off",
        poolBytes == 0 ? "off" : (poolBytes >> 20) + " MiB",
        gcEveryArrays == 0 ? "no forced gc" : "gc every " + gcEveryArrays + " fresh buffers",
        trackAllocations ? ", allocation sites tracked" : "");
  }
}
