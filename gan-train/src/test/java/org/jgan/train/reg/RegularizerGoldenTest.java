package org.jgan.train.reg;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.function.Function;
import org.jgan.core.autograd.Autograd;
import org.jgan.core.nn.Functional;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.testing.Golden;
import org.jgan.core.testing.TensorAssert;
import org.jgan.models.blocks.Modulation;
import org.junit.jupiter.api.Test;

/**
 * R1, WGAN-GP and path length against PyTorch (double backward included) and finite differences.
 */
class RegularizerGoldenTest {
  /** The tiny discriminator of the golden cases. */
  private static Function<Tensor, Tensor> tinyD(Tensor w1, Tensor b1, Tensor w2, Tensor b2) {
    return x -> {
      Tensor h = Functional.conv2d(x, w1, b1, 1, 1).leakyRelu(0.2).mul(Math.sqrt(2));
      return Functional.conv2d(h, w2, b2, 1, 1).mean(false, 2, 3).sum(false, 1);
    };
  }

  @Test
  void r1MatchesPyTorch() {
    Golden c = Golden.load("r1_small_d");
    List<Tensor> p = List.of(c.leaf("w1"), c.leaf("b1"), c.leaf("w2"), c.leaf("b2"));
    Tensor r1 =
        R1Penalty.compute(
            tinyD(p.get(0), p.get(1), p.get(2), p.get(3)), c.get("x"), c.meta("gamma"));
    TensorAssert.assertClose(c.get("r1"), r1.reshape(1), 1e-10, "r1");
    List<Tensor> g = Autograd.grad(List.of(r1), p, null, false);
    TensorAssert.assertClose(c.get("dr1_dw1"), g.get(0), 1e-10, "dr1/dw1");
    TensorAssert.assertClose(c.get("dr1_dw2"), g.get(2), 1e-10, "dr1/dw2");
    TensorAssert.assertZero(g.get(1), 1e-14, "dr1/db1");
    TensorAssert.assertZero(g.get(3), 1e-14, "dr1/db2");
    TensorAssert.assertGradients(
        ps ->
            List.of(
                R1Penalty.compute(
                    tinyD(ps.get(0), ps.get(1), ps.get(2), ps.get(3)),
                    c.get("x"),
                    c.meta("gamma"))),
        p,
        1e-6);
  }

  @Test
  void wganGpMatchesPyTorch() {
    Golden c = Golden.load("wgan_gp");
    List<Tensor> p = List.of(c.leaf("w1"), c.leaf("b1"), c.leaf("w2"), c.leaf("b2"));
    Function<Tensor, Tensor> d = tinyD(p.get(0), p.get(1), p.get(2), p.get(3));
    Tensor real = c.get("x_real");
    Tensor fake = c.get("x_fake");
    Tensor dReal = d.apply(real);
    Tensor dFake = d.apply(fake);
    TensorAssert.assertClose(c.get("d_real"), dReal, 1e-10, "D(real)");
    Tensor gp = GradientPenalty.penalty(d, real, fake, c.get("u"), c.meta("wgan_lambda"));
    Tensor drift = GradientPenalty.drift(dReal, c.meta("drift_eps"));
    TensorAssert.assertClose(c.get("gp"), gp.reshape(1), 1e-10, "gp");
    TensorAssert.assertClose(c.get("drift"), drift.reshape(1), 1e-10, "drift");
    Tensor loss = dFake.mean().sub(dReal.mean()).add(gp).add(drift);
    TensorAssert.assertClose(c.get("loss"), loss.reshape(1), 1e-10, "loss");
    List<Tensor> g = Autograd.grad(List.of(loss), p, null, false);
    String[] names = {"dloss_dw1", "dloss_db1", "dloss_dw2", "dloss_db2"};
    for (int i = 0; i < 4; i++) {
      TensorAssert.assertClose(c.get(names[i]), g.get(i), 1e-10, names[i]);
    }
  }

  @Test
  void pathLengthMatchesPyTorchWithTheUndetachedMean() {
    Golden c = Golden.load("path_length_small_g");
    // the synthesis's sizes and activation from the case: h [n, C, H, W] from the fc layer
    long[] img = c.get("img").shape();
    long ch = c.get("conv_weight").size(1);
    long outCh = c.get("conv_bias").size(0);
    double slope = c.meta("alpha");
    double gain = c.meta("act_gain");
    List<Tensor> p =
        List.of(
            c.leaf("fc_weight"),
            c.leaf("fc_bias"),
            c.leaf("affine_weight"),
            c.leaf("affine_bias"),
            c.leaf("conv_weight"),
            c.leaf("conv_bias"));
    Function<Tensor, Tensor> synth =
        ws -> {
          long n = ws.size(0);
          Tensor h =
              ws.slice(1, 0, 1)
                  .squeeze(1)
                  .matmul(p.get(0), false, true)
                  .add(p.get(1))
                  .leakyRelu(slope)
                  .mul(gain);
          h = h.reshape(n, ch, img[2], img[3]);
          Tensor s = ws.slice(1, 1, 2).squeeze(1).matmul(p.get(2), false, true).add(p.get(3));
          return Modulation.modulatedConv2d(h, p.get(4), s, true, false)
              .add(p.get(5).reshape(1, outCh, 1, 1));
        };
    PathLengthPenalty pl = new PathLengthPenalty(c.meta("pl_weight"), c.meta("pl_decay"));
    pl.setMean(c.meta("pl_mean_old"));
    PathLengthPenalty.Result r =
        pl.compute(synth, Tensor.leaf(c.get("w").data(), true), c.get("y"));
    TensorAssert.assertClose(c.get("a"), r.lengths(), 1e-10, "path lengths");
    assertEquals(c.get("pl_mean_new").item(), pl.mean(), 1e-12);
    TensorAssert.assertClose(c.get("loss"), r.loss().reshape(1), 1e-10, "loss");
    List<Tensor> g = Autograd.grad(List.of(r.loss()), p, null, false);
    String[] names = {
      "dloss_dfc_weight",
      "dloss_dfc_bias",
      "dloss_daffine_weight",
      "dloss_daffine_bias",
      "dloss_dconv_weight"
    };
    for (int i = 0; i < names.length; i++) {
      TensorAssert.assertClose(c.get(names[i]), g.get(i), 1e-10, names[i]);
    }
    TensorAssert.assertZero(g.get(5), 1e-14, "dloss/dconv_bias");
    // and against finite differences of the penalty itself (a fresh running mean each time)
    TensorAssert.assertGradients(
        ps -> {
          PathLengthPenalty fresh = new PathLengthPenalty(c.meta("pl_weight"), c.meta("pl_decay"));
          fresh.setMean(c.meta("pl_mean_old"));
          Function<Tensor, Tensor> s2 =
              ws -> {
                long n = ws.size(0);
                Tensor h =
                    ws.slice(1, 0, 1)
                        .squeeze(1)
                        .matmul(ps.get(0), false, true)
                        .add(ps.get(1))
                        .leakyRelu(slope)
                        .mul(gain);
                Tensor s =
                    ws.slice(1, 1, 2).squeeze(1).matmul(ps.get(2), false, true).add(ps.get(3));
                return Modulation.modulatedConv2d(
                        h.reshape(n, ch, img[2], img[3]), ps.get(4), s, true, false)
                    .add(ps.get(5).reshape(1, outCh, 1, 1));
              };
          return List.of(
              fresh.compute(s2, Tensor.leaf(c.get("w").data(), true), c.get("y")).loss());
        },
        p,
        1e-6);
  }
}
