package org.jgan.examples.bench;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jgan.core.kernels.Platform;
import org.junit.jupiter.api.Test;

/**
 * The twins benchmark refuses a PyTorch peer that would flatter the library (the reference BLAS, a
 * BLAS it cannot name, other allocator settings) and names the one it accepts.
 */
class PeerCheckTest {
  /** What {@code twins.py env} reports, with this process's allocator variables. */
  private static Map<String, Object> env(List<String> blas, String library) {
    Map<String, Object> vars = new HashMap<>(Platform.allocatorVariables());
    vars.put("OMP_NUM_THREADS", "2");
    vars.put("OPENBLAS_NUM_THREADS", "1");
    Map<String, Object> m = new HashMap<>();
    m.put("blas", blas);
    m.put("blasLibraries", List.of(library));
    m.put("onednn", "Intel(R) MKL-DNN v2.6.3");
    m.put("env", vars);
    return m;
  }

  @Test
  void openBlasIsAPeerAndTheLineSaysWhatRan() {
    String line =
        PytorchPeer.checkPeer(
            env(
                List.of("OpenBLAS"),
                "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblasp-r0.3.21.so"));
    assertTrue(line.contains("BLAS OpenBLAS") && line.contains("libopenblasp"), line);
    assertTrue(line.contains("MKL-DNN v2.6.3") && line.contains("OPENBLAS_NUM_THREADS 1"), line);
  }

  @Test
  void theReferenceBlasAndUnknownOnesAreRefusedWithTheFix() {
    for (String kind : List.of("reference", "unknown", "none mapped")) {
      IllegalStateException e =
          assertThrows(
              IllegalStateException.class,
              () ->
                  PytorchPeer.checkPeer(
                      env(List.of(kind), "/usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0")));
      assertTrue(
          e.getMessage().contains("apt-get install -y libopenblas0-pthread"), e.getMessage());
      assertTrue(e.getMessage().contains(kind), e.getMessage());
    }
  }

  @Test
  void otherAllocatorSettingsAreRefused() {
    Map<String, Object> m = env(List.of("OpenBLAS"), "/x/libopenblas.so");
    @SuppressWarnings("unchecked")
    Map<String, Object> vars = (Map<String, Object>) m.get("env");
    vars.put("MALLOC_ARENA_MAX", "7");
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> PytorchPeer.checkPeer(m));
    assertTrue(e.getMessage().contains("MALLOC_ARENA_MAX=7"), e.getMessage());
  }
}
