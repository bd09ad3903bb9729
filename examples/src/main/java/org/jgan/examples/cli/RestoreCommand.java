package org.jgan.examples.cli;

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
import org.jgan.core.nn.Functional;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.tensor.TensorScope;
import org.jgan.models.StyleGenerator;
import org.jgan.train.checkpoint.Checkpoint;
import org.jgan.train.image.ImageGrid;
import org.jgan.train.project.Degradation;
import org.jgan.train.project.ImageQuality;
import org.jgan.train.project.Projector;
import org.jgan.train.project.Restoration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code gan restore}: inpainting, denoising and super-resolution through a generator. */
@Command(
    name = "restore",
    mixinStandardHelpOptions = true,
    description =
        "Restore an image through a StyleGAN or StyleGAN2: project it so that the degraded"
            + " reconstruction matches the observation (--box or --mask: inpainting; --denoise;"
            + " --downscale K: super-resolution), and return the reconstruction; with --reference,"
            + " PSNR and SSIM beside a classical baseline (mean fill, Gaussian filter, bicubic).")
public final class RestoreCommand implements Callable<Integer> {
  @Mixin ProjectionOptions p = new ProjectionOptions();

  @Option(
      names = "--target",
      description =
          "The observed image: at the model's size (or smaller, centred on black), or its size"
              + " divided by K with --downscale K; or --data.")
  Path target;

  @Option(
      names = "--sigma",
      defaultValue = "0.2",
      description =
          "With --data --denoise: the standard deviation of the Gaussian noise added to the"
              + " clean images (in [-1, 1] units; default ${DEFAULT-VALUE}).")
  double sigma;

  @Option(
      names = "--box",
      paramLabel = "X,Y,W,H",
      description = "Inpainting: the rectangle of unknown pixels.")
  String box;

  @Option(
      names = "--mask",
      paramLabel = "PNG",
      description = "Inpainting: a mask at the model's size, white where pixels are known.")
  Path mask;

  @Option(names = "--denoise", description = "Denoising: the observation carries noise.")
  boolean denoise;

  @Option(names = "--downscale", description = "Super-resolution by this factor (2, 4, ...).")
  int downscale;

  @Option(
      names = "--keep-known",
      description = "Inpainting: the known pixels of the result are the observation's, exactly.")
  boolean keepKnown;

  @Option(names = "--reference", description = "The clean image, for PSNR and SSIM.")
  Path reference;

  @Option(
      names = "--out",
      defaultValue = "restoration",
      description = "Output folder (default ${DEFAULT-VALUE}, or restoration-N; never replaced).")
  Path out;

  @Override
  public Integer call() throws IOException {
    int chosen = (box != null ? 1 : 0) + (mask != null ? 1 : 0) + (denoise ? 1 : 0);
    chosen += downscale != 0 ? 1 : 0;
    if (chosen != 1) {
      throw new Cli.UserError("give exactly one of --box, --mask, --denoise, --downscale K");
    }
    if (keepKnown && box == null && mask == null) {
      throw new Cli.UserError("--keep-known applies to inpainting (--box or --mask)");
    }
    if ((target == null) == (p.data == null)) {
      throw new Cli.UserError("give one of --target FILE or --data NAME");
    }
    Checkpoint.Contents c = Cli.checkpoint(p.checkpoint);
    StyleGenerator g = StyleCommands.styleGenerator(c, "restore");
    p.check(g);
    long[] shape = g.sampleShape();
    int ch = (int) shape[0];
    int res = (int) shape[1];
    if (downscale != 0 && (downscale < 2 || res % downscale != 0)) {
      throw new Cli.UserError("--downscale must be >= 2 and divide " + res);
    }
    if (p.data != null) {
      return evaluate(c, g);
    }
    Tensor known = null;
    Tensor observed;
    Degradation degrade;
    String kind;
    if (downscale != 0) {
      observed = ProjectCommand.image(target, "--target", ch, res / downscale);
      degrade = Degradation.downsample(downscale);
      kind = "super-resolution x" + downscale;
    } else {
      observed = ProjectCommand.image(target, "--target", ch, res);
      if (denoise) {
        degrade = Degradation.identity();
        kind = "denoising";
      } else {
        known = box != null ? boxMask(box, res) : maskImage(res);
        observed = observed.mul(known); // the unknown pixels carry nothing
        degrade = Degradation.mask(known);
        kind = "inpainting";
      }
    }
    String[] space = {downscale != 0 && p.inception == null ? "pixels" : p.features};
    UnaryOperator<Tensor> f =
        ProjectCommand.distance(
            space,
            p.inception,
            observed.size(2) == res ? shape : new long[] {ch, observed.size(2), observed.size(3)});
    Path dir = ProjectCommand.freeFolder(out);
    Files.createDirectories(dir);
    System.out.printf(
        Locale.ROOT,
        "%s of %s through %s (%d steps, features: %s)...%n",
        kind,
        target,
        c.config().model().family(),
        p.steps,
        space[0]);
    Projector.Settings s =
        new Projector.Settings(p.steps, 0.1, p.wPlus, p.pixelWeight, 1e5, 10_000, p.seed);
    Projector.Result r = Projector.project(g, observed, degrade, new int[] {p.label}, f, s, 0);
    Tensor restored = keepKnown ? Restoration.keepKnown(r.image(), observed, known) : r.image();
    Tensor baseline =
        downscale != 0
            ? Restoration.bicubic(observed, downscale)
            : denoise
                ? Restoration.gaussianFilter(observed)
                : Restoration.meanFill(observed, known);
    // the low-resolution input is shown as its nearest-neighbour enlargement
    Tensor shown = downscale != 0 ? Functional.upsampleNearest2d(observed, downscale) : observed;
    List<Tensor> row =
        new ArrayList<>(List.of(shown, baseline.to(DType.FLOAT32), restored.to(DType.FLOAT32)));
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("task", kind);
    report.put("checkpoint", p.checkpoint.toString());
    report.put("target", target.toString());
    report.put("steps", p.steps);
    report.put("features", space[0]);
    if (reference != null) {
      Tensor ref = ProjectCommand.image(reference, "--reference", ch, res);
      row.add(ref);
      report.put("psnr_restored", ImageQuality.psnr(restored, ref));
      report.put("psnr_baseline", ImageQuality.psnr(baseline, ref));
      report.put("ssim_restored", ImageQuality.ssim(restored, ref));
      report.put("ssim_baseline", ImageQuality.ssim(baseline, ref));
    }
    ImageGrid.write(
        Tensor.concat(0, row.stream().map(t -> t.to(DType.FLOAT32)).toArray(Tensor[]::new)),
        row.size(),
        4,
        dir.resolve("restoration.png"));
    Files.writeString(dir.resolve("restoration.json"), Json.writePretty(report));
    System.out.println(
        "-> "
            + dir
            + "/restoration.png (input | baseline | restoration"
            + (reference != null ? " | reference" : "")
            + ")");
    if (reference != null) {
      System.out.printf(
          Locale.ROOT,
          "PSNR %.2f dB (baseline %.2f), SSIM %.4f (baseline %.4f)%n",
          (double) report.get("psnr_restored"),
          (double) report.get("psnr_baseline"),
          (double) report.get("ssim_restored"),
          (double) report.get("ssim_baseline"));
    }
    return 0;
  }

  /**
   * {@code --data}: degrades the chosen clean images itself (the box or mask zeroed, Gaussian noise
   * of {@code --sigma}, average pooling), restores them batch by batch and writes evaluation.json
   * (PSNR and SSIM of restoration and baseline against the clean image, per image and mean and
   * standard deviation) and restoration.png (rows: input, baseline, restoration, clean; up to 10
   * images).
   */
  private int evaluate(Checkpoint.Contents c, StyleGenerator g) throws IOException {
    int res = (int) g.sampleShape()[1];
    ProjectionOptions.Targets all = p.targets(g);
    int n = all.indices().length;
    Tensor known = box != null ? boxMask(box, res) : mask != null ? maskImage(res) : null;
    Degradation degrade =
        downscale != 0
            ? Degradation.downsample(downscale)
            : known != null ? Degradation.mask(known) : Degradation.identity();
    String kind =
        downscale != 0
            ? "super-resolution x" + downscale
            : known != null
                ? "inpainting"
                : String.format(Locale.ROOT, "denoising (sigma %.3g)", sigma);
    String[] space = {downscale != 0 && p.inception == null ? "pixels" : p.features};
    long[] seen =
        downscale != 0 ? new long[] {g.sampleShape()[0], res / downscale, res / downscale} : null;
    UnaryOperator<Tensor> f =
        ProjectCommand.distance(space, p.inception, seen != null ? seen : g.sampleShape());
    Path dir = ProjectCommand.freeFolder(out);
    Files.createDirectories(dir);
    Projector.Settings s =
        new Projector.Settings(p.steps, 0.1, p.wPlus, p.pixelWeight, 1e5, 10_000, p.seed);
    double[][] q = new double[4][n]; // PSNR and SSIM of the restoration, then of the baseline
    Rng noise = new Rng(p.seed).split(11);
    int shown = Math.min(n, 10);
    List<Tensor> grid = new ArrayList<>();
    long t0 = System.nanoTime();
    System.out.printf(
        Locale.ROOT,
        "%s of %d images of %s through %s (%s, %d steps, features: %s)...%n",
        kind,
        n,
        p.data,
        c.config().model().family(),
        p.wPlus ? "W+" : "W",
        p.steps,
        space[0]);
    for (int at = 0; at < n; at += p.batch) {
      ProjectionOptions.Targets part = all.slice(at, Math.min(n, at + p.batch));
      Tensor clean = part.images();
      try (TensorScope scope = TensorScope.open()) {
        Tensor observed;
        try (GradMode.Guard off = GradMode.disabled()) {
          observed =
              known == null && downscale == 0
                  ? clean.add(noise.normal(DType.FLOAT32, clean.shape()).mul(sigma))
                  : degrade.apply(clean);
        }
        Projector.Result r = Projector.project(g, observed, degrade, part.labels(), f, s, 0);
        Tensor restored =
            (keepKnown ? Restoration.keepKnown(r.image(), observed, known) : r.image())
                .to(DType.FLOAT32);
        Tensor baseline =
            (downscale != 0
                    ? Restoration.bicubic(observed, downscale)
                    : known == null
                        ? Restoration.gaussianFilter(observed)
                        : Restoration.meanFill(observed, known))
                .to(DType.FLOAT32);
        for (int i = 0; i < part.indices().length; i++) {
          Tensor ref = clean.slice(0, i, i + 1);
          q[0][at + i] = ImageQuality.psnr(restored.slice(0, i, i + 1), ref);
          q[1][at + i] = ImageQuality.ssim(restored.slice(0, i, i + 1), ref);
          q[2][at + i] = ImageQuality.psnr(baseline.slice(0, i, i + 1), ref);
          q[3][at + i] = ImageQuality.ssim(baseline.slice(0, i, i + 1), ref);
        }
        if (at == 0) {
          int k = (int) Math.min(shown, clean.size(0));
          Tensor in = downscale != 0 ? Functional.upsampleNearest2d(observed, downscale) : observed;
          for (Tensor t : new Tensor[] {in, baseline, restored, clean}) {
            grid.add(scope.keep(t.slice(0, 0, k).mul(1)));
          }
        }
      }
      System.out.printf(
          Locale.ROOT,
          "%d/%d images: PSNR so far %.2f dB (baseline %.2f)%n",
          Math.min(n, at + p.batch),
          n,
          Stats.mean(Arrays.copyOf(q[0], Math.min(n, at + p.batch))),
          Stats.mean(Arrays.copyOf(q[2], Math.min(n, at + p.batch))));
    }
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("task", kind);
    report.put("checkpoint", p.checkpoint.toString());
    report.put("family", c.config().model().family().id());
    report.put("data", p.data);
    report.put("images", p.images);
    report.put("count", n);
    report.put("space", p.wPlus ? "W+" : "W");
    report.put("steps", p.steps);
    report.put("features", space[0]);
    report.put("keep_known", keepKnown);
    report.put("seed", p.seed);
    String[] names = {"psnr_restored", "ssim_restored", "psnr_baseline", "ssim_baseline"};
    for (int k = 0; k < 4; k++) {
      report.put(names[k] + "_mean", Stats.mean(q[k]));
      report.put(names[k] + "_std", Stats.std(q[k]));
    }
    report.put("seconds", (System.nanoTime() - t0) / 1e9);
    for (int k = 0; k < 4; k++) {
      report.put(names[k], q[k]);
    }
    report.put("indices", all.indices());
    Files.writeString(dir.resolve("evaluation.json"), Json.writePretty(report));
    ImageGrid.write(
        Tensor.concat(0, grid.toArray(new Tensor[0])), shown, 3, dir.resolve("restoration.png"));
    System.out.printf(
        Locale.ROOT,
        "%s over %d images: PSNR %.2f +- %.2f dB (baseline %.2f +- %.2f), SSIM %.4f +- %.4f"
            + " (baseline %.4f +- %.4f), %.0f s%n-> %s (evaluation.json; restoration.png rows:"
            + " input, baseline, restoration, clean)%n",
        kind,
        n,
        Stats.mean(q[0]),
        Stats.std(q[0]),
        Stats.mean(q[2]),
        Stats.std(q[2]),
        Stats.mean(q[1]),
        Stats.std(q[1]),
        Stats.mean(q[3]),
        Stats.std(q[3]),
        (double) report.get("seconds"),
        dir);
    return 0;
  }

  /** {@code x,y,w,h} as a mask {@code [1, 1, res, res]}: 0 inside the box, 1 elsewhere. */
  static Tensor boxMask(String spec, int res) {
    String[] p = spec.split(",");
    int[] v = new int[4];
    try {
      for (int i = 0; i < 4; i++) {
        v[i] = Integer.parseInt(p[i].trim());
      }
    } catch (RuntimeException e) {
      throw new Cli.UserError("--box must be x,y,w,h in pixels, got '" + spec + "'");
    }
    if (p.length != 4
        || v[0] < 0
        || v[1] < 0
        || v[2] < 1
        || v[3] < 1
        || v[0] + v[2] > res
        || v[1] + v[3] > res) {
      throw new Cli.UserError(
          "--box " + spec + " must lie inside the " + res + "x" + res + " image");
    }
    float[] m = new float[res * res];
    for (int i = 0; i < m.length; i++) {
      int y = i / res;
      int x = i % res;
      m[i] = x >= v[0] && x < v[0] + v[2] && y >= v[1] && y < v[1] + v[3] ? 0 : 1;
    }
    return Tensor.of(m, 1, 1, res, res);
  }

  private Tensor maskImage(int res) throws IOException {
    Tensor m = ProjectCommand.image(mask, "--mask", 1, res); // white = known
    float[] v = m.toFloatArray();
    for (int i = 0; i < v.length; i++) {
      v[i] = v[i] > 0 ? 1 : 0;
    }
    return Tensor.of(v, 1, 1, res, res);
  }
}
