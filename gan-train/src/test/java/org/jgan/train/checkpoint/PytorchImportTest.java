package org.jgan.train.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.jgan.core.autograd.GradMode;
import org.jgan.core.io.SafeTensors;
import org.jgan.core.io.WeightFileException;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.tensor.TensorScope;
import org.jgan.core.testing.TensorAssert;
import org.jgan.models.Discriminator;
import org.jgan.models.Generator;
import org.jgan.models.Sampling;
import org.jgan.models.blocks.NoiseMode;
import org.jgan.models.stylegan2.StyleGan2Config;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * stylegan2-ada-pytorch network pickles written by {@code ada_twin.py} (in the test resources: a
 * PyTorch implementation of ADA's StyleGAN2 whose modules pickle as ADA's persistent classes do),
 * imported and run: G_ema's images for two latents in noise modes const and none, with and without
 * truncation, and D's logits of those images agree with the twin's float64 results, in float64 and
 * in float32. Three configurations: RGB 32x32 with conv_clamp 256 (which bites in one layer of each
 * network), grey 64x64 conditional on 5 classes without clamping, RGB 256x256 whose pickle has no
 * G.
 */
class PytorchImportTest {
  @TempDir Path dir;

  private static Path resource(String name, Path dir) throws IOException {
    Path p = dir.resolve(name);
    try (InputStream in = PytorchImportTest.class.getResourceAsStream(name)) {
      Files.copy(in, p);
    }
    return p;
  }

  private static double relativeError(Tensor got, Tensor want) {
    return TensorAssert.relativeError(got.toDoubleArray(), want.toDoubleArray());
  }

  @ParameterizedTest
  @ValueSource(strings = {"rgb32", "grey64_cond", "rgb256"})
  void imagesAndLogitsMatchTheTwin(String name) throws IOException {
    Checkpoint.Contents c = PytorchImport.read(resource("ada_" + name + ".pkl", dir));
    SafeTensors.Contents golden;
    try (InputStream in = getClass().getResourceAsStream("ada_" + name + ".safetensors")) {
      golden = SafeTensors.read(in.readAllBytes(), name);
    }
    Map<String, Tensor> want = golden.tensors();
    StyleGan2Config config = (StyleGan2Config) c.config().model();
    double[] labelValues = want.get("labels").toDoubleArray();
    int[] labels = null;
    if (config.labelCount() > 0) {
      labels = new int[labelValues.length];
      for (int i = 0; i < labels.length; i++) {
        labels[i] = (int) labelValues[i];
      }
    }
    for (DType type : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
      // the twin's images are stored as float32 (rounding ~6e-8), its logits as float64
      double tol = type == DType.FLOAT64 ? 1e-9 : 1e-4;
      double imageTol = type == DType.FLOAT64 ? 1e-6 : 1e-4;
      Generator g = Checkpoint.generator(c);
      g.to(type);
      Discriminator d = config.discriminator(0);
      d.loadStateDict(Checkpoint.withPrefix(c.tensors(), "D."));
      d.to(type);
      d.eval();
      try (GradMode.Guard off = GradMode.disabled();
          TensorScope s = TensorScope.open()) {
        Tensor z = want.get("z").to(type);
        for (String mode : new String[] {"const", "none"}) {
          for (String psi : new String[] {"1.0", "0.7"}) {
            NoiseMode nm = mode.equals("const") ? NoiseMode.CONST : NoiseMode.NONE;
            Tensor img = g.forward(z, labels, new Sampling(null, nm, Double.parseDouble(psi), -1));
            String key = mode + "_" + psi;
            Tensor wantImg = want.get("img_" + key);
            if (wantImg != null) {
              Tensor mine = img.slice(0, 0, wantImg.size(0));
              double err = relativeError(mine, wantImg);
              assertTrue(err < imageTol, name + " " + type + " image " + key + ": " + err);
            }
            double err = relativeError(d.forward(img, labels), want.get("logits_" + key));
            assertTrue(err < tol, name + " " + type + " logits " + key + ": " + err);
          }
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"ros32", "ros64", "ros256"})
  void rosinalityCheckpointsMatchTheirTwin(String name) throws IOException {
    Checkpoint.Contents c = PytorchImport.read(resource(name + ".pt", dir));
    SafeTensors.Contents golden;
    try (InputStream in = getClass().getResourceAsStream(name + ".safetensors")) {
      golden = SafeTensors.read(in.readAllBytes(), name);
    }
    Map<String, Tensor> want = golden.tensors();
    StyleGan2Config config = (StyleGan2Config) c.config().model();
    for (DType type : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
      double imageTol = type == DType.FLOAT64 ? 1e-6 : 1e-4;
      Generator g = Checkpoint.generator(c);
      g.to(type);
      try (GradMode.Guard off = GradMode.disabled();
          TensorScope s = TensorScope.open()) {
        Tensor z = want.get("z").to(type);
        Tensor last = null;
        for (String key : new String[] {"const_1.0", "const_0.7", "none_1.0", "none_0.7"}) {
          Tensor wantImg = want.get("img_" + key);
          if (wantImg == null) {
            continue; // not stored: ros64 has no latent_avg, ros256 one setting
          }
          NoiseMode nm = key.startsWith("const") ? NoiseMode.CONST : NoiseMode.NONE;
          double psi = Double.parseDouble(key.substring(key.indexOf('_') + 1));
          Tensor img = g.forward(z, null, new Sampling(null, nm, psi, -1));
          // ros256 stores one channel of one image
          Tensor mine = img.slice(0, 0, wantImg.size(0)).slice(1, 0, wantImg.size(1));
          double err = relativeError(mine, wantImg);
          assertTrue(err < imageTol, name + " " + type + " image " + key + ": " + err);
          if (key.equals("const_1.0")) {
            last = img;
          }
        }
        if (want.containsKey("logits")) {
          Discriminator d = config.discriminator(0);
          d.loadStateDict(Checkpoint.withPrefix(c.tensors(), "D."));
          d.to(type);
          d.eval();
          double err = relativeError(d.forward(last, null), want.get("logits"));
          assertTrue(err < (type == DType.FLOAT64 ? 1e-6 : 1e-4), name + " logits: " + err);
        }
      }
    }
  }

  @Test
  void theConfigIsReadFromShapesAndAttributes() throws IOException {
    StyleGan2Config rgb =
        (StyleGan2Config) PytorchImport.read(resource("ada_rgb32.pkl", dir)).config().model();
    assertEquals(24, rgb.zDim());
    assertEquals(32, rgb.wDim());
    assertEquals(2, rgb.mappingLayers());
    assertEquals(0.01, rgb.mappingLrMul(), 1e-12);
    assertEquals(3, rgb.imageChannels());
    assertEquals(32, rgb.resolution());
    assertEquals(16, rgb.channels(4));
    assertEquals(8, rgb.channels(32));
    assertEquals(256.0, rgb.convClamp());
    assertEquals(2, rgb.mbstdGroup());
    StyleGan2Config grey =
        (StyleGan2Config) PytorchImport.read(resource("ada_grey64_cond.pkl", dir)).config().model();
    assertEquals(5, grey.labelCount());
    assertEquals(8, grey.mappingLayers());
    assertEquals(8, grey.dMappingLayers());
    assertEquals(0.0, grey.convClamp());
    assertEquals(1, grey.imageChannels());
  }

  @Test
  void gAndGEmaStayDistinctAndAConvertedFileRoundTrips() throws IOException {
    Checkpoint.Contents c = PytorchImport.read(resource("ada_rgb32.pkl", dir));
    Tensor g = c.tensors().get("G.synthesis.b4.input.const");
    Tensor ema = c.tensors().get("G_ema.synthesis.b4.input.const");
    assertNotEquals(g.toDoubleArray()[0], ema.toDoubleArray()[0]); // the twin offsets G_ema by 0.5
    Path out = dir.resolve("converted.safetensors");
    Checkpoint.write(c, out);
    Checkpoint.Contents back = Checkpoint.read(out);
    assertEquals(c.config().model(), back.config().model());
    assertEquals(c.tensors().keySet(), back.tensors().keySet());
    for (String k : c.tensors().keySet()) {
      assertEquals(0.0, relativeError(back.tensors().get(k), c.tensors().get(k)), 0.0, k);
    }
    assertTrue(back.metadata().get("provenance").contains("imported_from"));
  }

  @Test
  void otherPicklesAreRefusedWithAReason() throws IOException {
    Path sd = dir.resolve("state_dict.pt");
    try (InputStream in =
        getClass()
            .getResourceAsStream("/org/jgan/train/fuzz/LoaderFuzzTestInputs/torch/module.pt")) {
      Files.copy(in, sd);
    }
    WeightFileException e = assertThrows(WeightFileException.class, () -> PytorchImport.read(sd));
    assertTrue(
        e.getMessage().contains("neither a stylegan2-ada-pytorch network pickle"), e.getMessage());
  }
}
