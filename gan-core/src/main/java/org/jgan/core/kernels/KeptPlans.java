package org.jgan.core.kernels;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.bytedeco.dnnl.primitive_desc;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * oneDNN primitives kept per key, at most {@code limit}, the least recently used closed and dropped
 * beyond; a key oneDNN has no kernel for (its plan's constructor threw) is remembered as such, so
 * that each shape is tried once. Thread-safe; after {@link #close()} every lookup answers null.
 *
 * @param <K> what a plan computes (shape, direction, algorithm)
 * @param <P> the plan
 */
final class KeptPlans<K, P extends KeptPlans.Plan> {
  private static final Logger LOG = LoggerFactory.getLogger(KeptPlans.class);

  /** A plan: native objects freed by {@link #close()}. */
  interface Plan {
    /** Frees the plan's native objects; a plan closed while another thread runs it refuses. */
    void close();
  }

  private static final Object UNSUPPORTED = new Object();

  /**
   * oneDNN's name for the kernel of {@code pd}; throws (the plan is then remembered as unsupported)
   * where that is its naive reference kernel ({@code ref:...}), which runs many times slower than
   * libnd4j's ops (convolutions: than im2col and GEMM; element-wise: 15-250x slower than its JIT
   * kernels, measured).
   */
  static String fastKernel(primitive_desc pd, Object key) {
    String impl = pd.impl_info_str().getString();
    if (impl.startsWith("ref")) {
      throw new IllegalStateException("only oneDNN's reference kernel (" + impl + ") for " + key);
    }
    LOG.debug("oneDNN plan {}: {}", key, impl);
    return impl;
  }

  private final Map<K, Object> plans;
  private boolean closed;

  /** At most {@code limit} plans. */
  KeptPlans(int limit) {
    this.plans =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<K, Object> eldest) {
            if (size() > limit) {
              closeIfPlan(eldest.getValue());
              return true;
            }
            return false;
          }
        };
  }

  /**
   * The plan for {@code key}, made by {@code make} on first use; null where {@code make} threw (now
   * or before: no kernel for it), or after {@link #close()}.
   */
  @SuppressWarnings("unchecked")
  P get(K key, Function<K, P> make) {
    synchronized (plans) {
      if (closed) {
        return null;
      }
      Object p = plans.get(key);
      if (p == null) {
        try {
          p = make.apply(key);
        } catch (RuntimeException e) {
          LOG.debug("no oneDNN kernel for {}: {}", key, e.getMessage());
          p = UNSUPPORTED;
        }
        plans.put(key, p);
      }
      return p == UNSUPPORTED ? null : (P) p;
    }
  }

  /** Frees every plan; later lookups answer null. */
  void close() {
    synchronized (plans) {
      closed = true;
      for (Object p : plans.values()) {
        closeIfPlan(p);
      }
      plans.clear();
    }
  }

  private static void closeIfPlan(Object p) {
    if (p instanceof Plan plan) {
      plan.close();
    }
  }
}
