package org.jgan.examples;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.jgan.examples.cli.Cli;
import org.jgan.examples.families.FamilyExamples;
import org.jgan.train.loop.RunFolders;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code gan example <name>}: the per-family example programs. */
@Command(
    name = "example",
    mixinStandardHelpOptions = true,
    description = {
      "Run a per-family example (writes into a new folder runs/NNNNN-example-<name>):",
      "  vanilla       vanilla GAN on the 25-Gaussian grid, scatter plot and modes covered",
      "  dcgan         DCGAN on Fashion-MNIST 28x28",
      "  progressive   progressive GAN growing 4x4 -> 32x32",
      "  stylegan      StyleGAN with the style-mixing grid",
      "  stylegan2     class-conditional StyleGAN2, one row per class"
    })
public final class ExampleCommand implements Callable<Integer> {
  private static final List<String> NAMES =
      List.of("vanilla", "dcgan", "progressive", "stylegan", "stylegan2");

  @Parameters(index = "0", description = "vanilla, dcgan, progressive, stylegan or stylegan2")
  String name;

  @Option(
      names = "--images",
      description = "Images to train on (each example has its own default).")
  String images;

  @Option(
      names = "--out",
      description =
          "Output folder, which must not hold a run (default: a new runs/NNNNN-example-<name>).")
  Path out;

  @Override
  public Integer call() throws IOException {
    if (!NAMES.contains(name)) {
      throw new Cli.UserError(
          "unknown example '"
              + name
              + "'; choose vanilla, dcgan, progressive, stylegan or stylegan2");
    }
    if (images != null) {
      Cli.images(images); // a wrong count is refused before a folder is made
    }
    Path dir;
    if (out != null) {
      try {
        RunFolders.checkFree(out);
      } catch (FileAlreadyExistsException e) {
        throw new Cli.UserError("--out " + e.getFile() + " " + e.getReason());
      }
      dir = out;
    } else {
      dir = RunFolders.next(Path.of("runs"), "example-" + name);
    }
    switch (name) {
      case "vanilla":
        FamilyExamples.vanillaGrid25(dir, count(2_000_000));
        break;
      case "dcgan":
        FamilyExamples.dcgan(dir, count(300_000));
        break;
      case "progressive":
        FamilyExamples.progressive(dir, count(160_000));
        break;
      case "stylegan":
        FamilyExamples.styleGanMixing(dir, count(100_000));
        break;
      case "stylegan2":
        FamilyExamples.conditionalStyleGan2(dir, count(100_000));
        break;
      default:
        throw new IllegalStateException("unreachable: " + name + " was checked against NAMES");
    }
    return 0;
  }

  private long count(long fallback) {
    return images == null ? fallback : Cli.images(images);
  }
}
