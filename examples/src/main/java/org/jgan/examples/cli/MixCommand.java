package org.jgan.examples.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.tensor.TensorScope;
import org.jgan.models.StyleGenerator;
import org.jgan.train.checkpoint.Checkpoint;
import org.jgan.train.image.ImageGrid;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code gan mix}: the style-mixing grid of the StyleGAN paper. */
@Command(
    name = "mix",
    mixinStandardHelpOptions = true,
    description = {
      "The style-mixing figure of the StyleGAN paper: the top row shows the column seeds (source"
          + " A), the left column the row seeds (source B); each cell takes source B's styles in"
          + " the chosen layers and source A's elsewhere.",
      "Layers: coarse = the first quarter of the latents (4x4-8x8), middle = the second quarter,"
          + " fine = the rest."
    })
public final class MixCommand implements Callable<Integer> {
  @Option(
      names = "--checkpoint",
      required = true,
      description =
          "A StyleGAN or StyleGAN2 checkpoint, or a StyleGAN2 of stylegan2-ada-pytorch (.pkl) or"
              + " rosinality (.pt).")
  Path checkpoint;

  @Option(
      names = "--rows",
      defaultValue = "10-13",
      description = "Row seeds, source B (default ${DEFAULT-VALUE}).")
  String rows;

  @Option(
      names = "--cols",
      defaultValue = "0-4",
      description = "Column seeds, source A (default ${DEFAULT-VALUE}).")
  String cols;

  @Option(
      names = "--styles",
      defaultValue = "coarse",
      description = "coarse, middle or fine (default ${DEFAULT-VALUE}).")
  String styles;

  @Option(
      names = "--psi",
      defaultValue = "1.0",
      description = "Truncation psi (default ${DEFAULT-VALUE}).")
  double psi;

  @Option(
      names = "--out",
      defaultValue = "mix.png",
      description = "Output PNG (default ${DEFAULT-VALUE}).")
  Path out;

  /** The latent range {@code [from, to)} of a style group for {@code numWs} latents. */
  static int[] range(String styles, int numWs) {
    int quarter = Math.max(1, numWs / 4);
    switch (styles) {
      case "coarse":
        return new int[] {0, quarter};
      case "middle":
        return new int[] {quarter, Math.min(numWs, 2 * quarter)};
      case "fine":
        return new int[] {Math.min(numWs, 2 * quarter), numWs};
      default:
        throw new Cli.UserError("--styles must be coarse, middle or fine; got '" + styles + "'");
    }
  }

  @Override
  public Integer call() throws IOException {
    Checkpoint.Contents c = Cli.checkpoint(checkpoint);
    StyleGenerator g = StyleCommands.styleGenerator(c, "gan mix");
    long[] r = Cli.seeds(rows);
    long[] k = Cli.seeds(cols);
    int[] span = range(styles, g.numWs());
    try (TensorScope s = TensorScope.open()) {
      Tensor wsA = StyleCommands.ws(g, k, psi);
      Tensor wsB = StyleCommands.ws(g, r, psi);
      Tensor imgA = StyleCommands.render(g, wsA);
      Tensor imgB = StyleCommands.render(g, wsB);
      Tensor blank = Tensor.full(imgA.dtype(), -1.0, 1, imgA.size(1), imgA.size(2), imgA.size(3));
      List<Tensor> cells = new ArrayList<>();
      cells.add(blank);
      cells.add(imgA);
      for (int i = 0; i < r.length; i++) {
        cells.add(imgB.slice(0, i, i + 1));
        Tensor b = wsB.slice(0, i, i + 1).expand(k.length, g.numWs(), g.wDim());
        // latents before span[0] from A, span[0]..span[1]-1 from B, the rest from A
        Tensor mixed = StyleGenerator.mix(StyleGenerator.mix(wsA, b, span[0]), wsA, span[1]);
        cells.add(StyleCommands.render(g, mixed));
      }
      ImageGrid.write(
          Tensor.concat(0, cells.toArray(new Tensor[0])),
          k.length + 1,
          imgA.size(2) <= 32 ? 2 : 1,
          out);
    }
    System.out.printf(
        "wrote %s: %d x %d, %s styles (latents %d-%d of %d) from the row seeds%n",
        out, r.length, k.length, styles, span[0], span[1] - 1, g.numWs());
    return 0;
  }
}
