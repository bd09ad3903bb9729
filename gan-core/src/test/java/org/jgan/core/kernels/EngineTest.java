package org.jgan.core.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jgan.core.testing.LeakCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The backend record and the engine's installation: explicit, nested, per thread. */
class EngineTest {
  @AfterEach
  void nothingLeftInstalled() {
    LeakCheck.assertNoOpenScope();
  }

  @Test
  void theBackendIsAValueWithNamedChangesAndChecks() {
    Backend b = Backend.cpu();
    assertTrue(b.winograd() && b.oneDnn() && b.inPlace() && !b.trackAllocations());
    assertEquals(4L << 30, b.poolBytes());
    assertEquals(50_000, b.gcEveryArrays());
    Backend off =
        b.withWinograd(false)
            .withOneDnn(false)
            .withInPlace(false)
            .withPoolBytes(0)
            .withGcEveryArrays(0);
    assertEquals(new Backend(Backend.Device.CPU, false, false, false, 0, 0, false), off);
    assertEquals(Backend.cpu(), b, "withX returns a new value; the original is unchanged");
    assertEquals(
        "cpu, Winograd off, oneDNN off, in-place off, pool off, no forced gc", off.describe());
    Map<String, Object> m = off.toMap();
    assertEquals(false, m.get("winograd"));
    assertEquals(false, m.get("oneDnn"));
    assertEquals(0L, m.get("poolBytes"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> b.withPoolBytes(-1));
    assertTrue(e.getMessage().contains("poolBytes must be >= 0"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> b.withGcEveryArrays(-5));
    assertThrows(IllegalArgumentException.class, () -> new Engine(null));
  }

  @Test
  void enginesNestAndTheDefaultServesThreadsWithoutOne() {
    Engine outside = Engine.current();
    assertSame(Engine.defaultEngine(), outside);
    assertThrows(IllegalStateException.class, outside::close, "the default engine stays");
    try (Engine a = Engine.start(Backend.cpu().withInPlace(false))) {
      assertSame(a, Engine.current());
      assertFalse(Engine.current().backend().inPlace());
      try (Engine b = Engine.start(Backend.cpu())) {
        assertSame(b, Engine.current());
        assertThrows(IllegalStateException.class, a::close, "closing out of order");
      }
      assertSame(a, Engine.current(), "closing the inner engine reinstalls the outer");
    }
    assertSame(Engine.defaultEngine(), Engine.current());
  }

  @Test
  void oneEngineServesSeveralThreadsAndCountsForAll() throws Exception {
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try (Engine engine = Engine.start(Backend.cpu().withPoolBytes(0))) {
      Engine.Guard[] guard = new Engine.Guard[1];
      Future<Engine> seen =
          pool.submit(
              () -> {
                guard[0] = engine.install();
                INDArray a = Kernels.alloc(DataType.FLOAT, 4);
                Kernels.free(a);
                return Engine.current();
              });
      assertSame(engine, seen.get(), "installed on the other thread");
      assertEquals(1, engine.stats().allocations(), "the other thread's allocation counts here");
      IllegalStateException e = assertThrows(IllegalStateException.class, guard[0]::close);
      assertTrue(e.getMessage().contains("thread that installed it"), e.getMessage());
      pool.submit(() -> guard[0].close()).get();
      assertSame(Engine.defaultEngine(), pool.submit(Engine::current).get(), "uninstalled there");
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void provenanceNamesTheBackendAndTheMachinesSettings() {
    try (Engine engine = Engine.start(Backend.cpu().withWinograd(false))) {
      Map<String, Object> p = engine.provenance();
      assertEquals(false, p.get("winograd"));
      assertEquals("oneDNN direct (Winograd off in the backend)", p.get("convolution3x3"));
      assertEquals(Platform.ompThreads(), p.get("ompThreads"));
      assertTrue(engine.describe().startsWith("cpu, Winograd off"), engine.describe());
      assertFalse(engine.winogradAvailable());
    }
  }

  @Test
  void allocationSitesAreTrackedOnlyWhenAsked() {
    try (Engine engine = Engine.start(Backend.cpu().withTrackAllocations(true))) {
      INDArray a = Kernels.alloc(DataType.FLOAT, 3);
      Map<String, Integer> sites = engine.liveAllocationSites();
      assertEquals(1, sites.size(), sites.toString());
      assertTrue(sites.keySet().iterator().next().contains("EngineTest"), sites.toString());
      Kernels.free(a);
      assertTrue(engine.liveAllocationSites().isEmpty());
    }
    try (Engine engine = Engine.start(Backend.cpu())) {
      INDArray a = Kernels.alloc(DataType.FLOAT, 3);
      assertTrue(engine.liveAllocationSites().isEmpty());
      Kernels.free(a);
    }
  }
}
