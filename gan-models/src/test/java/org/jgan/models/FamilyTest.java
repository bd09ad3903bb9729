package org.jgan.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jgan.core.io.StateDict;
import org.jgan.core.nn.Module;
import org.jgan.core.nn.Parameter;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.tensor.TensorScope;
import org.jgan.core.testing.TensorAssert;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every family runs forward and backward at 32x32 with batch 4, and its weights go to safetensors
 * and back with the same outputs afterwards.
 */
class FamilyTest {
  @TempDir Path dir;

  static Stream<ModelConfig> configs() {
    return Stream.of(
        TinyConfigs.vanilla(),
        TinyConfigs.dcgan(),
        TinyConfigs.dcgan().withLabels(3),
        TinyConfigs.progressive(),
        TinyConfigs.progressive().withLabels(3),
        TinyConfigs.styleGan(),
        TinyConfigs.styleGan().withLabels(3),
        TinyConfigs.styleGan2(),
        TinyConfigs.styleGan2().withLabels(3),
        TinyConfigs.styleGan2().withProgressive(true));
  }

  private static int[] labels(ModelConfig c) {
    return c.labelCount() > 0 ? new int[] {0, 1, 2, 1} : null;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("configs")
  void forwardAndBackwardAt32WithBatch4(ModelConfig config) {
    Generator g = config.generator(1);
    Discriminator d = config.discriminator(2);
    try (TensorScope s = TensorScope.open()) {
      Tensor z = g.sampleLatents(4, new Rng(3));
      Tensor img = g.forward(z, labels(config), Sampling.training(new Rng(4)));
      assertArrayEquals(new long[] {4, 1, 32, 32}, img.shape());
      Tensor logits = d.forward(img, labels(config));
      assertArrayEquals(new long[] {4, 1}, logits.shape());
      logits.softplus().mean().backward();
      for (Map.Entry<String, Parameter> e : g.namedParameters().entrySet()) {
        if (!unusedAtFullStage(g, e.getKey())) {
          assertNotNull(e.getValue().grad(), "generator parameter without gradient: " + e.getKey());
        }
      }
      for (Map.Entry<String, Parameter> e : d.namedParameters().entrySet()) {
        if (!unusedAtFullStage(d, e.getKey())) {
          assertNotNull(
              e.getValue().grad(), "discriminator parameter without gradient: " + e.getKey());
        }
      }
      assertTrue(Double.isFinite(logits.sum().item()));
    }
  }

  /** A growing network at its last stage does not use the lower resolutions' toRGB / fromRGB. */
  private static boolean unusedAtFullStage(Object net, String name) {
    Matcher m = Pattern.compile("b(\\d+)\\.(torgb|fromrgb)").matcher(name);
    return net instanceof Progressive p
        && p.isProgressive()
        && m.find()
        && Integer.parseInt(m.group(1)) != p.stageResolution();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("configs")
  void weightsRoundTripThroughSafetensors(ModelConfig config) throws IOException {
    Generator g = config.generator(1);
    Discriminator d = config.discriminator(2);
    Generator g2 = config.generator(11);
    Discriminator d2 = config.discriminator(12);
    for (Module m : new Module[] {g, d, g2, d2}) {
      m.eval();
    }
    StateDict.save(g, dir.resolve("g.safetensors"), Map.of("family", config.family().id()));
    StateDict.save(d, dir.resolve("d.safetensors"), Map.of());
    StateDict.load(g2, dir.resolve("g.safetensors"));
    StateDict.load(d2, dir.resolve("d.safetensors"));
    Tensor z = g.sampleLatents(4, new Rng(5));
    Sampling fixed = Sampling.fixed(1.0);
    Tensor a = g.forward(z, labels(config), fixed);
    TensorAssert.assertClose(
        a, g2.forward(z, labels(config), fixed), 0, "generator output after loading");
    TensorAssert.assertClose(
        d.forward(a, labels(config)),
        d2.forward(a, labels(config)),
        0,
        "discriminator output after loading");
  }
}
