package org.jgan.core.autograd;

import java.util.List;
import org.jgan.core.nn.Functional;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.testing.Golden;
import org.jgan.core.testing.TensorAssert;
import org.junit.jupiter.api.Test;

/**
 * R1 = (gamma/2) mean_n sum (dD/dx)^2 through a small conv net, differentiated with respect to the
 * parameters (double backward), against PyTorch and against finite differences.
 */
class R1CompositionTest {
  private static Tensor d(Tensor x, Tensor w1, Tensor b1, Tensor w2, Tensor b2) {
    Tensor h = Functional.conv2d(x, w1, b1, 1, 1).leakyRelu(0.2).mul(Math.sqrt(2));
    return Functional.conv2d(h, w2, b2, 1, 1).mean(false, 2, 3).sum(false, 1);
  }

  private static Tensor r1(Tensor x, List<Tensor> p, double gamma) {
    Tensor xr = Tensor.leaf(x.data(), true);
    Tensor logits = d(xr, p.get(0), p.get(1), p.get(2), p.get(3));
    Tensor g = Autograd.grad(logits.sum(), xr, true);
    return g.square().sum(false, 1, 2, 3).mean().mul(gamma / 2);
  }

  @Test
  void matchesPyTorchIncludingExactZeroBiasGradients() {
    Golden c = Golden.load("r1_small_d");
    List<Tensor> p = List.of(c.leaf("w1"), c.leaf("b1"), c.leaf("w2"), c.leaf("b2"));
    Tensor x = Tensor.leaf(c.get("x").data(), true);
    Tensor logits = d(x, p.get(0), p.get(1), p.get(2), p.get(3));
    TensorAssert.assertClose(c.get("logits"), logits, 1e-10, "logits");
    Tensor dx = Autograd.grad(logits.sum(), x, true);
    TensorAssert.assertClose(c.get("dD_dx"), dx, 1e-10, "dD/dx");
    Tensor r1 = r1(c.get("x"), p, c.meta("gamma"));
    TensorAssert.assertClose(c.get("r1"), r1.reshape(1), 1e-10, "r1");
    List<Tensor> g = Autograd.grad(List.of(r1), p, null, false);
    TensorAssert.assertClose(c.get("dr1_dw1"), g.get(0), 1e-10, "dr1/dw1");
    TensorAssert.assertClose(c.get("dr1_dw2"), g.get(2), 1e-10, "dr1/dw2");
    TensorAssert.assertZero(g.get(1), 1e-14, "dr1/db1");
    TensorAssert.assertZero(g.get(3), 1e-14, "dr1/db2");
  }

  @Test
  void parameterGradientsMatchFiniteDifferences() {
    Golden c = Golden.load("r1_small_d");
    List<Tensor> p = List.of(c.leaf("w1"), c.leaf("b1"), c.leaf("w2"), c.leaf("b2"));
    TensorAssert.assertGradients(ps -> List.of(r1(c.get("x"), ps, 0.5)), p, 1e-6);
  }
}
