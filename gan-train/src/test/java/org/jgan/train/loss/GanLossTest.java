package org.jgan.train.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.jgan.core.autograd.Autograd;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.testing.Golden;
import org.jgan.core.testing.TensorAssert;
import org.junit.jupiter.api.Test;

/** The losses against PyTorch values (golden/losses) and hand-computed cases. */
class GanLossTest {
  private static void check(
      Golden c, String prefix, Tensor loss, Tensor real, Tensor fake, boolean usesReal) {
    TensorAssert.assertClose(c.get(prefix + "_loss"), loss.reshape(1), 1e-10, prefix + " loss");
    List<Tensor> g = Autograd.grad(List.of(loss), List.of(real, fake), null, false);
    if (usesReal) {
      TensorAssert.assertClose(c.get(prefix + "_dreal"), g.get(0), 1e-10, prefix + " d/dreal");
    }
    TensorAssert.assertClose(c.get(prefix + "_dfake"), g.get(1), 1e-10, prefix + " d/dfake");
  }

  @Test
  void matchPyTorch() {
    Golden c = Golden.load("losses");
    Tensor real = c.leaf("real");
    Tensor fake = c.leaf("fake");
    check(c, "ns_d", GanLoss.NON_SATURATING.discriminator(real, fake), real, fake, true);
    check(
        c,
        "ns_g",
        GanLoss.NON_SATURATING.generator(fake).add(real.mul(0.0).sum()),
        real,
        fake,
        false);
    check(c, "hinge_d", GanLoss.HINGE.discriminator(real, fake), real, fake, true);
    check(c, "hinge_g", GanLoss.HINGE.generator(fake).add(real.mul(0.0).sum()), real, fake, false);
    check(c, "ls_d", GanLoss.LEAST_SQUARES.discriminator(real, fake), real, fake, true);
    check(
        c,
        "ls_g",
        GanLoss.LEAST_SQUARES.generator(fake).add(real.mul(0.0).sum()),
        real,
        fake,
        false);
  }

  @Test
  void handComputedCases() {
    Tensor real = Tensor.of(new double[] {0.0, 2.0}, 2, 1);
    Tensor fake = Tensor.of(new double[] {-1.0, 0.5}, 2, 1);
    double sp0 = Math.log(2);
    // minimax generator: -mean softplus(f) = -(log(1 + e^-1) + log(1 + e^0.5)) / 2
    assertEquals(
        -(Math.log1p(Math.exp(-1)) + Math.log1p(Math.exp(0.5))) / 2,
        GanLoss.MINIMAX.generator(fake).item(),
        1e-12);
    // WGAN: mean f - mean r = -0.25 - 1
    assertEquals(-1.25, GanLoss.WGAN_GP.discriminator(real, fake).item(), 1e-12);
    assertEquals(0.25, GanLoss.WGAN_GP.generator(fake).item(), 1e-12);
    // non-saturating D: mean softplus(f) + mean softplus(-r)
    double expected =
        (Math.log1p(Math.exp(-1)) + Math.log1p(Math.exp(0.5))) / 2
            + (sp0 + Math.log1p(Math.exp(-2))) / 2;
    assertEquals(expected, GanLoss.NON_SATURATING.discriminator(real, fake).item(), 1e-12);
  }

  @Test
  void softplusDoesNotOverflowOnHugeLogits() {
    Tensor huge = Tensor.of(new double[] {1000.0, -1000.0}, 2, 1);
    assertEquals(500.0, GanLoss.NON_SATURATING.generator(huge.neg()).item(), 1e-9);
  }
}
