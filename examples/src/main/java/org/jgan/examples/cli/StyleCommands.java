package org.jgan.examples.cli;

import org.jgan.core.autograd.GradMode;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.models.Generator;
import org.jgan.models.StyleGenerator;
import org.jgan.models.blocks.NoiseMode;
import org.jgan.train.checkpoint.Checkpoint;

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

  /** Images from {@code ws} with the model's constant noise. */
  static Tensor render(StyleGenerator g, Tensor ws) {
    try (GradMode.Guard off = GradMode.disabled()) {
      return g.synthesis(ws, NoiseMode.CONST, (Rng) null);
    }
  }
}
