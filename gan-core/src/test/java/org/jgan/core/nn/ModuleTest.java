package org.jgan.core.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.testing.TensorAssert;
import org.junit.jupiter.api.Test;

class ModuleTest {
  private static Sequential net() {
    Rng rng = new Rng(5);
    return new Sequential(
        new Linear(4, 3, rng), BatchNorm.of1d(3), Activation.relu(), new Linear(3, 2, rng));
  }

  @Test
  void namesAreDottedAndInRegistrationOrder() {
    assertEquals(
        List.of(
            "0.weight",
            "0.bias",
            "1.weight",
            "1.bias",
            "1.running_mean",
            "1.running_var",
            "3.weight",
            "3.bias"),
        List.copyOf(net().stateDict().keySet()));
    assertEquals(
        List.of("0.weight", "0.bias", "1.weight", "1.bias", "3.weight", "3.bias"),
        List.copyOf(net().namedParameters().keySet()));
    assertEquals(4 * 3 + 3 + 3 + 3 + 3 * 2 + 2, net().parameterCount());
  }

  @Test
  void stateDictRoundTripReproducesOutputs() {
    Sequential a = net();
    Sequential b =
        new Sequential(
            new Linear(4, 3, new Rng(99)),
            BatchNorm.of1d(3),
            Activation.relu(),
            new Linear(3, 2, new Rng(98)));
    a.eval();
    b.eval();
    Tensor x = new Rng(1).normal(DType.FLOAT32, 5, 4);
    b.loadStateDict(a.stateDict());
    TensorAssert.assertClose(a.forward(x), b.forward(x), 0, "outputs after loading");
  }

  @Test
  void loadErrorsNameMissingExtraAndMisShapedEntries() {
    Map<String, Tensor> state = new LinkedHashMap<>(net().stateDict());
    state.remove("1.running_var");
    state.put("4.weight", Tensor.zeros(DType.FLOAT32, 1));
    state.put("3.bias", Tensor.zeros(DType.FLOAT32, 5));
    Sequential target = net();
    Tensor before = Tensor.of(target.stateDict().get("0.weight").data().dup());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> target.loadStateDict(state));
    String m = e.getMessage();
    assertTrue(m.contains("missing keys: [1.running_var]"), m);
    assertTrue(m.contains("unexpected keys: [4.weight]"), m);
    assertTrue(m.contains("3.bias (checkpoint [5], model [2])"), m);
    TensorAssert.assertClose(
        before, target.stateDict().get("0.weight"), 0, "nothing copied on failure");
  }

  @Test
  void batchNormUsesBatchStatisticsInTrainingAndRunningOnesInEval() {
    BatchNorm bn = BatchNorm.of2d(2);
    Tensor x = new Rng(4).normal(DType.FLOAT32, 3.0, 2.0, 8, 2, 3, 3);
    Tensor y = bn.forward(x);
    // training output: per channel mean 0, biased variance 1 (up to eps)
    TensorAssert.assertZero(y.mean(false, 0, 2, 3), 1e-5, "batch-norm mean");
    TensorAssert.assertClose(
        Tensor.ones(DType.FLOAT32, 2),
        y.variance(false, false, 0, 2, 3),
        1e-3,
        "batch-norm variance");
    // running mean moved 10% of the way from 0 to the batch mean
    TensorAssert.assertClose(
        x.mean(false, 0, 2, 3).mul(0.1), bn.stateDict().get("running_mean"), 1e-5, "running mean");
    bn.eval();
    assertFalse(bn.isTraining());
    Tensor z = bn.forward(x);
    Tensor expected =
        Functional.normalize(
            x,
            bn.stateDict().get("running_mean"),
            bn.stateDict().get("running_var"),
            null,
            null,
            1e-5);
    TensorAssert.assertClose(expected, z, 1e-6, "eval uses running statistics");
  }

  @Test
  void toFloat64ConvertsParametersAndBuffers() {
    Sequential n = net();
    n.to(DType.FLOAT64);
    for (Tensor t : n.stateDict().values()) {
      assertEquals(DType.FLOAT64, t.dtype());
    }
  }

  @Test
  void wrongInputShapeIsNamed() {
    Conv2d c = new Conv2d(3, 4, 3, new Rng(0));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> c.forward(Tensor.zeros(DType.FLOAT32, 1, 2, 5, 5)));
    assertTrue(
        e.getMessage().contains("Conv2d input: expected shape [*, 3, *, *], got [1, 2, 5, 5]"),
        e.getMessage());
  }

  @Test
  void initialisersHaveTheirStatedSpread() {
    Rng rng = new Rng(8);
    Tensor k = Init.kaimingNormal(rng, 0, 256, 128, 3, 3);
    assertEquals(
        Math.sqrt(2.0 / (128 * 9)),
        Math.sqrt(k.variance(false, false, 0, 1, 2, 3).item()),
        2e-3 * Math.sqrt(2.0 / (128 * 9)) * 20);
    Tensor xu = Init.xavierUniform(rng, 1.0, 300, 200);
    double b = Math.sqrt(6.0 / 500);
    assertTrue(xu.abs().data().maxNumber().doubleValue() <= b);
    assertEquals(b * b / 3, xu.variance(false, false, 0, 1).item(), 0.02 * b * b / 3);
  }
}
