package org.jgan.examples.cli;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import me.tongfei.progressbar.ProgressBar;
import org.jgan.core.autograd.GradMode;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.tensor.TensorScope;
import org.jgan.models.Generator;
import org.jgan.models.Sampling;
import org.jgan.train.checkpoint.Checkpoint;
import org.jgan.train.data.DatasetWriter;
import org.jgan.train.data.FashionMnist;
import org.jgan.train.data.ImageDataset;
import org.jgan.train.image.ImageGrid;
import org.jgan.train.image.Png;
import org.jgan.train.loop.RunFolders;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code gan generate}: images from a checkpoint. */
@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    description = {
      "Generate images from a checkpoint at the model's own size and channels (grey PNGs for one"
          + " channel): one per seed (and class), one grid, or a labelled dataset of N per class"
          + " that gan dataset and gan train --data read back.",
      "Any number of seeds runs in batches of --batch; nothing existing is overwritten."
    })
public final class GenerateCommand implements Callable<Integer> {
  @Option(
      names = "--checkpoint",
      required = true,
      description =
          "A run's checkpoint.safetensors, or a StyleGAN2 of stylegan2-ada-pytorch (.pkl) or"
              + " rosinality (.pt).")
  Path checkpoint;

  @Option(
      names = "--seeds",
      defaultValue = "0-15",
      description =
          "Seeds, e.g. 0-15 or 3,7 (default ${DEFAULT-VALUE}); with --per-class the first seeds"
              + " the sampling.")
  String seeds;

  @Option(
      names = "--class",
      description = "Class index for a conditional model (default: seed modulo the class count).")
  Integer label;

  @Option(
      names = "--psi",
      defaultValue = "1.0",
      description =
          "Truncation psi of a StyleGAN or StyleGAN2 model, 0..1; 1 is none (default"
              + " ${DEFAULT-VALUE}).")
  double psi;

  @Option(
      names = "--truncation",
      defaultValue = "average",
      description =
          "The centre --psi pulls towards: average (the tracked w_avg) or class (the mean w of each"
              + " sample's class, conditional models) (default ${DEFAULT-VALUE}).")
  String truncation;

  @Option(names = "--grid", description = "Write one grid (grid.png) instead of one PNG per seed.")
  boolean grid;

  @Option(
      names = "--scale",
      defaultValue = "1",
      description = "Enlarge every image this many times (nearest; previews). Default: 1.")
  int scale;

  @Option(
      names = "--per-class",
      description =
          "Write N images per class as a labelled dataset: PNGs in <class>/ folders and"
              + " dataset.json, into the --out folder or, if it ends in .zip, a ZIP file.")
  Integer perClass;

  @Option(
      names = "--batch",
      defaultValue = "32",
      description = "Images per forward pass (bounds the memory; default ${DEFAULT-VALUE}).")
  int batch;

  @Option(
      names = "--out",
      description =
          "Output folder, new or empty (or a .zip with --per-class); default: a new numbered"
              + " folder generated/NNNNN-<run>.")
  Path out;

  @Option(
      names = "--progress",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description = "Show a progress bar on a terminal (default on).")
  boolean progressBar;

  @Override
  public Integer call() throws IOException {
    if (batch < 1) {
      throw new Cli.UserError("--batch must be >= 1, got " + batch);
    }
    if (scale < 1 || scale > 64) {
      throw new Cli.UserError("--scale must be in 1..64, got " + scale);
    }
    Checkpoint.Contents c = Cli.checkpoint(checkpoint);
    Generator g = Cli.generator(c);
    if (g.sampleShape().length != 3) {
      throw new Cli.UserError("this model generates points, not images");
    }
    Sampling sampling = Cli.sampling(g, psi, truncation);
    long[] s = Cli.seeds(seeds);
    if (perClass != null) {
      if (perClass < 1) {
        throw new Cli.UserError("--per-class must be >= 1, got " + perClass);
      }
      return labelledDataset(c, g, sampling, new Rng(s[0]));
    }
    if (out != null && DatasetWriter.isZip(out)) {
      throw new Cli.UserError(
          "--out " + out + ": a .zip is written with --per-class only; give a folder for seeds");
    }
    int[] labels = labels(c, g, s);
    Path dir = outputFolder();
    if (grid) {
      try (TensorScope scope = TensorScope.open();
          GradMode.Guard off = GradMode.disabled()) {
        Tensor img = g.forward(Cli.latents(g, s), labels, sampling);
        ImageGrid.write(img, (int) Math.ceil(Math.sqrt(s.length)), scale, dir.resolve("grid.png"));
      }
      System.out.println("wrote " + dir.resolve("grid.png"));
      return 0;
    }
    try (ProgressBar bar = bar(s.length)) {
      for (int at = 0; at < s.length; at += batch) {
        int n = Math.min(batch, s.length - at);
        long[] part = Arrays.copyOfRange(s, at, at + n);
        try (TensorScope scope = TensorScope.open();
            GradMode.Guard off = GradMode.disabled()) {
          Tensor img =
              g.forward(
                  Cli.latents(g, part),
                  labels == null ? null : Arrays.copyOfRange(labels, at, at + n),
                  sampling);
          for (int i = 0; i < n; i++) {
            Png.write(
                ImageGrid.image(img, i, scale),
                dir.resolve(String.format("seed%04d.png", part[i])));
          }
        }
        if (bar != null) {
          bar.stepBy(n);
        }
      }
    }
    System.out.println("wrote " + s.length + " images to " + dir);
    return 0;
  }

  /** The class of each seed for a conditional model (null for an unconditional one). */
  private int[] labels(Checkpoint.Contents c, Generator g, long[] s) {
    if (g.labelCount() == 0) {
      if (label != null) {
        throw new Cli.UserError(
            "--class: this " + c.config().model().family() + " model is unconditional");
      }
      return null;
    }
    int[] labels = new int[s.length];
    for (int i = 0; i < s.length; i++) {
      labels[i] = label != null ? label : (int) Math.floorMod(s[i], (long) g.labelCount());
      if (labels[i] < 0 || labels[i] >= g.labelCount()) {
        throw new Cli.UserError("--class " + labels[i] + " is outside [0, " + g.labelCount() + ")");
      }
    }
    return labels;
  }

  /** --out if it is new or empty, else a new numbered folder under generated/. */
  private Path outputFolder() throws IOException {
    if (out == null) {
      String run = checkpoint.toAbsolutePath().getParent().getFileName().toString();
      return RunFolders.next(Path.of("generated"), run);
    }
    if (Files.exists(out)) {
      boolean empty;
      if (!Files.isDirectory(out)) {
        empty = false;
      } else {
        try (var files = Files.list(out)) {
          empty = files.findAny().isEmpty();
        }
      }
      if (!empty) {
        throw new Cli.UserError(
            "--out "
                + out
                + " exists and is not an empty folder; choose a new one (nothing is"
                + " overwritten)");
      }
    }
    return Files.createDirectories(out);
  }

  private int labelledDataset(Checkpoint.Contents c, Generator g, Sampling sampling, Rng rng)
      throws IOException {
    if (g.labelCount() == 0) {
      throw new Cli.UserError("--per-class needs a conditional model (train with --conditional)");
    }
    List<String> names = classNames(c, g.labelCount());
    long[] shape = g.sampleShape();
    Path target = out != null ? out : outputFolder();
    DatasetWriter w;
    try {
      w = DatasetWriter.create(target, (int) shape[0], (int) shape[1], names);
    } catch (FileAlreadyExistsException e) {
      throw new Cli.UserError("--out " + e.getFile() + " " + e.getReason());
    }
    boolean done = false;
    try (ProgressBar bar = bar((long) perClass * g.labelCount())) {
      for (int k = 0; k < g.labelCount(); k++) {
        String dir = names.get(k).replaceAll("[^A-Za-z0-9._-]", "_");
        for (int at = 0; at < perClass; at += batch) {
          int n = Math.min(batch, perClass - at);
          try (TensorScope scope = TensorScope.open();
              GradMode.Guard off = GradMode.disabled()) {
            int[] labels = new int[n];
            Arrays.fill(labels, k);
            Tensor img = g.forward(g.sampleLatents(n, rng), labels, sampling);
            byte[] bytes = ImageDataset.toBytes(img.toFloatArray());
            int per = bytes.length / n;
            for (int i = 0; i < n; i++) {
              w.add(
                  String.format("%s/%05d.png", dir, at + i),
                  Arrays.copyOfRange(bytes, i * per, (i + 1) * per),
                  k);
            }
          }
          if (bar != null) {
            bar.stepBy(n);
          }
        }
      }
      w.close();
      done = true;
    } finally {
      if (!done) {
        w.abort();
      }
    }
    System.out.printf(
        "wrote %d images per class for %d classes (%dx%dx%d) with dataset.json to %s%n",
        perClass, g.labelCount(), shape[0], shape[1], shape[2], target);
    return 0;
  }

  private ProgressBar bar(long total) {
    return progressBar ? Cli.progressBar("generate", total) : null;
  }

  static List<String> classNames(Checkpoint.Contents c, int count) {
    if (c.classes().size() == count) {
      return c.classes();
    }
    if (c.dataset() != null && c.dataset().startsWith("fashion-mnist") && count == 10) {
      return FashionMnist.CLASSES;
    }
    return IntStream.range(0, count).mapToObj(i -> "class" + i).toList();
  }
}
