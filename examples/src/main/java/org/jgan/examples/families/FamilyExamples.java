package org.jgan.examples.families;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.jgan.core.autograd.GradMode;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.tensor.TensorScope;
import org.jgan.models.Sampling;
import org.jgan.models.StyleGenerator;
import org.jgan.models.blocks.NoiseMode;
import org.jgan.models.dcgan.DcganConfig;
import org.jgan.models.progressive.ProgressiveConfig;
import org.jgan.models.stylegan.StyleGanConfig;
import org.jgan.models.stylegan2.StyleGan2Config;
import org.jgan.models.vanilla.VanillaConfig;
import org.jgan.train.data.Dataset;
import org.jgan.train.data.FashionMnist;
import org.jgan.train.data.ToyDistributions;
import org.jgan.train.image.ImageGrid;
import org.jgan.train.image.Plots;
import org.jgan.train.image.Png;
import org.jgan.train.loop.Trainer;
import org.jgan.train.loop.TrainingConfig;
import org.jgan.train.loop.TrainingRun;
import org.jgan.train.metrics.ToyMetrics;

/**
 * One small program per family, each a complete use of the library: build a config, train on real
 * data with a {@link TrainingRun}, then show what the family is known for. Run them with {@code
 * ./gan example <name>}; every one writes into {@code runs/example-<name>}.
 */
public final class FamilyExamples {
  private FamilyExamples() {}

  /**
   * The vanilla GAN on the 25-Gaussian grid, scored by modes covered; a scatter plot over the
   * modes.
   */
  public static void vanillaGrid25(Path out, long images) throws IOException {
    Dataset data = ToyDistributions.grid25(50_000, new Rng(11));
    TrainingConfig cfg =
        TrainingConfig.defaults(VanillaConfig.toy2d(), images).toBuilder()
            .snapshotImages(images / 4)
            .build();
    Trainer t = train(cfg, data, out);
    try (TensorScope s = TensorScope.open();
        GradMode.Guard off = GradMode.disabled()) {
      Tensor pts =
          t.sampler()
              .forward(t.sampler().sampleLatents(2500, new Rng(5)), null, Sampling.fixed(1.0));
      double[] score =
          ToyMetrics.score(
              pts.toFloatArray(), ToyDistributions.gridMeans(), ToyDistributions.GRID_STD, 20);
      Png.write(
          Plots.scatter(
              String.format(
                  Locale.ROOT,
                  "vanilla GAN, 2,500 samples: %d/25 modes, %.0f%% high quality",
                  (int) score[0],
                  100 * score[1]),
              pts.toFloatArray(),
              ToyDistributions.gridMeans(),
              ToyDistributions.GRID_STD,
              6,
              480),
          out.resolve("scatter.png"));
      System.out.printf(
          Locale.ROOT,
          "modes covered %d/25, high-quality samples %.1f%% -> %s%n",
          (int) score[0],
          100 * score[1],
          out.resolve("scatter.png"));
    }
  }

  /** DCGAN on Fashion-MNIST at 28x28. */
  public static void dcgan(Path out, long images) throws IOException {
    train(
        TrainingConfig.defaults(DcganConfig.fashion28(), images).toBuilder()
            .snapshotImages(images / 4)
            .build(),
        FashionMnist.embeddedTest(),
        out);
  }

  /** The progressive GAN growing from 4x4 to 32x32 on padded Fashion-MNIST. */
  public static void progressive(Path out, long images) throws IOException {
    train(
        TrainingConfig.defaults(ProgressiveConfig.cpu32(1), images).toBuilder()
            .snapshotImages(images / 8)
            .build(),
        FashionMnist.embeddedTest().paddedTo(32),
        out);
  }

  /** StyleGAN on padded Fashion-MNIST, then the style-mixing grid. */
  public static void styleGanMixing(Path out, long images) throws IOException {
    Trainer t =
        train(
            TrainingConfig.defaults(StyleGanConfig.cpu32(1), images).toBuilder()
                .snapshotImages(images / 4)
                .build(),
            FashionMnist.embeddedTest().paddedTo(32),
            out);
    StyleGenerator g = (StyleGenerator) t.sampler();
    try (TensorScope s = TensorScope.open();
        GradMode.Guard off = GradMode.disabled()) {
      Tensor a = g.mapping(g.sampleLatents(6, new Rng(1)), null, 1.0, -1, false);
      Tensor b = g.mapping(g.sampleLatents(4, new Rng(2)), null, 1.0, -1, false);
      Tensor[] cells = new Tensor[5 * 7];
      int k = 0;
      cells[k++] = Tensor.full(a.dtype(), -1.0, 1, 1, 32, 32);
      cells[k++] = g.synthesis(a, NoiseMode.CONST, null);
      Tensor imgB = g.synthesis(b, NoiseMode.CONST, null);
      for (int i = 0; i < 4; i++) {
        cells[k++] = imgB.slice(0, i, i + 1);
        Tensor rowB = b.slice(0, i, i + 1).expand(6, g.numWs(), g.wDim());
        cells[k++] =
            g.synthesis(
                StyleGenerator.mix(rowB, a, g.numWs() / 4), NoiseMode.CONST, null); // coarse from B
      }
      ImageGrid.write(
          Tensor.concat(0, Arrays.copyOf(cells, k)), 7, 2, out.resolve("style-mixing.png"));
      System.out.println(
          "style mixing (coarse styles from the left column) -> "
              + out.resolve("style-mixing.png"));
    }
  }

  /**
   * Class-conditional StyleGAN2 on padded Fashion-MNIST, as {@code gan train} tunes it for two CPU
   * cores (minibatch stddev by label, {@link TrainingConfig.Builder#conditionalCpuTuning}); one row
   * per class.
   */
  public static void conditionalStyleGan2(Path out, long images) throws IOException {
    Dataset data = FashionMnist.embeddedTest().paddedTo(32);
    train(
        TrainingConfig.defaults(StyleGan2Config.cpu32(1, 10), images).toBuilder()
            .conditionalCpuTuning()
            .snapshotImages(images / 4)
            .build(),
        data,
        out);
    System.out.println("each row of the grids is one class: " + FashionMnist.CLASSES);
  }

  private static Trainer train(TrainingConfig cfg, Dataset data, Path out) throws IOException {
    Trainer t = new Trainer(cfg, data);
    System.out.printf(
        "training %s on %s for %,d images -> %s%n",
        cfg.model().family(), data.name(), cfg.totalImages(), out);
    new TrainingRun(t, out).run(new TrainingRun.Listener() {});

    System.out.printf("%s done: %d steps; samples in %s%n", cfg.model().family(), t.steps(), out);
    return t;
  }
}
