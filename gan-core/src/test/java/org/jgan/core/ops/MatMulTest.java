package org.jgan.core.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.jgan.core.autograd.Autograd;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.tensor.TensorScope;
import org.jgan.core.testing.LeakCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The matrix product's factor {@code alpha}, by hand on 2x2 matrices: it must reach the kernel in
 * the forward pass and both gradients (a factor lost in both would pass a finite-difference check).
 */
class MatMulTest {
  private static final double[] A = {1, 2, 3, 4};
  private static final double[] B = {5, 6, 7, 8};

  @AfterEach
  void noLeak() {
    LeakCheck.assertNoOpenScope();
  }

  @Test
  void alphaScalesTheProductAndBothGradients() {
    for (DType type : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
      try (TensorScope s = TensorScope.open()) {
        Tensor a = Tensor.leaf(Tensor.of(A, 2, 2).to(type).data().dup(), true);
        Tensor b = Tensor.leaf(Tensor.of(B, 2, 2).to(type).data().dup(), true);
        Tensor c = a.matmul(b, false, false, 0.5);
        // A B = [[19, 22], [43, 50]]
        assertArrayEquals(new double[] {9.5, 11, 21.5, 25}, c.toDoubleArray(), 1e-6, type.name());
        List<Tensor> g = Autograd.grad(List.of(c.sum()), List.of(a, b), null, false);
        // dA = alpha 1 B^T = 0.5 [[11, 15], [11, 15]], dB = alpha A^T 1 = 0.5 [[4, 4], [6, 6]]
        assertArrayEquals(new double[] {5.5, 7.5, 5.5, 7.5}, g.get(0).toDoubleArray(), 1e-6);
        assertArrayEquals(new double[] {2, 2, 3, 3}, g.get(1).toDoubleArray(), 1e-6);
      }
    }
  }

  @Test
  void alphaWithBothOperandsTransposed() {
    try (TensorScope s = TensorScope.open()) {
      Tensor a = Tensor.leaf(Tensor.of(A, 2, 2).data().dup(), true);
      Tensor b = Tensor.leaf(Tensor.of(B, 2, 2).data().dup(), true);
      Tensor c = a.matmul(b, true, true, -2.0);
      // A^T B^T = [[23, 31], [34, 46]]
      assertArrayEquals(new double[] {-46, -62, -68, -92}, c.toDoubleArray(), 1e-12);
      List<Tensor> g = Autograd.grad(List.of(c.sum()), List.of(a, b), null, false);
      // C[i][j] = sum_k A[k][i] B[j][k]: dA[k][i] = column sum k of B (12, 14), dB[j][k] = row
      // sum k of A (3, 7)
      assertArrayEquals(new double[] {-24, -24, -28, -28}, g.get(0).toDoubleArray(), 1e-12);
      assertArrayEquals(new double[] {-6, -14, -6, -14}, g.get(1).toDoubleArray(), 1e-12);
    }
  }

  @Test
  void aFactorThatIsNotFiniteIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new MatMul(false, false, Double.NaN));
  }
}
