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
import java.util.function.UnaryOperator;
import org.jgan.core.autograd.GradMode;
import org.jgan.core.io.Json;
import org.jgan.core.io.SafeTensors;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.tensor.TensorScope;
import org.jgan.models.StyleGenerator;
import org.jgan.train.checkpoint.Checkpoint;
import org.jgan.train.data.DatasetException;
import org.jgan.train.data.ImageFiles;
import org.jgan.train.data.ImageTransform;
import org.jgan.train.image.ImageGrid;
import org.jgan.train.metrics.FeatureNet;
import org.jgan.train.metrics.Inception;
import org.jgan.train.project.Degradation;
import org.jgan.train.project.ImageQuality;
import org.jgan.train.project.Projector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code gan project}: the latent of a real image in a StyleGAN or StyleGAN2 generator. */
@Command(
    name = "project",
    mixinStandardHelpOptions = true,
    description =
        "Find the latent of a real image in W or W+ (stylegan2-ada-pytorch's projector: Adam on"
            + " w and the constant noise, learning-rate ramps, decaying latent noise, a noise"
            + " regulariser) under a perceptual distance plus pixel error; writes the latent and"
            + " noise (safetensors), the reconstruction beside the target, and an animation, and"
            + " prints the PSNR.")
public final class ProjectCommand implements Callable<Integer> {
  @Mixin ProjectionOptions p = new ProjectionOptions();

  @Option(
      names = "--target",
      description =
          "The image (PNG, JPEG, ...): the generator's channels, at its resolution or smaller"
              + " (then centred on black, as Fashion-MNIST's 28x28 images are padded to 32x32);"
              + " or --data.")
  Path target;

  @Option(
      names = "--spaces",
      defaultValue = "W,W+",
      split = ",",
      description = "With --data: the latent spaces to measure (default ${DEFAULT-VALUE}).")
  List<String> spaces;

  @Option(
      names = "--out",
      defaultValue = "projection",
      description =
          "Output folder (default ${DEFAULT-VALUE}, or projection-N with the next free N; an"
              + " existing folder's files are never replaced).")
  Path out;

  @Override
  public Integer call() throws IOException {
    if ((target == null) == (p.data == null)) {
      throw new Cli.UserError("give one of --target FILE or --data NAME");
    }
    Checkpoint.Contents c = Cli.checkpoint(p.checkpoint);
    StyleGenerator g = StyleCommands.styleGenerator(c, "project");
    long[] shape = g.sampleShape();
    p.check(g);
    if (p.data != null) {
      return evaluate(c, g);
    }
    Tensor t = image(target, "--target", (int) shape[0], (int) shape[1]);
    String[] space = {p.features};
    UnaryOperator<Tensor> f = distance(space, p.inception, shape);
    Path dir = freeFolder(out);
    Files.createDirectories(dir);
    Projector.Settings s =
        new Projector.Settings(p.steps, 0.1, p.wPlus, p.pixelWeight, 1e5, 10_000, p.seed);
    System.out.printf(
        Locale.ROOT,
        "projecting %s into %s (%s, %d steps, features: %s)...%n",
        target,
        p.wPlus ? "W+" : "W",
        c.config().model().family(),
        p.steps,
        space[0]);
    long t0 = System.nanoTime();
    Projector.Result r = Projector.project(g, t, p.label, f, s, Math.max(1, p.steps / 50));
    double seconds = (System.nanoTime() - t0) / 1e9;
    double mse = r.image().sub(t).square().mean().item();
    double psnr = 10 * Math.log10(4 / mse);
    Map<String, Tensor> saved = new LinkedHashMap<>();
    saved.put("ws", r.ws());
    for (int i = 0; i < r.noise().size(); i++) {
      saved.put("noise." + i, r.noise().get(i).squeeze(0)); // [H, W], as the buffer
    }
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("checkpoint", p.checkpoint.toString());
    meta.put("target", target.toString());
    meta.put("space", p.wPlus ? "W+" : "W");
    if (g.labelCount() > 0) {
      meta.put("label", String.valueOf(p.label));
    }
    meta.put("features", space[0]);
    meta.put("steps", String.valueOf(p.steps));
    meta.put("psnr", String.format(Locale.ROOT, "%.3f", psnr));
    SafeTensors.write(dir.resolve("projected.safetensors"), saved, meta);
    ImageGrid.write(Tensor.concat(0, t, r.image()), 2, 4, dir.resolve("projection.png"));
    List<BufferedImage> frames = new ArrayList<>();
    for (Tensor frame : r.frames()) {
      frames.add(ImageGrid.grid(Tensor.concat(0, t, frame), 2, 4));
    }
    InterpolateCommand.writeGif(frames, dir.resolve("progress.gif"), 80);
    System.out.printf(
        Locale.ROOT,
        "PSNR %.2f dB, loss %.4g -> %.4g, %.1f s -> %s (projected.safetensors, projection.png:"
            + " target | reconstruction, progress.gif)%n",
        psnr,
        r.losses()[0],
        r.losses()[r.losses().length - 1],
        seconds,
        dir);
    return 0;
  }

  /**
   * {@code --data}: projects the chosen images in each of {@code --spaces}, batch by batch, and
   * writes evaluation.json (PSNR and feature distance per image, mean and standard deviation) and
   * projection.png (a row of targets, then a row per space, for up to 10 images).
   */
  private int evaluate(Checkpoint.Contents c, StyleGenerator g) throws IOException {
    List<Boolean> plus = new ArrayList<>();
    for (String sp : spaces) {
      switch (sp.trim().toUpperCase(Locale.ROOT)) {
        case "W" -> plus.add(false);
        case "W+" -> plus.add(true);
        default -> throw new Cli.UserError("--spaces takes W and W+, got '" + sp + "'");
      }
    }
    ProjectionOptions.Targets all = p.targets(g);
    int n = all.indices().length;
    String[] space = {p.features};
    UnaryOperator<Tensor> f = distance(space, p.inception, g.sampleShape());
    Path dir = freeFolder(out);
    Files.createDirectories(dir);
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("checkpoint", p.checkpoint.toString());
    report.put("family", c.config().model().family().id());
    report.put("data", p.data);
    report.put("images", p.images);
    report.put("count", n);
    report.put("steps", p.steps);
    report.put("features", space[0]);
    report.put("pixel_weight", p.pixelWeight);
    report.put("seed", p.seed);
    int shown = Math.min(n, 10);
    List<Tensor> rows = new ArrayList<>(List.of(all.images().slice(0, 0, shown)));
    for (boolean wPlus : plus) {
      String name = wPlus ? "W+" : "W";
      Projector.Settings s =
          new Projector.Settings(p.steps, 0.1, wPlus, p.pixelWeight, 1e5, 10_000, p.seed);
      double[] psnr = new double[n];
      double[] dist = new double[n];
      Tensor firstImages = null;
      long t0 = System.nanoTime();
      for (int at = 0; at < n; at += p.batch) {
        ProjectionOptions.Targets part = all.slice(at, Math.min(n, at + p.batch));
        try (TensorScope scope = TensorScope.open()) {
          Projector.Result r =
              Projector.project(g, part.images(), Degradation.identity(), part.labels(), f, s, 0);
          Tensor image = r.image().to(DType.FLOAT32);
          Tensor fx;
          Tensor ft;
          try (GradMode.Guard off = GradMode.disabled()) {
            fx = f.apply(image);
            ft = f.apply(part.images());
          }
          for (int i = 0; i < part.indices().length; i++) {
            Tensor one = image.slice(0, i, i + 1);
            psnr[at + i] = ImageQuality.psnr(one, part.images().slice(0, i, i + 1));
            dist[at + i] = fx.slice(0, i, i + 1).sub(ft.slice(0, i, i + 1)).square().sum().item();
          }
          if (at == 0) {
            firstImages = scope.keep(image.slice(0, 0, Math.min(shown, image.size(0))).mul(1));
          }
        }
        System.out.printf(
            Locale.ROOT,
            "%s: %d/%d images, mean PSNR so far %.2f dB%n",
            name,
            Math.min(n, at + p.batch),
            n,
            Stats.mean(Arrays.copyOf(psnr, Math.min(n, at + p.batch))));
      }
      rows.add(firstImages);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("psnr_mean", Stats.mean(psnr));
      m.put("psnr_std", Stats.std(psnr));
      m.put("feature_distance_mean", Stats.mean(dist));
      m.put("feature_distance_std", Stats.std(dist));
      m.put("seconds", (System.nanoTime() - t0) / 1e9);
      m.put("psnr", psnr);
      m.put("feature_distance", dist);
      report.put(name, m);
      System.out.printf(
          Locale.ROOT,
          "%s: PSNR %.2f +- %.2f dB, %s distance %.4g +- %.3g over %d images (%.0f s)%n",
          name,
          Stats.mean(psnr),
          Stats.std(psnr),
          space[0],
          Stats.mean(dist),
          Stats.std(dist),
          n,
          (double) m.get("seconds"));
    }
    report.put("indices", all.indices());
    Files.writeString(dir.resolve("evaluation.json"), Json.writePretty(report));
    ImageGrid.write(
        Tensor.concat(0, rows.toArray(new Tensor[0])), shown, 3, dir.resolve("projection.png"));
    System.out.println(
        "-> " + dir + " (evaluation.json; projection.png: targets, then a row per space)");
    return 0;
  }

  /**
   * The picture at {@code target} as {@code [1, channels, res, res]} in [-1, 1]; a smaller square
   * picture is centred on black. {@code option} names it in messages.
   */
  static Tensor image(Path target, String option, int channels, int res) throws IOException {
    if (!Files.isRegularFile(target)) {
      throw new Cli.UserError(option + " " + target + " does not exist");
    }
    byte[] chw;
    int side;
    try {
      BufferedImage img = ImageFiles.decode(Files.readAllBytes(target), target.toString());
      if (img.getWidth() != img.getHeight() || img.getWidth() > res) {
        throw new Cli.UserError(
            option
                + " is "
                + img.getWidth()
                + "x"
                + img.getHeight()
                + "; the generator makes "
                + res
                + "x"
                + res
                + " (give a square image of at most that size; gan dataset --resolution resizes)");
      }
      side = img.getWidth();
      chw =
          new ImageTransform(0, channels, ImageTransform.Mode.ERROR, ImageTransform.BLACK)
              .apply(img, target.toString());
    } catch (DatasetException e) {
      throw new Cli.UserError("cannot read " + option + ": " + e.getMessage());
    }
    int pad = (res - side) / 2;
    float[] v = new float[channels * res * res];
    Arrays.fill(v, -1f); // black
    for (int ch = 0; ch < channels; ch++) {
      for (int y = 0; y < side; y++) {
        for (int x = 0; x < side; x++) {
          v[(ch * res + y + pad) * res + x + pad] =
              (chw[(ch * side + y) * side + x] & 0xFF) / 127.5f - 1;
        }
      }
    }
    return Tensor.of(v, 1, channels, res, res);
  }

  /**
   * The perceptual feature map named by {@code space[0]} (classifier, pixels, auto; Inception when
   * {@code inception} is given) for images of {@code shape}; {@code space[0]} becomes the name
   * used.
   */
  static UnaryOperator<Tensor> distance(String[] space, Path inception, long[] shape) {
    if (inception != null) {
      Inception net = (Inception) Cli.featureSpace(inception);
      space[0] = "inception";
      return net::features;
    }
    boolean classifierFits = shape[0] == 1 && (shape[1] == 28 || shape[1] == 32);
    if (space[0].equals("auto")) {
      space[0] = classifierFits ? "classifier" : "pixels";
    }
    switch (space[0]) {
      case "classifier" -> {
        if (!classifierFits) {
          throw new Cli.UserError(
              "--features classifier needs one channel at 28 or 32; these images are "
                  + shape[0]
                  + "x"
                  + shape[1]
                  + "x"
                  + shape[2]);
        }
        FeatureNet net = FeatureNet.pretrained();
        return x -> net.features(x.to(net.dtype()));
      }
      case "pixels" -> {
        return x -> x.mul(0);
      }
      default ->
          throw new Cli.UserError(
              "--features must be classifier, pixels or auto, got '" + space[0] + "'");
    }
  }

  /** {@code out} if it does not exist or is empty, else {@code out-N} with the next free N. */
  static Path freeFolder(Path out) throws IOException {
    Path p = out;
    for (int n = 1; Files.exists(p) && !isEmptyDir(p); n++) {
      p = out.resolveSibling(out.getFileName() + "-" + n);
    }
    return p;
  }

  private static boolean isEmptyDir(Path p) throws IOException {
    if (!Files.isDirectory(p)) {
      return false;
    }
    try (var s = Files.list(p)) {
      return s.findAny().isEmpty();
    }
  }
}
