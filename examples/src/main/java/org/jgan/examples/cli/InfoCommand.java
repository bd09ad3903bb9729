package org.jgan.examples.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jgan.train.checkpoint.Checkpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code gan info}: what a checkpoint holds. */
@Command(
    name = "info",
    mixinStandardHelpOptions = true,
    description = "Show what a checkpoint holds: family, config, images seen, parameter counts.")
public final class InfoCommand implements Callable<Integer> {
  @Option(
      names = "--checkpoint",
      required = true,
      description =
          "A run's checkpoint.safetensors, or a StyleGAN2 of stylegan2-ada-pytorch (.pkl) or"
              + " rosinality (.pt).")
  Path checkpoint;

  @Override
  public Integer call() {
    Checkpoint.Contents c = Cli.checkpoint(checkpoint);
    System.out.printf(Locale.ROOT, "checkpoint   %s%n", checkpoint);
    System.out.printf(Locale.ROOT, "family       %s%n", c.config().model().family());
    System.out.printf(Locale.ROOT, "dataset      %s%n", c.dataset());
    System.out.printf(
        Locale.ROOT,
        "images seen  %,d (%.1f kimg) of %,d, step %d%n",
        c.state().imagesSeen(),
        c.state().imagesSeen() / 1000.0,
        c.config().totalImages(),
        c.state().step());
    System.out.printf(
        Locale.ROOT,
        "parameters   G %,d  D %,d  G_ema %,d%n",
        c.parameterCount("G"),
        c.parameterCount("D"),
        c.parameterCount("G_ema"));
    System.out.printf(Locale.ROOT, "provenance   %s%n", c.metadata().get("provenance"));
    System.out.println("config");
    System.out.print(c.config().toJson());
    return 0;
  }
}
