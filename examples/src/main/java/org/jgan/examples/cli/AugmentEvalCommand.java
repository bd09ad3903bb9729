package org.jgan.examples.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jgan.core.io.Json;
import org.jgan.models.Family;
import org.jgan.models.ModelConfig;
import org.jgan.train.augment.Augmentation;
import org.jgan.train.data.Dataset;
import org.jgan.train.data.ImageDataset;
import org.jgan.train.data.ImageTransform;
import org.jgan.train.image.ImageGrid;
import org.jgan.train.loop.TrainingConfig;
import org.jgan.train.study.AugmentationStudy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code gan augment-eval}: do a conditional GAN's samples help a classifier on scarce data? */
@Command(
    name = "augment-eval",
    mixinStandardHelpOptions = true,
    description = {
      "Measure data augmentation with a conditional GAN: for each N, draw N labelled training"
          + " images per class, train a conditional GAN on them and nothing else, and train the"
          + " same classifier on the N real images per class and on them plus M generated ones;"
          + " report test accuracy (held-out Fashion-MNIST test split) as mean and standard"
          + " deviation over seeds, and the gain, whatever its sign.",
      "Writes augment.json (every trial), augment.md (the table) and samples-N.png (the first"
          + " seed's generated images, a row per class)."
    })
public final class AugmentEvalCommand implements Callable<Integer> {
  @Option(
      names = "--per-class",
      defaultValue = "10,50,100,500",
      split = ",",
      description = "Real images per class, N (default ${DEFAULT-VALUE}).")
  List<Integer> perClass;

  @Option(
      names = "--generated",
      defaultValue = "500",
      description = "Generated images added per class, M (default ${DEFAULT-VALUE}).")
  int generated;

  @Option(
      names = "--seeds",
      defaultValue = "3",
      description =
          "Trials per N, seeds 1..K: subset, GAN and classifiers (default ${DEFAULT-VALUE}).")
  int seeds;

  @Option(
      names = "--family",
      defaultValue = "dcgan",
      description = "The conditional GAN's family (default ${DEFAULT-VALUE}).")
  String family;

  @Option(names = "--preset", description = "Its preset (default: the family's first).")
  String preset;

  @Option(
      names = "--gan-images",
      defaultValue = "100k",
      description = "Images each GAN trains on (default ${DEFAULT-VALUE}).")
  String ganImages;

  @Option(
      names = "--gan-augment",
      defaultValue = "none",
      description =
          "What the GAN's discriminator sees: none, diffaugment or ada (for its small data;"
              + " default ${DEFAULT-VALUE}).")
  String ganAugment;

  @Option(
      names = "--classifier-steps",
      defaultValue = "2000",
      description = "Steps of batch 64 for every classifier (default ${DEFAULT-VALUE}).")
  long classifierSteps;

  @Option(
      names = "--psi",
      defaultValue = "1.0",
      description =
          "Truncation psi of the generated images, StyleGAN and StyleGAN2 only; 1 is none"
              + " (default ${DEFAULT-VALUE}).")
  double psi;

  @Option(
      names = "--data",
      defaultValue = "fashion-mnist",
      description =
          "Labelled training images: fashion-mnist (the 60k training split) or a folder with IDX"
              + " files (default ${DEFAULT-VALUE}).")
  String data;

  @Option(
      names = "--test",
      defaultValue = "embedded",
      description =
          "Held-out labelled images for the accuracy: embedded (the Fashion-MNIST test split) or"
              + " a folder with IDX files (default ${DEFAULT-VALUE}).")
  String test;

  @Option(
      names = "--out",
      defaultValue = "augment-eval",
      description = "Output folder (default ${DEFAULT-VALUE}, or augment-eval-N; never replaced).")
  Path out;

  @Override
  public Integer call() throws IOException {
    if (perClass.isEmpty() || perClass.stream().anyMatch(n -> n < 1) || seeds < 1) {
      throw new Cli.UserError("--per-class values and --seeds must be >= 1");
    }
    ImageDataset train = labelled(data, "--data");
    ImageDataset held = labelled(test, "--test");
    if (!held.classNames().equals(train.classNames())
        || !Arrays.equals(held.sampleShape(), train.sampleShape())) {
      throw new Cli.UserError("--test must hold images of --data's size and classes");
    }
    AugmentationStudy.Settings settings = settings(train);
    Path dir = ProjectCommand.freeFolder(out);
    Files.createDirectories(dir);
    List<Map<String, Object>> trials = new ArrayList<>();
    StringBuilder md = new StringBuilder();
    md.append(
        String.format(
            Locale.ROOT,
            "| N per class | real only | real + %d generated per class | gain | labels of the"
                + " generated images held |%n|---|---|---|---|---|%n",
            generated));
    List<Map<String, Object>> summary = new ArrayList<>();
    for (int n : perClass) {
      double[] real = new double[seeds];
      double[] both = new double[seeds];
      double[] held0 = new double[seeds];
      double[] gain = new double[seeds];
      for (int k = 0; k < seeds; k++) {
        long seed = k + 1L;
        long t0 = System.nanoTime();
        AugmentationStudy.Trial t = AugmentationStudy.run(train, held, n, seed, settings);
        real[k] = t.realAccuracy();
        both[k] = t.augmentedAccuracy();
        held0[k] = t.generatedAccuracy();
        gain[k] = both[k] - real[k];
        if (k == 0) {
          ImageGrid.write(t.samples(), 10, 2, dir.resolve("samples-" + n + ".png"));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("per_class", n);
        m.put("seed", seed);
        m.put("real_accuracy", t.realAccuracy());
        m.put("augmented_accuracy", t.augmentedAccuracy());
        m.put("generated_label_accuracy", t.generatedAccuracy());
        m.put("gan_seconds", t.ganSeconds());
        m.put("seconds", (System.nanoTime() - t0) / 1e9);
        trials.add(m);
        System.out.printf(
            Locale.ROOT,
            "N=%d seed %d: real only %.2f%%, with generated %.2f%% (%+.2f), generated labels held"
                + " %.1f%%, %.0f s%n",
            n,
            seed,
            100 * t.realAccuracy(),
            100 * t.augmentedAccuracy(),
            100 * (t.augmentedAccuracy() - t.realAccuracy()),
            100 * t.generatedAccuracy(),
            (double) m.get("seconds"));
      }
      md.append(
          String.format(
              Locale.ROOT,
              "| %d | %.2f +- %.2f%% | %.2f +- %.2f%% | %+.2f +- %.2f | %.1f%% |%n",
              n,
              100 * Stats.mean(real),
              100 * Stats.std(real),
              100 * Stats.mean(both),
              100 * Stats.std(both),
              100 * Stats.mean(gain),
              100 * Stats.std(gain),
              100 * Stats.mean(held0)));
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("per_class", n);
      row.put("real_mean", Stats.mean(real));
      row.put("real_std", Stats.std(real));
      row.put("augmented_mean", Stats.mean(both));
      row.put("augmented_std", Stats.std(both));
      row.put("gain_mean", Stats.mean(gain));
      row.put("gain_std", Stats.std(gain));
      summary.add(row);
    }
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("data", train.name());
    report.put("test", held.name());
    report.put("gan", Json.parseObject(settings.training().toJson()));
    report.put("generated_per_class", generated);
    report.put("classifier_steps", classifierSteps);
    report.put("psi", psi);
    report.put("seeds", seeds);
    report.put("summary", summary);
    report.put("trials", trials);
    Files.writeString(dir.resolve("augment.json"), Json.writePretty(report));
    Files.writeString(dir.resolve("augment.md"), md.toString());
    System.out.print(md);
    System.out.println("-> " + dir + " (augment.json, augment.md, samples-N.png)");
    return 0;
  }

  private AugmentationStudy.Settings settings(ImageDataset train) {
    long[] shape = train.sampleShape();
    ModelConfig model;
    try {
      model =
          Family.of(family)
              .preset(preset, (int) shape[0], (int) shape[1])
              .withLabels(train.labelCount());
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      throw new Cli.UserError("--family/--preset: " + e.getMessage());
    }
    if (model.resolution() != shape[1]) {
      throw new Cli.UserError(
          "the "
              + family
              + " preset makes "
              + model.resolution()
              + "x"
              + model.resolution()
              + " images; the data are "
              + shape[1]
              + "x"
              + shape[2]
              + " (dcgan's fashion28 fits Fashion-MNIST)");
    }
    Augmentation augment;
    try {
      augment = Augmentation.valueOf(ganAugment.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new Cli.UserError(
          "--gan-augment must be none, diffaugment or ada, got '" + ganAugment + "'");
    }
    TrainingConfig cfg =
        TrainingConfig.defaults(model, Cli.images(ganImages)).toBuilder().augment(augment).build();
    try {
      return new AugmentationStudy.Settings(cfg, generated, classifierSteps, psi);
    } catch (IllegalArgumentException e) {
      throw new Cli.UserError(e.getMessage());
    }
  }

  private static ImageDataset labelled(String spec, String option) throws IOException {
    Dataset d = Cli.dataset(spec, ImageTransform.asIs(), 1);
    if (!(d instanceof ImageDataset img) || d.labelCount() == 0) {
      throw new Cli.UserError(
          option
              + " "
              + spec
              + ": needs labelled images held in memory (fashion-mnist, embedded"
              + " or a folder with IDX files)");
    }
    return img;
  }
}
