package org.jgan.examples.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jgan.core.io.Json;
import org.jgan.models.Generator;
import org.jgan.train.checkpoint.Checkpoint;
import org.jgan.train.data.Dataset;
import org.jgan.train.data.ImageTransform;
import org.jgan.train.metrics.Metrics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code gan evaluate}: FD, KID and precision/recall of a checkpoint against a dataset. */
@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    description =
        "Frechet distance, KID (x1000) and precision/recall (k = 3) of a checkpoint's samples"
            + " against a dataset, in the feature space of the Fashion-MNIST classifier; printed"
            + " and written as JSON.")
public final class EvaluateCommand implements Callable<Integer> {
  @Option(names = "--checkpoint", required = true, description = "A run's checkpoint.safetensors.")
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
      names = "--out",
      description = "JSON output (default metrics.json beside the checkpoint).")
  Path out;

  @Override
  public Integer call() throws IOException {
    Checkpoint.Contents c = Cli.checkpoint(checkpoint);
    Generator g = Cli.generator(c);
    long[] shape = g.sampleShape();
    String why = Metrics.cannotMeasure(shape, "this model's output");
    if (why != null) {
      throw new Cli.UserError("cannot evaluate: " + why);
    }
    if (samples < 10) {
      throw new Cli.UserError("--samples must be >= 10");
    }
    Dataset d = Cli.fit(Cli.dataset(data, ImageTransform.asIs(), 1), (int) shape[1]);
    String caution = Metrics.caution(d.name());
    if (caution != null) {
      System.out.println("note: " + caution);
    }
    Metrics.Report r = Metrics.evaluate(g, d, samples, 1);
    Map<String, Object> m = r.toMap();
    m.put("checkpoint", checkpoint.toString());
    m.put("kimg", c.state().imagesSeen() / 1000.0);
    m.put("data", d.name());
    Path target =
        out != null ? out : checkpoint.toAbsolutePath().getParent().resolve("metrics.json");
    Files.writeString(target, Json.writePretty(m), StandardCharsets.UTF_8);
    System.out.printf(
        Locale.ROOT,
        "FD %.3f  KID x1000 %.3f  precision %.4f  recall %.4f  (%d samples vs %s) -> %s%n",
        r.fd(),
        r.kidTimes1000(),
        r.precision(),
        r.recall(),
        r.samples(),
        d.name(),
        target);
    return 0;
  }
}
