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
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.eigen.Eigen;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code gan directions}: interpretable latent directions without labels, by closed-form
 * factorisation (Shen and Zhou 2021, SeFa): the style affine of the first synthesis layer maps
 * {@code w} to styles, {@code s = A w}; directions {@code n} that change the styles most maximise
 * {@code |A n|}, the eigenvectors of {@code A^T A} with the largest eigenvalues (A's rows
 * normalised first).
 */
@Command(
    name = "directions",
    mixinStandardHelpOptions = true,
    description =
        "Find interpretable latent directions without labels (closed-form factorisation, SeFa) and"
            + " render each as a row of images stepping along it.")
public final class DirectionsCommand implements Callable<Integer> {
  @Option(
      names = "--checkpoint",
      required = true,
      description =
          "A StyleGAN or StyleGAN2 checkpoint, or a StyleGAN2 of stylegan2-ada-pytorch (.pkl) or"
              + " rosinality (.pt).")
  Path checkpoint;

  @Option(
      names = "--count",
      defaultValue = "5",
      description = "Directions to show (default ${DEFAULT-VALUE}).")
  int count;

  @Option(
      names = "--steps",
      defaultValue = "7",
      description = "Images per direction (default ${DEFAULT-VALUE}).")
  int steps;

  @Option(
      names = "--strength",
      defaultValue = "3.0",
      description = "Largest step along a direction (default ${DEFAULT-VALUE}).")
  double strength;

  @Option(
      names = "--seed",
      defaultValue = "0",
      description = "Seed of the starting image (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--psi",
      defaultValue = "0.7",
      description = "Truncation of the starting image (default ${DEFAULT-VALUE}).")
  double psi;

  @Option(
      names = "--out",
      defaultValue = "directions.png",
      description = "Output PNG (default ${DEFAULT-VALUE}).")
  Path out;

  /** The top {@code count} directions, rows of {@code [count, wDim]}, largest eigenvalue first. */
  static double[][] directions(StyleGenerator g, int count) {
    INDArray a = g.firstStyleWeight().data().castTo(DataType.DOUBLE); // [styles, wDim]
    INDArray norms = a.norm2(1).reshape(-1, 1).addi(1e-12);
    INDArray normalised = a.divColumnVector(norms);
    INDArray ata = normalised.transpose().mmul(normalised); // [wDim, wDim]
    INDArray vectors = ata.dup();
    INDArray values =
        Eigen.symmetricGeneralizedEigenvalues(vectors, true); // ascending; vectors in columns
    int d = (int) values.length();
    int k = Math.min(count, d);
    double[][] out = new double[k][d];
    for (int i = 0; i < k; i++) {
      for (int j = 0; j < d; j++) {
        out[i][j] = vectors.getDouble(j, d - 1 - i);
      }
    }
    return out;
  }

  @Override
  public Integer call() throws IOException {
    if (count < 1 || steps < 2) {
      throw new Cli.UserError("--count must be >= 1 and --steps >= 2");
    }
    Checkpoint.Contents c = Cli.checkpoint(checkpoint);
    StyleGenerator g = StyleCommands.styleGenerator(c, "gan directions");
    double[][] dirs = directions(g, count);
    try (TensorScope s = TensorScope.open()) {
      Tensor w0 = StyleCommands.ws(g, new long[] {seed}, psi); // [1, numWs, wDim]
      List<Tensor> rows = new ArrayList<>();
      for (double[] dir : dirs) {
        Tensor d = Tensor.of(dir, 1, 1, dir.length).to(w0.dtype());
        for (int i = 0; i < steps; i++) {
          double alpha = -strength + 2 * strength * i / (steps - 1);
          rows.add(w0.add(d.mul(alpha)));
        }
      }
      Tensor img = StyleCommands.render(g, Tensor.concat(0, rows.toArray(new Tensor[0])));
      ImageGrid.write(img, steps, img.size(2) <= 32 ? 2 : 1, out);
    }
    System.out.printf(
        "wrote %s: %d directions (rows), %d steps from -%.1f to +%.1f (columns)%n",
        out, dirs.length, steps, strength, strength);
    return 0;
  }
}
