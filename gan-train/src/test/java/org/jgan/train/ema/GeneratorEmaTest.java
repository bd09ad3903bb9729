package org.jgan.train.ema;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.testing.TensorAssert;
import org.jgan.models.Generator;
import org.jgan.models.TinyConfigs;
import org.junit.jupiter.api.Test;

class GeneratorEmaTest {
  @Test
  void halfLifeAndRampUp() {
    Generator g = TinyConfigs.vanilla().generator(1);
    GeneratorEma ema = new GeneratorEma(g, TinyConfigs.vanilla().generator(2), 10, 0.05);
    // no ramp-up effect late in training: half-life 10,000 images, batch 32
    assertEquals(Math.pow(0.5, 32 / 10_000.0), ema.beta(10_000_000, 32), 1e-15);
    // early: half-life capped at 0.05 x 1,000 images seen = 50
    assertEquals(Math.pow(0.5, 32 / 50.0), ema.beta(1000, 32), 1e-15);
  }

  @Test
  void averageMovesByBetaAndCopiesBuffers() {
    Generator g = TinyConfigs.styleGan2().generator(1);
    Generator target = TinyConfigs.styleGan2().generator(2);
    GeneratorEma ema = new GeneratorEma(g, target, 1, 0);
    Tensor before = Tensor.of(target.stateDict().get("synthesis.b4.conv1.weight").data().dup());
    // move the source: every weight + 1, w_avg set to 3
    g.namedParameters().values().forEach(p -> p.value().data().addi(1.0));
    g.namedBuffers().get("mapping.w_avg").assign(Tensor.full(DType.FLOAT32, 3.0, 8));
    double beta = ema.beta(1_000_000, 100);
    ema.update(g, 1_000_000, 100);
    // ema = beta ema + (1 - beta)(ema + 1) = ema + (1 - beta)
    TensorAssert.assertClose(
        before.add(1 - beta),
        target.stateDict().get("synthesis.b4.conv1.weight"),
        1e-6,
        "averaged weight");
    TensorAssert.assertClose(
        Tensor.full(DType.FLOAT32, 3.0, 8),
        target.stateDict().get("mapping.w_avg"),
        0,
        "copied buffer");
  }
}
