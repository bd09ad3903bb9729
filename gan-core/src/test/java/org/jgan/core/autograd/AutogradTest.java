package org.jgan.core.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jgan.core.kernels.Kernels;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.testing.LeakCheck;
import org.jgan.core.testing.TensorAssert;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The engine's semantics, after {@code torch.autograd}: small cases computed by hand. */
class AutogradTest {
  private static Tensor leaf(double... v) {
    return Tensor.leaf(Tensor.of(v, v.length).data(), true);
  }

  @AfterEach
  void noLeak() {
    LeakCheck.assertNoOpenScope();
  }

  @Test
  void tensorUsedTwiceAccumulatesBothPaths() {
    Tensor x = leaf(3.0);
    Tensor y = x.mul(x).add(x.mul(2.0)); // x^2 + 2x, dy/dx = 2x + 2 = 8
    y.sum().backward();
    assertEquals(8.0, x.grad().item(), 0.0);
  }

  @Test
  void backwardAccumulatesAcrossCalls() {
    Tensor x = leaf(2.0);
    x.mul(3.0).sum().backward();
    x.square().sum().backward();
    assertEquals(3.0 + 4.0, x.grad().item(), 0.0);
    x.clearGrad();
    assertNull(x.grad());
  }

  @Test
  void backwardThroughAFreedGraphFailsClearly() {
    Tensor x = leaf(1.0, 2.0);
    Tensor loss = x.exp().sum();
    loss.backward();
    IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
    assertTrue(e.getMessage().contains("second time"), e.getMessage());
  }

  @Test
  void retainGraphAllowsASecondPass() {
    Tensor x = leaf(1.0);
    Tensor loss = x.mul(5.0).sum();
    Autograd.backward(loss, null, true);
    Autograd.backward(loss, null, false);
    assertEquals(10.0, x.grad().item(), 0.0);
  }

  @Test
  void noGradRecordsNothing() {
    Tensor x = leaf(1.0);
    Tensor y;
    try (GradMode.Guard g = GradMode.disabled()) {
      y = x.mul(2.0);
      assertFalse(GradMode.isEnabled());
    }
    assertTrue(GradMode.isEnabled());
    assertFalse(y.requiresGrad());
    assertNull(y.node());
    assertThrows(IllegalStateException.class, y::backward);
  }

  @Test
  void gradDoesNotTouchLeafGradsAndHandlesIntermediates() {
    Tensor x = leaf(1.0, 2.0);
    Tensor h = x.mul(3.0); // intermediate target
    Tensor y = h.square().sum(); // dy/dh = 2h = [6, 12], dy/dx = 6h = [18, 36]
    List<Tensor> g = Autograd.grad(List.of(y), List.of(h, x), null, false);
    TensorAssert.assertClose(Tensor.of(new double[] {6, 12}, 2), g.get(0), 0, "dy/dh");
    TensorAssert.assertClose(Tensor.of(new double[] {18, 36}, 2), g.get(1), 0, "dy/dx");
    assertNull(x.grad());
  }

  @Test
  void unusedInputGetsZeros() {
    Tensor x = leaf(1.0);
    Tensor unused = leaf(5.0, 6.0);
    Tensor g = Autograd.grad(List.of(x.mul(2.0).sum()), List.of(unused), null, false).get(0);
    TensorAssert.assertZero(g, 0, "gradient of an unused input");
  }

  @Test
  void gradOfGradIsExact() {
    // y = x^3: dy/dx = 3x^2, d2y/dx2 = 6x
    Tensor x = leaf(2.0);
    Tensor dy = Autograd.grad(x.pow(3).sum(), x, true);
    assertEquals(12.0, dy.item(), 1e-12);
    assertTrue(dy.requiresGrad());
    Tensor d2 = Autograd.grad(dy.sum(), x, false);
    assertEquals(12.0, d2.item(), 1e-12);
  }

  @Test
  void broadcastGradientsAreSummedToTheInputShape() {
    Tensor a = Tensor.leaf(Tensor.ones(DType.FLOAT64, 2, 3).data(), true);
    Tensor b = Tensor.leaf(Tensor.of(new double[] {1, 2, 3}, 3).data(), true);
    a.mul(b).sum().backward();
    TensorAssert.assertClose(Tensor.of(new double[] {2, 2, 2}, 3), b.grad(), 0, "db");
    TensorAssert.assertClose(Tensor.of(new double[] {1, 2, 3, 1, 2, 3}, 2, 3), a.grad(), 0, "da");
  }

  @Test
  void nonScalarOutputNeedsAGradient() {
    Tensor x = leaf(1.0, 2.0);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> x.mul(2.0).backward());
    assertTrue(e.getMessage().contains("one-element"), e.getMessage());
  }

  @Test
  void onlyBranchesLeadingToTheRequestedInputsAreEvaluated() {
    int[] calls = {0};
    Op counting =
        new Op() {
          @Override
          public String name() {
            return "counting";
          }

          @Override
          public INDArray forward(INDArray... in) {
            return Kernels.copy(in[0]);
          }

          @Override
          public Tensor[] backward(Node n, Tensor g) {
            calls[0]++;
            return new Tensor[] {g};
          }
        };
    Tensor w = leaf(1.0);
    Tensor x = leaf(2.0);
    Tensor side = Autograd.apply(counting, w); // a branch that reaches only w
    Tensor y = side.mul(x).sum();
    Autograd.grad(y, x, false);
    assertEquals(0, calls[0], "the branch to w must not run when only x is requested");
  }

  @Test
  void onceDifferentiableOpsRefuseASecondDerivativeByName() {
    Op once =
        new Op() {
          @Override
          public String name() {
            return "fused_thing";
          }

          @Override
          public INDArray forward(INDArray... in) {
            return Kernels.mulScalar(in[0], 2.0);
          }

          @Override
          public Tensor[] backward(Node n, Tensor g) {
            return new Tensor[] {g.mul(2.0)};
          }

          @Override
          public int maxGradOrder() {
            return 1;
          }
        };
    Tensor x = leaf(1.0);
    Tensor g = Autograd.grad(Autograd.apply(once, x).square().sum(), x, true);
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> Autograd.grad(g.sum(), x, false));
    assertTrue(e.getMessage().contains("fused_thing"), e.getMessage());
  }
}
