package org.jgan.examples.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Tensor;
import org.jgan.models.StyleGenerator;
import org.jgan.train.data.Batch;
import org.jgan.train.data.Dataset;
import org.jgan.train.data.ImageTransform;
import picocli.CommandLine.Option;

/** The settings that {@code gan project} and {@code gan restore} share (a picocli mixin). */
public final class ProjectionOptions {
  @Option(
      names = "--checkpoint",
      required = true,
      description = "A StyleGAN or StyleGAN2 checkpoint (or a stylegan2-ada/rosinality file).")
  Path checkpoint;

  @Option(
      names = "--label",
      defaultValue = "0",
      description = "The class, for a conditional generator (default ${DEFAULT-VALUE}).")
  int label;

  @Option(names = "--w-plus", description = "One latent per layer (W+) instead of one for all.")
  boolean wPlus;

  @Option(
      names = "--steps",
      defaultValue = "1000",
      description = "Optimisation steps (default ${DEFAULT-VALUE}).")
  int steps;

  @Option(
      names = "--features",
      defaultValue = "auto",
      description =
          "The perceptual distance: classifier (the shipped Fashion-MNIST classifier's features,"
              + " one channel at 28 or 32), pixels (none), or auto (the classifier where it"
              + " applies, else pixels); --inception FILE uses Inception's pool3 instead.")
  String features;

  @Option(
      names = "--inception",
      paramLabel = "FILE",
      description = "Inception's pool3 as the perceptual distance (pytorch-fid's weights).")
  Path inception;

  @Option(
      names = "--pixel-weight",
      defaultValue = "1.0",
      description = "Weight of the mean squared pixel error (default ${DEFAULT-VALUE}).")
  double pixelWeight;

  @Option(names = "--seed", defaultValue = "0", description = "Seed (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--data",
      description =
          "Measure on a dataset's images instead of one --target: embedded (the Fashion-MNIST"
              + " test split, held out from a model trained on the training split), fashion-mnist,"
              + " a folder or a .zip; conditional generators take each image's own label. Writes"
              + " evaluation.json (per image and mean +- standard deviation) and a grid.")
  String data;

  @Option(
      names = "--images",
      defaultValue = "0-99",
      description = "With --data: which images, e.g. 0-99 or 3,7 (default ${DEFAULT-VALUE}).")
  String images;

  @Option(
      names = "--batch",
      defaultValue = "25",
      description =
          "With --data: images projected at once, each on its own (default ${DEFAULT-VALUE}).")
  int batch;

  /** Images of {@code --data} at the generator's size, their labels and their indices. */
  record Targets(Tensor images, int[] labels, int[] indices) {
    /** Images {@code from..to-1} of the targets. */
    Targets slice(int from, int to) {
      return new Targets(
          images.slice(0, from, to),
          Arrays.copyOfRange(labels, from, to),
          Arrays.copyOfRange(indices, from, to));
    }
  }

  /** The images {@code --images} of {@code --data} for {@code g}, checked. */
  Targets targets(StyleGenerator g) throws IOException {
    if (batch < 1) {
      throw new Cli.UserError("--batch must be >= 1");
    }
    long[] shape = g.sampleShape();
    Dataset d = Cli.fit(Cli.dataset(data, ImageTransform.asIs(), 1), (int) shape[1]);
    if (!Arrays.equals(d.sampleShape(), shape)) {
      throw new Cli.UserError(
          "--data "
              + data
              + " holds images of "
              + Arrays.toString(d.sampleShape())
              + "; the generator makes "
              + Arrays.toString(shape));
    }
    if (g.labelCount() > 0 && d.labelCount() != g.labelCount()) {
      throw new Cli.UserError(
          "the generator is conditional on "
              + g.labelCount()
              + " classes; --data "
              + data
              + " has "
              + (d.labelCount() == 0 ? "no labels" : d.labelCount() + " classes"));
    }
    long[] picked = Cli.seeds(images);
    int[] idx = new int[picked.length];
    for (int i = 0; i < idx.length; i++) {
      if (picked[i] < 0 || picked[i] >= d.size()) {
        throw new Cli.UserError(
            "--images " + images + ": " + d.name() + " has images 0-" + (d.size() - 1));
      }
      idx[i] = (int) picked[i];
    }
    Batch b = d.batch(idx, null, DType.FLOAT32);
    int[] labels = b.labels() != null ? b.labels() : new int[idx.length];
    return new Targets(b.x(), labels, idx);
  }

  /** Checks {@code --label} and {@code --steps} against the generator. */
  void check(StyleGenerator g) {
    if (g.labelCount() > 0 && (label < 0 || label >= g.labelCount())) {
      throw new Cli.UserError(
          "--label must be in [0, " + g.labelCount() + ") for this conditional generator");
    }
    if (steps < 1) {
      throw new Cli.UserError("--steps must be >= 1");
    }
  }
}
