package org.jgan.examples.cli;

import java.nio.file.Path;
import org.jgan.models.StyleGenerator;
import picocli.CommandLine.Option;

/** The settings that {@code gan project} and {@code gan restore} share (a picocli mixin). */
public final class ProjectionOptions {
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
