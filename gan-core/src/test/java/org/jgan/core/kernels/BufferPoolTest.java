package org.jgan.core.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.tensor.TensorScope;
import org.jgan.core.testing.LeakCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The buffer pool of an engine: reuse by type and length, ageing, and nothing shared between
 * engines.
 */
class BufferPoolTest {
  private static final long BIG = BufferPool.MIN_BYTES / 4; // floats in the smallest pooled array

  private Engine engine;

  @BeforeEach
  void freshEngine() {
    engine = Engine.start(Backend.cpu());
    assertTrue(engine.pool().enabled(), "pooling should be on by default with ND4J M2.1");
  }

  @AfterEach
  void noLeak() {
    engine.close();
    LeakCheck.assertNoOpenScope();
  }

  private long pooled() {
    return engine.stats().pooledBytes();
  }

  @Test
  void aFreedBufferServesTheNextArrayOfItsTypeAndLengthWhateverTheShape() {
    INDArray a = Kernels.alloc(DataType.FLOAT, 2, BIG / 2);
    DataBuffer buffer = a.data();
    Kernels.free(a);
    assertEquals(BIG * 4, pooled());
    assertTrue(a.wasClosed(), "a freed array must report closed");

    INDArray otherType = Kernels.alloc(DataType.DOUBLE, BIG);
    assertNotSame(buffer, otherType.data(), "same length, other type: not from the pool");
    assertEquals(BIG * 4, pooled());
    INDArray b = Kernels.alloc(DataType.FLOAT, BIG / 4, 4);
    assertSame(buffer, b.data());
    assertArrayEquals(new long[] {BIG / 4, 4}, b.shape());
    assertEquals('c', b.ordering());
    assertFalse(b.isView());
    assertFalse(b.wasClosed());
    assertEquals(0, pooled());
    b.assign(3.0);
    assertEquals(3.0 * BIG, b.sumNumber().doubleValue(), 0);
    Kernels.free(b);
    Kernels.free(otherType);
  }

  @Test
  void freeingTwiceOrFreeingAStaleArrayNeverHandsOneBufferOutTwice() {
    INDArray a = Kernels.alloc(DataType.FLOAT, BIG);
    Kernels.free(a);
    Kernels.free(a); // already released: a no-op
    assertEquals(BIG * 4, pooled());
    INDArray b = Kernels.alloc(DataType.FLOAT, BIG);
    INDArray c = Kernels.alloc(DataType.FLOAT, BIG);
    assertNotSame(b.data(), c.data());
    Kernels.free(a); // stale handle of b's buffer: still a no-op
    assertEquals(0, pooled());
    Kernels.free(b);
    Kernels.free(c);
  }

  @Test
  void smallArraysAndViewsAreNotPooled() {
    INDArray small = Kernels.alloc(DataType.FLOAT, 8);
    Kernels.free(small);
    assertEquals(0, pooled());
    assertTrue(small.wasClosed());
    INDArray a = Kernels.alloc(DataType.FLOAT, 2, BIG);
    INDArray row = a.getRow(0);
    assertFalse(engine.pool().give(row));
    Kernels.free(a);
    assertEquals(2 * BIG * 4, pooled());
  }

  @Test
  void aTensorFreedWithItsScopeFailsClearlyEvenThoughItsBufferLivesOn() {
    Tensor t;
    try (TensorScope s = TensorScope.open()) {
      t = Tensor.ones(DType.FLOAT32, BIG).mul(2.0);
    }
    assertTrue(pooled() > 0);
    IllegalStateException e = assertThrows(IllegalStateException.class, t::data);
    assertTrue(e.getMessage().contains("freed when its TensorScope closed"), e.getMessage());
  }

  @Test
  void stepsInAScopeReuseTheirBuffersAndComputeTheSameValues() {
    double[] sums = new double[3];
    for (int i = 0; i < sums.length; i++) {
      try (TensorScope s = TensorScope.open()) {
        Tensor x = Tensor.ones(DType.FLOAT32, 4, BIG).mul(0.5);
        sums[i] = x.add(x.square()).sum().item();
      }
    }
    assertEquals(4 * BIG * 0.75, sums[0], 0);
    assertEquals(sums[0], sums[1], 0);
    assertEquals(sums[0], sums[2], 0);
    assertTrue(
        engine.stats().poolHits() >= 6,
        "the second and third steps take their arrays from the pool");
  }

  @Test
  void aBufferNoStepTakesIsFreedAfterMaxAgeSteps() {
    INDArray a = Kernels.alloc(DataType.FLOAT, BIG);
    Kernels.free(a);
    for (int i = 0; i < BufferPool.MAX_AGE; i++) {
      try (TensorScope s = TensorScope.open()) { // a step that wants other sizes
        Tensor.ones(DType.FLOAT32, 2 * BIG).mul(2.0);
      }
      assertEquals(BIG * 4 + 2 * (2 * BIG * 4), pooled(), "kept for " + (i + 1) + " steps");
    }
    engine.endStep();
    assertEquals(2 * (2 * BIG * 4), pooled(), "only the last step's two arrays are left");
  }

  @Test
  void closingTheEngineReturnsEverything() {
    INDArray a = Kernels.alloc(DataType.FLOAT, BIG);
    DataBuffer buffer = a.data();
    Kernels.free(a);
    assertFalse(buffer.wasClosed(), "pooled, not freed");
    engine.close();
    assertEquals(0, pooled());
    assertTrue(buffer.wasClosed(), "freed when the engine closed");
    engine = Engine.start(Backend.cpu()); // for noLeak()
  }

  @Test
  void aBackendWithoutPoolingFreesAtOnce() {
    try (Engine off = Engine.start(Backend.cpu().withPoolBytes(0))) {
      INDArray a = Kernels.alloc(DataType.FLOAT, BIG);
      DataBuffer buffer = a.data();
      Kernels.free(a);
      assertTrue(buffer.wasClosed(), "no pool: freed at once");
      assertEquals(0, off.stats().pooledBytes());
    }
  }

  @Test
  void twoEnginesShareNoBuffersAndNoCounts() {
    INDArray a = Kernels.alloc(DataType.FLOAT, BIG);
    Kernels.free(a); // into this test's engine
    try (Engine other = Engine.start(Backend.cpu())) {
      assertEquals(0, other.stats().pooledBytes());
      assertEquals(0, other.stats().allocations());
      INDArray b = Kernels.alloc(DataType.FLOAT, BIG);
      assertNotSame(a.data(), b.data(), "the other engine's pool is its own");
      assertEquals(1, other.stats().allocations());
      Kernels.free(b);
    }
    assertSame(engine, Engine.current(), "closing the inner engine reinstalls the outer one");
    assertEquals(BIG * 4, pooled());
  }
}
