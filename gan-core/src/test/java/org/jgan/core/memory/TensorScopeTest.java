package org.jgan.core.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jgan.core.nn.Linear;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.testing.LeakCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

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
