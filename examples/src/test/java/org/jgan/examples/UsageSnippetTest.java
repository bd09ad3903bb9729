package org.jgan.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.tensor.TensorScope;
import org.jgan.models.Generator;
import org.jgan.models.Sampling;
import org.jgan.models.stylegan2.StyleGan2Config;
import org.jgan.train.data.FashionMnist;
import org.jgan.train.data.ImageDataset;
import org.jgan.train.image.ImageGrid;
import org.jgan.train.loop.StepStats;
import org.jgan.train.loop.Trainer;
import org.jgan.train.loop.TrainingConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The "using the library from code" program of docs/usage.md, compiled and run here; the test also
 * checks that the document shows exactly this code, so it cannot rot.
 */
class UsageSnippetTest {
  @TempDir Path out;

  // snippet-start
  static void trainAStyleGan2(Path out, long images) throws IOException {
    // Data: the Fashion-MNIST test split that ships in gan-train, padded from 28x28 to 32x32.
    ImageDataset data = FashionMnist.embeddedTest().paddedTo(32);

    // Model: the CPU-sized StyleGAN2 preset, conditional on the ten garment classes (its
    // discriminator's minibatch standard deviation runs over each class's samples).
    StyleGan2Config model = StyleGan2Config.cpu32(1, 10);

    // Training: StyleGAN2's defaults (lazy R1, EMA), shortened, with what was measured to
    // suit this preset on two CPU cores: its R1 weight, no path length, no style mixing.
    TrainingConfig config =
        TrainingConfig.defaults(model, images).toBuilder()
            .batchSize(8)
            .conditionalCpuTuning()
            .seed(42)
            .build();
    Trainer trainer = new Trainer(config, data);
    while (!trainer.done()) {
      StepStats s = trainer.step();
      System.out.printf("step %d: loss D %.3f, loss G %.3f%n", s.step(), s.lossD(), s.lossG());
    }

    // Samples: one image per class from the averaged generator, saved as a PNG grid.
    Generator g = trainer.sampler();
    try (TensorScope scope = TensorScope.open()) {
      int[] classes = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
      Tensor z = g.sampleLatents(classes.length, new Rng(7));
      Tensor images2 = g.forward(z, classes, Sampling.fixed(1.0));
      ImageGrid.write(images2, 5, 2, out.resolve("samples.png"));
    }
  }

  // snippet-end

  @Test
  void theDocumentedProgramRunsAndIsTheOneInTheDocs() throws IOException {
    trainAStyleGan2(out, 16);
    assertTrue(Files.size(out.resolve("samples.png")) > 0);
    String source =
        Files.readString(Path.of("src/test/java/org/jgan/examples/UsageSnippetTest.java"));
    String code =
        source.substring(
            source.indexOf("// snippet-start") + "// snippet-start".length(),
            source.indexOf("// snippet-end"));
    String doc = Files.readString(Path.of("../docs/usage.md"));
    assertTrue(
        doc.contains(code.stripIndent().strip()),
        "docs/usage.md must show the program of UsageSnippetTest verbatim (between the markers)");
  }
}
