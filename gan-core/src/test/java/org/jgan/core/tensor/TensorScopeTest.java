package org.jgan.core.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import org.jgan.core.kernels.Backend;
import org.jgan.core.kernels.Engine;
import org.jgan.core.kernels.Kernels;
import org.jgan.core.nn.Linear;
import org.jgan.core.testing.LeakCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class TensorScopeTest {
  @AfterEach
  void noLeak() {
    LeakCheck.assertNoOpenScope();
  }

  @Test
  void closingFreesEverythingMadeInsideAndReadsFailClearly() {
    Tensor inside;
    try (TensorScope s = TensorScope.open()) {
      inside = Tensor.ones(DType.FLOAT32, 3).mul(2.0).exp();
      assertTrue(s.size() >= 3);
    }
    IllegalStateException e = assertThrows(IllegalStateException.class, inside::data);
    assertTrue(e.getMessage().contains("freed when its TensorScope closed"), e.getMessage());
  }

  @Test
  void keepMovesValuesToTheEnclosingScope() {
    Tensor kept;
    try (TensorScope outer = TensorScope.open()) {
      try (TensorScope inner = TensorScope.open()) {
        kept = inner.keep(Tensor.ones(DType.FLOAT32, 2).mul(3.0));
      }
      assertEquals(6.0, kept.sum().item(), 0);
    }
    assertThrows(IllegalStateException.class, kept::data);
  }

  @Test
  void viewsOfParametersAndPermutedTensorsAreNeverFreed() {
    Linear l = new Linear(3, 4, new Rng(1));
    Tensor permutedKept;
    try (TensorScope s = TensorScope.open()) {
      l.weight().value().reshape(12).sum();
      l.weight().value().permute(1, 0).mul(1.0);
      Tensor scoped = Tensor.ones(DType.FLOAT32, 2, 3);
      permutedKept = s.keep(scoped.permute(1, 0)); // a view of a scoped array: copied
    }
    assertEquals(12, l.weight().value().toDoubleArray().length);
    assertEquals(6.0, permutedKept.sum().item(), 0);
  }

  @Test
  void closingTheOutermostScopeCollectsWhenTheBackendSays() {
    // ND4J's per-array bookkeeping lives on the Java heap until collected (Engine#endStep)
    for (long every : new long[] {5_000, 0}) {
      try (Engine engine = Engine.start(Backend.cpu().withGcEveryArrays(every))) {
        long before = fullCollections();
        for (int step = 0; step < 6; step++) {
          try (TensorScope s = TensorScope.open()) {
            long atOpen = engine.stats().collections();
            for (int i = 0; i < 1000; i++) {
              Tensor.ones(DType.FLOAT32, 2);
            }
            assertEquals(
                atOpen, engine.stats().collections(), "only between steps, never inside one");
          }
        }
        long expected = every == 0 ? 0 : 1;
        assertEquals(
            expected,
            engine.stats().collections(),
            "6,000 fresh arrays, a collection every " + every);
        if (every > 0) {
          assertTrue(fullCollections() > before, "the JVM saw the collection");
        }
      }
    }
  }

  @Test
  void aLeafGradientBelongsToTheScopeOfItsBackwardPass() {
    INDArray data = Kernels.full(DataType.FLOAT, 1.0, 3);
    Tensor x = Tensor.leaf(data, true);
    try (TensorScope s = TensorScope.open()) {
      x.mul(2.0).sum().backward();
      assertEquals(2.0, x.grad().toDoubleArray()[0], 0);
    }
    assertNull(x.grad(), "the gradient of a closed scope");
    try (TensorScope s = TensorScope.open()) {
      x.mul(3.0).sum().backward(); // starts again from zero
      assertEquals(3.0, x.grad().toDoubleArray()[0], 0);
    }
    Linear l = new Linear(2, 1, new Rng(1));
    try (TensorScope s = TensorScope.open()) {
      l.forward(Tensor.ones(DType.FLOAT32, 1, 2)).sum().backward();
    }
    assertNotNull(l.bias().value().grad(), "a parameter keeps its gradient across scopes");
    l.bias().zeroGrad();
    l.weight().zeroGrad();
    Kernels.free(data);
  }

  private static long fullCollections() {
    long n = 0;
    for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
      String name =
          b.getName(); // full collections: "G1 Old Generation", "MarkSweepCompact", "PS MarkSweep"
      if (name.contains("Old") || name.contains("MarkSweep")) {
        n += b.getCollectionCount();
      }
    }
    return n;
  }

  @Test
  void closingOutOfOrderIsAnError() {
    TensorScope outer = TensorScope.open();
    TensorScope inner = TensorScope.open();
    assertThrows(IllegalStateException.class, outer::close);
    inner.close();
    outer.close();
  }

  @Test
  void graphSavedTensorsDieWithTheScope() {
    Tensor x = Tensor.leaf(Tensor.of(new double[] {1, 2}, 2).data(), true);
    Tensor loss;
    try (TensorScope s = TensorScope.open()) {
      loss = x.exp().sum();
    }
    assertThrows(IllegalStateException.class, loss::backward);
  }
}
