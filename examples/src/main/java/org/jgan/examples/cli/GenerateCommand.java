package org.jgan.examples.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import org.jgan.core.autograd.GradMode;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.tensor.TensorScope;
import org.jgan.models.Generator;
import org.jgan.models.Sampling;
import org.jgan.train.checkpoint.Checkpoint;
import org.jgan.train.data.FashionMnist;
import org.jgan.train.image.ImageGrid;
import org.jgan.train.image.Png;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code gan generate}: images from a checkpoint. */
@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    description =
        "Generate images from a checkpoint: one per seed (and class), as PNGs or one grid, or a"
            + " labelled folder of N per class.")
public final class GenerateCommand implements Callable<Integer> {
  @Option(names = "--checkpoint", required = true, description = "A run's checkpoint.safetensors.")
  Path checkpoint;

  @Option(
      names = "--seeds",
      defaultValue = "0-15",
      description = "Seeds, e.g. 0-15 or 3,7 (default ${DEFAULT-VALUE}).")
  String seeds;

  @Option(
      names = "--class",
      description = "Class index for a conditional model (default: seed modulo the class count).")
  Integer label;

  @Option(
      names = "--psi",
      defaultValue = "1.0",
      description = "Truncation psi, 0..1 (default ${DEFAULT-VALUE}).")
  double psi;

  @Option(names = "--grid", description = "Write one grid (grid.png) instead of one PNG per seed.")
  boolean grid;

  @Option(
      names = "--per-class",
      description = "Write N images per class into <out>/<class>/ (conditional models).")
  Integer perClass;

  @Option(
      names = "--out",
      defaultValue = "generated",
      description = "Output folder (default ${DEFAULT-VALUE}).")
  Path out;

  @Override
  public Integer call() throws IOException {
    Checkpoint.Contents c = Cli.checkpoint(checkpoint);
    Generator g = Cli.generator(c);
    Sampling sampling = Sampling.fixed(psi);
    if (perClass != null) {
      return labelledFolder(c, g, sampling);
    }
    long[] s = Cli.seeds(seeds);
    int[] labels = null;
    if (g.labelCount() > 0) {
      labels = new int[s.length];
      for (int i = 0; i < s.length; i++) {
        labels[i] = label != null ? label : (int) Math.floorMod(s[i], (long) g.labelCount());
        if (labels[i] < 0 || labels[i] >= g.labelCount()) {
          throw new Cli.UserError(
              "--class " + labels[i] + " is outside [0, " + g.labelCount() + ")");
        }
      }
    } else if (label != null) {
      throw new Cli.UserError(
          "--class: this " + c.config().model().family() + " model is unconditional");
    }
    try (TensorScope scope = TensorScope.open();
        GradMode.Guard off = GradMode.disabled()) {
      Tensor img = g.forward(Cli.latents(g, s), labels, sampling);
      if (img.rank() != 4) {
        throw new Cli.UserError("this model generates points, not images");
      }
      int scale = img.size(2) <= 32 ? 2 : 1;
      if (grid) {
        ImageGrid.write(img, (int) Math.ceil(Math.sqrt(s.length)), scale, out.resolve("grid.png"));
        System.out.println("wrote " + out.resolve("grid.png"));
      } else {
        for (int i = 0; i < s.length; i++) {
          Png.write(
              ImageGrid.single(img, i, scale), out.resolve(String.format("seed%04d.png", s[i])));
        }
        System.out.println("wrote " + s.length + " images to " + out);
      }
    }
    return 0;
  }

  private int labelledFolder(Checkpoint.Contents c, Generator g, Sampling sampling)
      throws IOException {
    if (g.labelCount() == 0) {
      throw new Cli.UserError("--per-class needs a conditional model (train with --conditional)");
    }
    List<String> names = classNames(c, g.labelCount());
    Rng rng = new Rng(Cli.seeds(seeds)[0]);
    for (int k = 0; k < g.labelCount(); k++) {
      String dir = names.get(k).replaceAll("[^A-Za-z0-9._-]", "_");
      for (int at = 0; at < perClass; at += 64) {
        int n = Math.min(64, perClass - at);
        try (TensorScope scope = TensorScope.open();
            GradMode.Guard off = GradMode.disabled()) {
          int[] labels = new int[n];
          Arrays.fill(labels, k);
          Tensor img = g.forward(g.sampleLatents(n, rng), labels, sampling);
          for (int i = 0; i < n; i++) {
            Png.write(
                ImageGrid.single(img, i, 1),
                out.resolve(dir).resolve(String.format("%05d.png", at + i)));
          }
        }
      }
    }
    System.out.printf(
        "wrote %d images per class for %d classes to %s%n", perClass, g.labelCount(), out);
    return 0;
  }

  static List<String> classNames(Checkpoint.Contents c, int count) {
    if (c.dataset() != null && c.dataset().startsWith("fashion-mnist") && count == 10) {
      return FashionMnist.CLASSES;
    }
    return IntStream.range(0, count).mapToObj(i -> "class" + i).toList();
  }
}
