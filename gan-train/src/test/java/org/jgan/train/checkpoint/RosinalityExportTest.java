package org.jgan.train.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jgan.core.autograd.GradMode;
import org.jgan.core.io.Json;
import org.jgan.core.io.Records;
import org.jgan.core.io.WeightFileException;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.tensor.TensorScope;
import org.jgan.core.testing.TensorAssert;
import org.jgan.models.Discriminator;
import org.jgan.models.Generator;
import org.jgan.models.Sampling;
import org.jgan.models.stylegan2.StyleGan2Config;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JGAN StyleGAN2 written in rosinality's layout ({@link Rosinality#export}): read back by the
 * importer it gives the same images; and, where Python with PyTorch is installed (not in CI), plain
 * {@code torch.load} reads it and the rosinality twin ({@code ros_twin.py --check}) renders the
 * same images and logits from it.
 */
class RosinalityExportTest {
  @TempDir Path dir;

  /** A small RGB StyleGAN2 with random weights and non-zero noise strengths and biases. */
  private static Checkpoint.Contents model() {
    StyleGan2Config m = StyleGan2Config.cpu32(3, 0).withImageChannels(3);
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    Rng rng = new Rng(11);
    for (String net : List.of("G", "D", "G_ema")) {
      var module = net.equals("D") ? m.discriminator(1) : m.generator(net.equals("G") ? 1 : 2);
      module
          .stateDict()
          .forEach(
              (k, v) -> {
                Tensor t = v;
                if (k.endsWith("strength") || k.endsWith("bias") || k.endsWith("w_avg")) {
                  t = rng.normal(DType.FLOAT32, v.shape()).mul(0.2);
                }
                tensors.put(net + "." + k, t);
              });
    }
    return PytorchImport.contents(m, tensors, 0, "test", "test", List.of("G", "D", "G_ema"));
  }

  private static double[] images(Checkpoint.Contents c, Tensor z, DType type)
      throws WeightFileException {
    Generator g = Checkpoint.generator(c);
    g.to(type);
    try (GradMode.Guard off = GradMode.disabled();
        TensorScope s = TensorScope.open()) {
      return g.forward(z.to(type), null, Sampling.fixed(1.0)).toDoubleArray();
    }
  }

  @Test
  void exportThenImportGivesTheSameImages() throws IOException {
    Checkpoint.Contents c = model();
    Path out = dir.resolve("exported.pt");
    List<String> notes = Rosinality.export(c, out);
    assertTrue(notes.isEmpty(), notes.toString());
    Checkpoint.Contents back = PytorchImport.read(out);
    // the same model; an unconditional one's dMappingLayers means nothing and is not in the file
    Map<String, Object> want = Records.toMap((Record) c.config().model());
    Map<String, Object> got = Records.toMap((Record) back.config().model());
    want.remove("dMappingLayers");
    got.remove("dMappingLayers");
    assertEquals(want, got);
    Tensor z = new Rng(3).normal(DType.FLOAT64, 2, 128);
    double err =
        TensorAssert.relativeError(images(back, z, DType.FLOAT64), images(c, z, DType.FLOAT64));
    // the 3x3 weights are scaled by sqrt(fan_in) on the way out and back in float32: an ulp each
    assertTrue(err < 1e-6, "round trip: " + err);
  }

  @Test
  void whatRosinalityCannotHoldIsRefusedOrLeftOutWithANote() throws IOException {
    StyleGan2Config grey = StyleGan2Config.cpu32(1, 10);
    Checkpoint.Contents cond = PytorchImport.contents(grey, Map.of(), 0, "t", "t", List.of());
    WeightFileException e =
        assertThrows(WeightFileException.class, () -> Rosinality.export(cond, dir.resolve("a.pt")));
    assertTrue(
        e.getMessage().contains("conditional (10 classes)")
            && e.getMessage().contains("1 image channel(s)"),
        e.getMessage());
  }

  @Test
  void pytorchLoadsTheExportAndRendersTheSameImages() throws Exception {
    Path python = Path.of("/usr/bin/python3");
    Assumptions.assumeTrue(
        Files.isExecutable(python)
            && new ProcessBuilder(python.toString(), "-c", "import torch").start().waitFor() == 0,
        "needs Python with PyTorch (Debian's python3-torch)");
    Checkpoint.Contents c = model();
    Path out = dir.resolve("exported.pt");
    Rosinality.export(c, out);
    StyleGan2Config m = (StyleGan2Config) c.config().model();
    Tensor z = new Rng(3).normal(DType.FLOAT64, 2, m.zDim());
    Map<String, Object> channels = new LinkedHashMap<>();
    for (int r = 4; r <= m.resolution(); r *= 2) {
      channels.put(String.valueOf(r), m.channels(r));
    }
    List<Object> rows = new ArrayList<>();
    double[] zv = z.toDoubleArray();
    for (int i = 0; i < 2; i++) {
      List<Object> row = new ArrayList<>();
      for (int j = 0; j < m.zDim(); j++) {
        row.add(zv[i * m.zDim() + j]);
      }
      rows.add(row);
    }
    Map<String, Object> cfg = new LinkedHashMap<>();
    cfg.put("size", m.resolution());
    cfg.put("style_dim", m.wDim());
    cfg.put("n_mlp", m.mappingLayers());
    cfg.put("channels", channels);
    cfg.put("z", rows);
    Files.writeString(Path.of(out + ".json"), Json.write(cfg), StandardCharsets.UTF_8);
    Process p =
        new ProcessBuilder(python.toString(), "ros_twin.py", "--check", out.toString())
            .directory(Path.of("src/test/resources/org/jgan/train/checkpoint").toFile())
            .redirectErrorStream(true)
            .start();
    String text;
    try (InputStream in = p.getInputStream()) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertTrue(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0, text);
    String json = text.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElse(text);
    Map<String, Object> result = Json.parseObject(json);
    double[] img =
        ((List<?>) result.get("img"))
            .stream().mapToDouble(o -> ((Number) o).doubleValue()).toArray();
    double err = TensorAssert.relativeError(images(c, z, DType.FLOAT64), img);
    // the file holds float32 weights, rounded once after rosinality's scale is taken out
    assertTrue(err < 1e-6, "PyTorch's images of the export: relative error " + err);
    assertEquals(List.of("d", "g", "g_ema", "jgan_config", "latent_avg"), result.get("keys"));
    Discriminator d = m.discriminator(0);
    d.loadStateDict(Checkpoint.withPrefix(c.tensors(), "D."));
    d.to(DType.FLOAT64);
    d.eval();
    double[] logits;
    try (GradMode.Guard off = GradMode.disabled();
        TensorScope s = TensorScope.open()) {
      Tensor x = Tensor.of(images(c, z, DType.FLOAT64), 2, 3, m.resolution(), m.resolution());
      logits = d.forward(x, null).toDoubleArray();
    }
    double[] theirs =
        ((List<?>) result.get("logits"))
            .stream().mapToDouble(o -> ((Number) o).doubleValue()).toArray();
    assertTrue(TensorAssert.relativeError(logits, theirs) < 1e-6, "PyTorch's logits of the export");
  }
}
