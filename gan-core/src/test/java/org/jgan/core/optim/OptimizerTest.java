package org.jgan.core.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.jgan.core.nn.Linear;
import org.jgan.core.nn.Parameter;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.testing.Golden;
import org.jgan.core.testing.TensorAssert;
import org.junit.jupiter.api.Test;

class OptimizerTest {
  /** A module holding one parameter, so optimisers can be given named parameters. */
  private static Map<String, Parameter> single(Tensor init) {
    Linear holder = new Linear(1, 1, new Rng(0));
    holder.to(DType.FLOAT64);
    Parameter p = new Parameter(init);
    return Map.of("p", p);
  }

  private static void setGrad(Parameter p, Tensor g) {
    p.zeroGrad();
    p.value().accumulateGrad(g.data());
  }

  @Test
  void adamMatchesTorchOptimAdamIncludingTheLazyVariant() {
    Golden c = Golden.load("adam");
    for (boolean lazy : new boolean[] {false, true}) {
      Map<String, Parameter> params = single(c.get("p0"));
      Parameter p = params.get("p");
      double lr = lazy ? c.meta("lazy_lr") : c.meta("lr");
      double b1 = lazy ? c.meta("lazy_beta1") : c.meta("beta1");
      double b2 = lazy ? c.meta("lazy_beta2") : c.meta("beta2");
      Adam adam = new Adam(params, lr, b1, b2, c.meta("eps"), 0.0);
      for (int t = 1; t <= 3; t++) {
        setGrad(p, c.get("g" + t));
        adam.step();
        TensorAssert.assertClose(
            c.get((lazy ? "lazy_p" : "p") + t), p.value(), 1e-10, "adam p" + t);
      }
      if (!lazy) {
        TensorAssert.assertClose(c.get("exp_avg3"), adam.state().get("p.exp_avg"), 1e-10, "m3");
        TensorAssert.assertClose(
            c.get("exp_avg_sq3"), adam.state().get("p.exp_avg_sq"), 1e-10, "v3");
      }
    }
  }

  @Test
  void adamsFirstStepIsLrTimesGOverAbsGPlusEpsInBothPathsAndPrecisions() {
    // step 1: m = (1 - b1) g, v = (1 - b2) g^2, so lr / bc1 * m / (sqrt(v) / sqrt(bc2) + eps) =
    // lr g / (|g| + eps): lr sign(g) with eps = 0 (the elementwise path), and with eps = 1e-8
    // (libnd4j's fused kernel) the small gradient moves its weight measurably less
    double[] g = {0.5, -2.0, 3e-3, -7.0};
    for (DType type : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
      for (double eps : new double[] {0.0, 1e-8}) {
        Map<String, Parameter> params = single(Tensor.of(new double[] {1, 1, 1, 1}, 4).to(type));
        Parameter p = params.get("p");
        Adam adam = new Adam(params, 0.1, 0.9, 0.99, eps, 0.0);
        setGrad(p, Tensor.of(g, 4).to(type));
        adam.step();
        double[] got = p.value().toDoubleArray();
        for (int i = 0; i < 4; i++) {
          assertEquals(
              1 - 0.1 * g[i] / (Math.abs(g[i]) + eps),
              got[i],
              type == DType.FLOAT32 ? 1e-6 : 1e-15,
              type + " eps " + eps + " weight " + i);
        }
      }
    }
  }

  @Test
  void adamWithLearningRateZeroLeavesTheWeightsAlone() {
    Map<String, Parameter> params = single(Tensor.of(new double[] {1, -1}, 2));
    Parameter p = params.get("p");
    Adam adam = new Adam(params, 0.0, 0.0, 0.99, 1e-8, 0.0);
    for (int t = 0; t < 3; t++) {
      setGrad(p, Tensor.of(new double[] {0.3, -0.4}, 2));
      adam.step();
    }
    assertEquals(1.0, p.value().toDoubleArray()[0], 0);
    assertEquals(-1.0, p.value().toDoubleArray()[1], 0);
  }

  @Test
  void adamStateSavedAndRestoredContinuesIdentically() {
    Rng rng = new Rng(2);
    Tensor p0 = rng.normal(DType.FLOAT64, 3, 2);
    Tensor[] grads = {
      rng.normal(DType.FLOAT64, 3, 2),
      rng.normal(DType.FLOAT64, 3, 2),
      rng.normal(DType.FLOAT64, 3, 2)
    };
    Map<String, Parameter> a = single(p0);
    Adam adamA = new Adam(a, 0.01, 0.5, 0.999, 1e-8, 0.01);
    for (Tensor g : grads) {
      setGrad(a.get("p"), g);
      adamA.step();
    }
    Map<String, Parameter> b = single(p0);
    Adam adamB = new Adam(b, 0.01, 0.5, 0.999, 1e-8, 0.01);
    setGrad(b.get("p"), grads[0]);
    adamB.step();
    Map<String, Tensor> saved = adamB.state();
    Map<String, Parameter> c = single(b.get("p").value());
    Adam adamC = new Adam(c, 0.01, 0.5, 0.999, 1e-8, 0.01);
    adamC.loadState(saved);
    for (int i = 1; i < 3; i++) {
      setGrad(c.get("p"), grads[i]);
      adamC.step();
    }
    TensorAssert.assertClose(a.get("p").value(), c.get("p").value(), 0, "resumed Adam");
  }

  @Test
  void sgdWithMomentumMatchesHandComputation() {
    Map<String, Parameter> params = single(Tensor.of(new double[] {1.0}, 1));
    Parameter p = params.get("p");
    Sgd sgd = new Sgd(params, 0.1, 0.9);
    setGrad(p, Tensor.of(new double[] {2.0}, 1));
    sgd.step(); // buf = 2, p = 1 - 0.2 = 0.8
    assertEquals(0.8, p.value().item(), 1e-15);
    setGrad(p, Tensor.of(new double[] {1.0}, 1));
    sgd.step(); // buf = 0.9 * 2 + 1 = 2.8, p = 0.8 - 0.28 = 0.52
    assertEquals(0.52, p.value().item(), 1e-15);
  }

  @Test
  void badHyperparametersAreRejectedWithTheirValue() {
    Map<String, Parameter> params = single(Tensor.of(new double[] {1.0}, 1));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> new Adam(params, 0.1, 1.0, 0.99, 1e-8, 0));
    assertTrue(e.getMessage().contains("beta parameter at index 0: 1.0"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new Adam(params, -1, 0.0, 0.99, 1e-8, 0));
    assertThrows(IllegalArgumentException.class, () -> new Sgd(params, 0.1, -0.5));
  }

  @Test
  void perGroupLearningRates() {
    Map<String, Parameter> a = Map.of("a", new Parameter(Tensor.of(new double[] {0.0}, 1)));
    Map<String, Parameter> b = Map.of("b", new Parameter(Tensor.of(new double[] {0.0}, 1)));
    Sgd sgd = new Sgd(List.of(new ParamGroup(a, 1.0), new ParamGroup(b, 0.01)), 0, 0, false);
    setGrad(a.get("a"), Tensor.of(new double[] {1.0}, 1));
    setGrad(b.get("b"), Tensor.of(new double[] {1.0}, 1));
    sgd.step();
    assertEquals(-1.0, a.get("a").value().item(), 0);
    assertEquals(-0.01, b.get("b").value().item(), 0);
  }
}
