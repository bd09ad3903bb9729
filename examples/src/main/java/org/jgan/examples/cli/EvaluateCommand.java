package org.jgan.examples.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jgan.core.io.Json;
import org.jgan.models.Generator;
import org.jgan.models.Sampling;
import org.jgan.train.checkpoint.Checkpoint;
import org.jgan.train.data.Dataset;
import org.jgan.train.data.FashionMnist;
import org.jgan.train.data.ImageTransform;
import org.jgan.train.metrics.FeatureSpace;
import org.jgan.train.metrics.Metrics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code gan evaluate}: FD, KID and precision/recall of a checkpoint against a dataset. */
@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    description =
        "Frechet distance, KID (x1000) and precision/recall (k = 3) of a checkpoint's samples"
            + " against a dataset, in the feature space of the Fashion-MNIST classifier or, with"
            + " --inception, of Inception-v3 (the FID of the papers); printed and written as JSON.")
public final class EvaluateCommand implements Callable<Integer> {
  @Option(
      names = "--checkpoint",
      required = true,
      description =
          "A run's checkpoint.safetensors, or a StyleGAN2 of stylegan2-ada-pytorch (.pkl) or"
              + " rosinality (.pt).")
  Path checkpoint;

  @Option(
      names = "--data",
      defaultValue = "embedded",
      description = "Reference data (default ${DEFAULT-VALUE}: the Fashion-MNIST test split).")
  String data;

  @Option(
      names = "--samples",
      defaultValue = "5000",
      description = "Samples on each side (default ${DEFAULT-VALUE}).")
  int samples;

  @Option(
      names = "--class-samples",
      defaultValue = "500",
      description =
          "Conditional Fashion-MNIST models: samples per class for the per-class figures against"
              + " the data's images of that class: the share the classifier assigns to the class,"
              + " FD, precision, recall and the spread within the class (default"
              + " ${DEFAULT-VALUE}; 0 = skip).")
  int classSamples;

  @Option(
      names = "--generator",
      defaultValue = "ema",
      description =
          "Which generator of the checkpoint: ema (the averaged G_ema, or G when the run kept no"
              + " average) or raw (the trained G), to see what the average adds (default"
              + " ${DEFAULT-VALUE}).")
  String generator;

  @Option(
      names = "--psi",
      defaultValue = "1.0",
      description =
          "Truncation of the samples (StyleGAN and StyleGAN2 models): w pulled towards a centre, w'"
              + " = centre + psi (w - centre) (default ${DEFAULT-VALUE}: none).")
  double psi;

  @Option(
      names = "--truncation",
      defaultValue = "average",
      description =
          "The centre --psi pulls towards: average (the tracked w_avg, as in the papers) or class"
              + " (the mean w of each sample's class, conditional models) (default"
              + " ${DEFAULT-VALUE}).")
  String truncation;

  @Option(
      names = "--inception",
      paramLabel = "FILE",
      description =
          "Measure in Inception-v3's pool3 features (FID, KID as papers report them) with the"
              + " weights of pytorch-fid's pt_inception-2015-12-05-6726825d.pth; any resolution,"
              + " 1 or 3 channels (default: the Fashion-MNIST classifier).")
  Path inception;

  @Option(
      names = "--out",
      description =
          "JSON output (default: evaluation.json beside the checkpoint, or evaluation-N.json with"
              + " the next free N; the training run's metrics.json is kept).")
  Path out;

  @Override
  public Integer call() throws IOException {
    Checkpoint.Contents c = Cli.checkpoint(checkpoint);
    if (!generator.equals("ema") && !generator.equals("raw")) {
      throw new Cli.UserError("--generator must be ema or raw, got " + generator);
    }
    Generator g = Cli.generator(c, generator.equals("ema"));
    long[] shape = g.sampleShape();
    FeatureSpace space = Cli.featureSpace(inception);
    String why = space.cannotMeasure(shape, "this model's output");
    if (why != null) {
      throw new Cli.UserError("cannot evaluate: " + why);
    }
    if (samples < 10) {
      throw new Cli.UserError("--samples must be >= 10");
    }
    if (classSamples != 0 && classSamples < 10) {
      throw new Cli.UserError("--class-samples must be 0 or >= 10, got " + classSamples);
    }
    Dataset d = Cli.fit(Cli.dataset(data, ImageTransform.asIs(), 1), (int) shape[1]);
    String caution = inception == null ? Metrics.caution(d.name()) : null;
    if (caution != null) {
      System.out.println("note: " + caution);
    }
    Sampling sampling = Cli.sampling(g, psi, truncation);
    Metrics.Report r = Metrics.evaluate(space, g, d, samples, 1, sampling);
    Map<String, Object> m = r.toMap();
    m.put("checkpoint", checkpoint.toString());
    m.put("kimg", c.state().imagesSeen() / 1000.0);
    m.put("data", d.name());
    m.put("generator", generator);
    m.put("psi", psi);
    m.put("truncation", truncation);
    Metrics.ClassReport[] classes = null;
    if (g.labelCount() == 10
        && classSamples > 0
        && d.name().startsWith("fashion-mnist")
        && d.labelCount() == 10) {
      classes = Metrics.byClass(g, d, classSamples, 2, sampling);
      Map<String, Object> accuracy = new LinkedHashMap<>();
      Map<String, Object> byClass = new LinkedHashMap<>();
      for (Metrics.ClassReport k : classes) {
        accuracy.put(FashionMnist.CLASSES.get(k.label()), k.accuracy());
        byClass.put(FashionMnist.CLASSES.get(k.label()), k.toMap());
      }
      m.put("class_accuracy", accuracy);
      m.put(
          "class_accuracy_min",
          Arrays.stream(classes).mapToDouble(Metrics.ClassReport::accuracy).min().orElse(0));
      m.put("class_samples", classSamples);
      m.put("by_class", byClass);
    }
    Path target = out != null ? out : freeName(checkpoint.toAbsolutePath().getParent());
    Files.writeString(target, Json.writePretty(m), StandardCharsets.UTF_8);
    System.out.printf(
        Locale.ROOT,
        "%s %.3f  KID x1000 %.3f  precision %.4f  recall %.4f  (%d samples%s vs %s) -> %s%n",
        inception == null ? "FD" : "FID",
        r.fd(),
        r.kidTimes1000(),
        r.precision(),
        r.recall(),
        r.samples(),
        psi == 1.0 ? "" : String.format(Locale.ROOT, ", psi %s towards the %s", psi, truncation),
        d.name(),
        target);
    if (classes != null) {
      System.out.printf(
          "each class's %d samples against %s's images of it: the share of samples the"
              + " classifier assigns to the class (and of the data's images: its ceiling), FD,"
              + " precision, recall, and the spread of features and pixels (1 = as varied as the"
              + " data):%n",
          classSamples, d.name());
      System.out.println(
          "  class         share   (data)      FD  prec  recall  f-spread  p-spread");
      for (Metrics.ClassReport k : classes) {
        System.out.printf(
            Locale.ROOT,
            "  %-12s %5.1f%%  (%5.1f%%) %7.2f %5.3f %7.3f %9.3f %9.3f%n",
            FashionMnist.CLASSES.get(k.label()),
            100 * k.accuracy(),
            100 * k.realAccuracy(),
            k.fd(),
            k.precision(),
            k.recall(),
            k.featureSpread(),
            k.pixelSpread());
      }
    }
    return 0;
  }

  /** {@code evaluation.json} in {@code dir}, or {@code evaluation-N.json} if that exists. */
  private static Path freeName(Path dir) {
    Path p = dir.resolve("evaluation.json");
    for (int n = 1; Files.exists(p); n++) {
      p = dir.resolve("evaluation-" + n + ".json");
    }
    return p;
  }
}
