package org.jgan.examples.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jgan.core.autograd.GradMode;
import org.jgan.core.kernels.Kernels;
import org.jgan.core.nn.Buffer;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.models.Generator;
import org.jgan.models.StyleGenerator;
import org.jgan.models.blocks.NoiseMode;
import org.jgan.train.checkpoint.Checkpoint;
import org.jgan.train.project.Projector;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** What the style commands (mix, directions, interpolate) share. */
final class StyleCommands {
  private StyleCommands() {}

  /** The checkpoint's generator, which must be style-based. */
  static StyleGenerator styleGenerator(Checkpoint.Contents c, String command) {
    Generator g = Cli.generator(c);
    if (!(g instanceof StyleGenerator sg)) {
      throw new Cli.UserError(
          command
              + " needs a StyleGAN or StyleGAN2 checkpoint; this one is "
              + c.config().model().family());
    }
    return sg;
  }

  /** {@code ws} for seeds (with truncation), class = seed mod classes for conditional models. */
  static Tensor ws(StyleGenerator g, long[] seeds, double psi) {
    try (GradMode.Guard off = GradMode.disabled()) {
      int[] labels = null;
      if (g.labelCount() > 0) {
        labels = new int[seeds.length];
        for (int i = 0; i < seeds.length; i++) {
          labels[i] = (int) Math.floorMod(seeds[i], (long) g.labelCount());
        }
      }
      return g.mapping(Cli.latents(g, seeds), labels, psi, -1, false);
    }
  }

  /**
   * Images from {@code ws} with {@code noise} (maps {@code [H, W]} in the order of the generator's
   * noise buffers, as {@code gan project} fits them) in place of the model's constant noise; the
   * model's own maps are back when this returns.
   */
  static Tensor render(StyleGenerator g, Tensor ws, List<Tensor> noise) {
    List<Buffer> buffers = Projector.noiseBuffers(g);
    if (noise.size() != buffers.size()) {
      throw new Cli.UserError(
          "the latent file has "
              + noise.size()
              + " noise maps; the generator has "
              + buffers.size());
    }
    List<INDArray> own = new ArrayList<>();
    try {
      for (int i = 0; i < buffers.size(); i++) {
        if (!Arrays.equals(buffers.get(i).shape(), noise.get(i).shape())) {
          throw new Cli.UserError(
              "noise map "
                  + i
                  + " of the latent file is "
                  + Arrays.toString(noise.get(i).shape())
                  + "; the generator's is "
                  + Arrays.toString(buffers.get(i).shape()));
        }
        DataType type = buffers.get(i).value().data().dataType();
        own.add(buffers.get(i).swap(Kernels.copy(noise.get(i).data(), type)));
      }
      return render(g, ws);
    } finally {
      for (int i = 0; i < own.size(); i++) {
        Kernels.free(buffers.get(i).swap(own.get(i)));
      }
    }
  }

  /** Images from {@code ws} with the model's constant noise. */
  static Tensor render(StyleGenerator g, Tensor ws) {
    try (GradMode.Guard off = GradMode.disabled()) {
      return g.synthesis(ws, NoiseMode.CONST, (Rng) null);
    }
  }
}
