package org.jgan.examples.cli;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jgan.core.autograd.GradMode;
import org.jgan.core.io.SafeTensors;
import org.jgan.core.io.WeightFileException;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.tensor.TensorScope;
import org.jgan.models.StyleGenerator;
import org.jgan.train.checkpoint.Checkpoint;
import org.jgan.train.image.ImageGrid;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code gan edit}: semantic edits of a latent, typically a real image's from {@code gan project}.
 */
@Command(
    name = "edit",
    mixinStandardHelpOptions = true,
    description = {
      "Edit a latent (a real image's, from gan project's projected.safetensors, or a sample's):"
          + " step along a SeFa direction (--direction K), move it to another class (--to-class"
          + " C), or mix its styles with samples' (--mix-seeds). Writes the frames (edit.png, and"
          + " edit.gif for a sequence) and their latents (edited.safetensors).",
      "A class change adds strength times the difference of the two classes' average w (10,000"
          + " latents each) to every latent: the generator's own notion of what separates the"
          + " classes, applied to an image it never drew."
    })
public final class EditCommand implements Callable<Integer> {
  @Option(
      names = "--checkpoint",
      required = true,
      description = "The StyleGAN or StyleGAN2 the latent belongs to (or a stylegan2-ada file).")
  Path checkpoint;

  @Option(
      names = "--latent",
      description =
          "gan project's projected.safetensors: its latents and fitted noise maps (the"
              + " reconstruction is the first frame).")
  Path latent;

  @Option(
      names = "--seed",
      description = "Start from this sample instead (class = seed mod classes, truncation --psi).")
  Long seed;

  @Option(
      names = "--psi",
      defaultValue = "0.7",
      description = "Truncation of --seed's and --mix-seeds' samples (default ${DEFAULT-VALUE}).")
  double psi;

  @Option(names = "--direction", description = "Step along SeFa direction K (0 = the strongest).")
  Integer direction;

  @Option(
      names = "--to-class",
      description = "Move the latent towards class C (a conditional generator).")
  Integer toClass;

  @Option(
      names = "--from-class",
      description =
          "The latent's class for --to-class (default: the class gan project was given, or the"
              + " seed's).")
  Integer fromClass;

  @Option(
      names = "--mix-seeds",
      description = "Style mixing with these samples, e.g. 0-5: a column per sample.")
  String mixSeeds;

  @Option(
      names = "--styles",
      defaultValue = "coarse",
      description =
          "With --mix-seeds: the layers exchanged, coarse, middle or fine (default"
              + " ${DEFAULT-VALUE}).")
  String styles;

  @Option(
      names = "--strength",
      description =
          "The largest step: along the direction from -S to +S (default 3), towards the class"
              + " from 0 to S (default 1: the full difference).")
  Double strength;

  @Option(
      names = "--steps",
      defaultValue = "7",
      description = "Frames of the sequence (default ${DEFAULT-VALUE}).")
  int steps;

  @Option(
      names = "--out",
      defaultValue = "edit",
      description = "Output folder (default ${DEFAULT-VALUE}, or edit-N; never replaced).")
  Path out;

  /** A latent to edit: its {@code ws [1, numWs, wDim]}, its noise maps (may be empty), class. */
  private record Start(Tensor ws, List<Tensor> noise, int label, String source) {}

  @Override
  public Integer call() throws IOException {
    int modes = (direction != null ? 1 : 0) + (toClass != null ? 1 : 0);
    modes += mixSeeds != null ? 1 : 0;
    if (modes != 1) {
      throw new Cli.UserError("give exactly one of --direction K, --to-class C, --mix-seeds LIST");
    }
    if ((latent == null) == (seed == null)) {
      throw new Cli.UserError("give one of --latent FILE or --seed S");
    }
    if (steps < 2) {
      throw new Cli.UserError("--steps must be >= 2");
    }
    Checkpoint.Contents c = Cli.checkpoint(checkpoint);
    StyleGenerator g = StyleCommands.styleGenerator(c, "edit");
    Path dir = ProjectCommand.freeFolder(out);
    try (TensorScope scope = TensorScope.open();
        GradMode.Guard off = GradMode.disabled()) {
      Start start = start(g);
      List<Tensor> frames = new ArrayList<>();
      String what;
      Tensor images;
      int columns;
      if (mixSeeds != null) {
        long[] seeds = Cli.seeds(mixSeeds);
        int[] span = MixCommand.range(styles, g.numWs());
        Tensor samples = StyleCommands.ws(g, seeds, psi);
        Tensor real = start.ws().expand(seeds.length, g.numWs(), g.wDim());
        // the real image with the samples' styles in the span, and the samples with the real one's
        Tensor realTakes =
            StyleGenerator.mix(StyleGenerator.mix(real, samples, span[0]), real, span[1]);
        Tensor sampleTakes =
            StyleGenerator.mix(StyleGenerator.mix(samples, real, span[0]), samples, span[1]);
        Tensor original = render(g, start.ws(), start.noise());
        List<Tensor> cells = new ArrayList<>();
        for (Tensor ws : new Tensor[] {samples, realTakes, sampleTakes}) {
          cells.add(original);
          cells.add(render(g, ws, start.noise()));
          frames.add(ws);
        }
        images = Tensor.concat(0, cells.toArray(new Tensor[0]));
        columns = seeds.length + 1;
        what =
            String.format(
                Locale.ROOT,
                "style mixing (%s layers %d-%d) with seeds %s: rows = the samples, the image with"
                    + " their %s styles, the samples with the image's",
                styles,
                span[0],
                span[1] - 1,
                mixSeeds,
                styles);
      } else {
        Tensor step =
            direction != null ? sefa(g, direction) : classShift(g, start.label(), toClass);
        double s = strength != null ? strength : direction != null ? 3 : 1;
        double from = direction != null ? -s : 0;
        for (int i = 0; i < steps; i++) {
          double alpha = from + (s - from) * i / (steps - 1);
          frames.add(start.ws().add(step.mul(alpha)));
        }
        images = render(g, Tensor.concat(0, frames.toArray(new Tensor[0])), start.noise());
        columns = steps;
        what =
            direction != null
                ? String.format(
                    Locale.ROOT, "SeFa direction %d from -%.2f to +%.2f", direction, s, s)
                : String.format(
                    Locale.ROOT,
                    "class %d (%s) to class %d (%s), strength 0 to %.2f",
                    start.label(),
                    className(c, start.label()),
                    toClass,
                    className(c, toClass),
                    s);
      }
      Files.createDirectories(dir);
      int scale = images.size(2) <= 32 ? 4 : 2;
      ImageGrid.write(images, columns, scale, dir.resolve("edit.png"));
      if (mixSeeds == null) {
        List<BufferedImage> gif = new ArrayList<>();
        for (int i = 0; i < images.size(0); i++) {
          gif.add(ImageGrid.grid(images.slice(0, i, i + 1), 1, scale));
        }
        for (int i = (int) images.size(0) - 2; i > 0; i--) { // and back
          gif.add(gif.get(i));
        }
        InterpolateCommand.writeGif(gif, dir.resolve("edit.gif"), 150);
      }
      Map<String, Tensor> saved = new LinkedHashMap<>();
      saved.put("ws", Tensor.concat(0, frames.toArray(new Tensor[0])));
      for (int i = 0; i < start.noise().size(); i++) {
        saved.put("noise." + i, start.noise().get(i));
      }
      Map<String, String> meta = new LinkedHashMap<>();
      meta.put("checkpoint", checkpoint.toString());
      meta.put("source", start.source());
      meta.put("edit", what);
      SafeTensors.write(dir.resolve("edited.safetensors"), saved, meta);
      System.out.printf(
          Locale.ROOT,
          "%s: %s -> %s (edit.png%s, edited.safetensors)%n",
          start.source(),
          what,
          dir,
          mixSeeds == null ? ", edit.gif" : "");
    }
    return 0;
  }

  private static Tensor render(StyleGenerator g, Tensor ws, List<Tensor> noise) {
    return noise.isEmpty() ? StyleCommands.render(g, ws) : StyleCommands.render(g, ws, noise);
  }

  /** The latent to edit, from {@code --latent} or {@code --seed}. */
  private Start start(StyleGenerator g) throws IOException {
    if (seed != null) {
      int label = g.labelCount() > 0 ? (int) Math.floorMod(seed, (long) g.labelCount()) : 0;
      return new Start(
          StyleCommands.ws(g, new long[] {seed}, psi),
          List.of(),
          fromClass != null ? fromClass : label,
          "seed " + seed);
    }
    if (!Files.isRegularFile(latent)) {
      throw new Cli.UserError("--latent " + latent + " does not exist");
    }
    SafeTensors.Contents f;
    try {
      f = SafeTensors.read(latent);
    } catch (WeightFileException e) {
      throw new Cli.UserError("cannot read --latent " + latent + ": " + e.getMessage());
    }
    Tensor ws = f.tensors().get("ws");
    if (ws == null
        || ws.rank() != 3
        || ws.size(0) != 1
        || ws.size(1) != g.numWs()
        || ws.size(2) != g.wDim()) {
      throw new Cli.UserError(
          "--latent "
              + latent
              + " must hold 'ws' of [1, "
              + g.numWs()
              + ", "
              + g.wDim()
              + "] for this generator (as gan project writes it), got "
              + (ws == null ? "none" : Arrays.toString(ws.shape())));
    }
    List<Tensor> noise = new ArrayList<>();
    for (int i = 0; f.tensors().containsKey("noise." + i); i++) {
      noise.add(f.tensors().get("noise." + i));
    }
    int label = fromClass != null ? fromClass : -1;
    String fromFile = f.metadata().get("label");
    if (label < 0 && fromFile != null) {
      label = Integer.parseInt(fromFile);
    }
    if (toClass != null && label < 0) {
      throw new Cli.UserError(
          "--to-class needs the latent's class: give --from-class (the file does not say)");
    }
    return new Start(ws.to(g.dtype()), noise, label, "latent " + latent);
  }

  /** SeFa direction {@code k} as {@code [1, 1, wDim]}. */
  private static Tensor sefa(StyleGenerator g, int k) {
    int available = g.wDim();
    if (k < 0 || k >= available) {
      throw new Cli.UserError("--direction must be in [0, " + available + ")");
    }
    double[] d = DirectionsCommand.directions(g, k + 1)[k];
    return Tensor.of(d, 1, 1, d.length).to(g.dtype());
  }

  /**
   * The difference of the average {@code w} of class {@code to} and of class {@code from} (10,000
   * latents each, the same latents for both), as {@code [1, 1, wDim]}.
   */
  static Tensor classShift(StyleGenerator g, int from, int to) {
    int k = g.labelCount();
    if (k == 0) {
      throw new Cli.UserError("--to-class needs a conditional generator; this one has no classes");
    }
    for (int v : new int[] {from, to}) {
      if (v < 0 || v >= k) {
        throw new Cli.UserError("classes must be in [0, " + k + "), got " + v);
      }
    }
    Tensor z = g.sampleLatents(10_000, new Rng(20_240_101L)).to(g.dtype());
    Tensor a = meanW(g, z, from);
    return meanW(g, z, to).sub(a).reshape(1, 1, g.wDim());
  }

  private static Tensor meanW(StyleGenerator g, Tensor z, int label) {
    int[] labels = new int[(int) z.size(0)];
    Arrays.fill(labels, label);
    return g.mapping(z, labels, 1, -1, false).slice(1, 0, 1).mean(false, 0, 1);
  }

  private static String className(Checkpoint.Contents c, int label) {
    List<String> names = c.classes();
    return label >= 0 && label < names.size() ? names.get(label) : "class " + label;
  }
}
