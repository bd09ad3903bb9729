package org.jgan.examples.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.jgan.core.io.Json;
import org.jgan.core.io.WeightFileException;
import org.jgan.models.ModelConfig;
import org.jgan.models.dcgan.DcganConfig;
import org.jgan.models.progressive.ProgressiveConfig;
import org.jgan.models.stylegan.StyleGanConfig;
import org.jgan.models.stylegan2.StyleGan2Config;
import org.jgan.models.vanilla.VanillaConfig;
import org.jgan.train.checkpoint.Checkpoint;
import org.jgan.train.data.Dataset;
import org.jgan.train.loop.OptimizerSettings;
import org.jgan.train.loop.StepStats;
import org.jgan.train.loop.Trainer;
import org.jgan.train.loop.TrainingConfig;
import org.jgan.train.loop.TrainingDivergedException;
import org.jgan.train.loop.TrainingRun;
import org.jgan.train.loss.GanLoss;
import org.jgan.train.metrics.Metrics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code gan train}: trains a model and leaves grids, logs, a loss plot and a checkpoint. */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = {
      "Train a GAN. With no options: a DCGAN on the embedded Fashion-MNIST test split for 300k images"
          + " (about 5 minutes on two cores), samples every 50k images.",
      "A JSON config (--config) gives any setting; flags override it; the resolved config is saved as config.json."
    })
public final class TrainCommand implements Callable<Integer> {
  @Option(names = "--family", description = "vanilla, dcgan, progressive, stylegan or stylegan2 (default: dcgan).")
  String family;

  @Option(names = "--preset", description = "Model preset: vanilla mnist|toy2d, dcgan fashion28|paper64, progressive cpu32|paper, "
      + "stylegan cpu32|paper, stylegan2 cpu32|cifar|paper256 (default: the first).")
  String preset;

  @Option(names = "--data", defaultValue = "embedded", description = "embedded (Fashion-MNIST test split, in the jar), fashion-mnist"
      + " (60k training split, Debian package), ring8, grid25, a folder with IDX files, or a folder of PNG/JPEG images (sub-folders = classes). Default: ${DEFAULT-VALUE}.")
  String data;

  @Option(names = "--resolution", description = "Image resolution (image folders; power-of-two models pad 28x28 to 32).")
  Integer resolution;

  @Option(names = "--channels", description = "1 or 3 for image folders (default 3).")
  Integer channels;

  @Option(names = "--images", description = "Total images to train on, e.g. 300k or 2M.")
  String images;

  @Option(names = "--batch", description = "Minibatch size.")
  Integer batch;

  @Option(names = "--micro-batch", description = "Images per forward pass; gradients accumulate over the batch.")
  Integer microBatch;

  @Option(names = "--loss", description = "non_saturating, minimax, wgan_gp, hinge or least_squares.")
  String loss;

  @Option(names = "--r1-gamma", description = "R1 weight gamma (0 = off).")
  Double r1Gamma;

  @Option(names = "--r1-interval", description = "R1 every this many steps (16 = lazy).")
  Integer r1Interval;

  @Option(names = "--pl-weight", description = "Path-length regularisation weight (0 = off).")
  Double plWeight;

  @Option(names = "--ema-kimg", description = "Generator average half-life in thousands of images (0 = off).")
  Double emaKimg;

  @Option(names = "--style-mixing", description = "Style-mixing probability.")
  Double styleMixing;

  @Option(names = "--lr", description = "Learning rate of both networks.")
  Double lr;

  @Option(names = "--progressive", description = "Progressive growing (StyleGAN2; the progressive GAN and StyleGAN always grow).")
  boolean progressive;

  @Option(names = "--conditional", description = "Condition on the data's class labels (StyleGAN2).")
  boolean conditional;

  @Option(names = "--xflip", description = "Mirror real images at random.")
  boolean xflip;

  @Option(names = "--seed", description = "Random seed (default 1).")
  Long seed;

  @Option(names = "--snapshot", description = "Images between snapshots (grid, log line, checkpoint).")
  String snapshot;

  @Option(names = "--config", description = "JSON config file; flags override it.")
  Path config;

  @Option(names = "--resume", description = "Continue the run saved in this checkpoint with its settings; --images, --snapshot and --lr may change.")
  Path resume;

  @Option(names = "--out", description = "Output folder (default runs/<family>-<time>, or the checkpoint's folder when resuming).")
  Path out;

  @Option(names = "--metrics", defaultValue = "2000", description = "Samples for FD/KID/precision/recall at the end, for Fashion-MNIST (0 = skip). Default: ${DEFAULT-VALUE}.")
  int metrics;

  @Option(names = "--progress", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Show a progress bar on a terminal (default on).")
  boolean progressBar;

  @Override
  public Integer call() throws IOException {
    Trainer trainer;
    Dataset dataset;
    if (resume != null) {
      Checkpoint.Contents c = Cli.checkpoint(resume);
      TrainingConfig cfg = c.config();
      cfg = resumeOverrides(cfg);
      dataset = Cli.fit(Cli.dataset(data, cfg.model().resolution(), cfg.model().imageChannels(), cfg.seed()), cfg.model().resolution());
      TrainingConfig adjusted = cfg;
      try {
        trainer = Checkpoint.resume(resume, dataset, saved -> adjusted);
      } catch (WeightFileException e) {
        throw new Cli.UserError(e.getMessage());
      }
      if (out == null) {
        out = resume.toAbsolutePath().getParent();
      }
    } else {
      TrainingConfig cfg = resolve();
      dataset = Cli.fit(Cli.dataset(data, cfg.model().resolution(), cfg.model().imageChannels(), cfg.seed()), cfg.model().resolution());
      try {
        trainer = new Trainer(cfg, dataset);
      } catch (IllegalArgumentException e) {
        throw new Cli.UserError(e.getMessage());
      }
      if (out == null) {
        out = Path.of("runs", cfg.model().family() + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
      }
    }
    TrainingConfig cfg = trainer.config();
    System.out.printf("training %s on %s (%d samples) for %,d images, batch %d -> %s%n", cfg.model().family(), dataset.name(),
        dataset.size(), cfg.totalImages(), cfg.batchSize(), out);
    TrainingRun run = new TrainingRun(trainer, out);
    long remaining = cfg.totalImages() - trainer.imagesSeen();
    long startImages = trainer.imagesSeen();
    try (ProgressBar bar = progressBar ? bar(remaining) : null) {
      runGuarded(run, new TrainingRun.Listener() {
        @Override
        public void onStep(StepStats s) {
          if (bar != null) {
            bar.stepTo(s.imagesSeen() - startImages);
            bar.setExtraMessage(String.format(Locale.ROOT, "D %.3f G %.3f", s.lossD(), s.lossG()));
          }
        }

      });
    }
    if (metrics > 0 && dataset.sampleShape().length == 3 && dataset.sampleShape()[0] == 1 && dataset.name().startsWith("fashion")) {
      System.out.printf("computing FD, KID, precision/recall on %d samples...%n", metrics);
      Metrics.Report r = Metrics.evaluate(trainer.sampler(), dataset, metrics, cfg.seed());
      Files.writeString(out.resolve("metrics.json"), Json.writePretty(r.toMap()), StandardCharsets.UTF_8);
      System.out.printf(Locale.ROOT, "FD %.2f  KID x1000 %.2f  precision %.3f  recall %.3f  (metrics.json)%n", r.fd(), r.kidTimes1000(), r.precision(), r.recall());
    }
    System.out.println("done: samples in " + out + "/fakes*.png, losses in losses.csv and losses.png, checkpoint.safetensors");
    System.out.println("next: train the conditional StyleGAN2 preset for longer with");
    System.out.println("  ./gan train --family stylegan2 --conditional --images 2M --out runs/stylegan2-conditional");
    return 0;
  }

  /** The settings a resumed run may change: its length, snapshot interval and learning rate. */
  private TrainingConfig resumeOverrides(TrainingConfig cfg) {
    TrainingConfig.Builder b = cfg.toBuilder();
    try {
      if (images != null) {
        b.totalImages(Cli.images(images));
      }
      if (snapshot != null) {
        b.snapshotImages(Cli.images(snapshot));
      }
      if (lr != null) {
        b.g(new OptimizerSettings(lr, cfg.g().beta1(), cfg.g().beta2(), cfg.g().eps()));
        b.d(new OptimizerSettings(lr, cfg.d().beta1(), cfg.d().beta2(), cfg.d().eps()));
      }
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new Cli.UserError(e.getMessage());
    }
  }

  /** Runs training; a diverged run becomes a user error that says how to resume from the last good checkpoint. */
  private void runGuarded(TrainingRun run, TrainingRun.Listener listener) throws IOException {
    try {
      run.run(listener);
    } catch (TrainingDivergedException e) {
      Path ckpt = out.resolve("checkpoint.safetensors");
      String resumeHint = Files.exists(ckpt)
          ? "; the last good checkpoint is " + ckpt + " (resume with ./gan train --resume " + ckpt + " --lr <smaller>)"
          : "; no checkpoint was written before it";
      throw new Cli.UserError(e.getMessage() + resumeHint);
    }
  }

  private static ProgressBar bar(long remaining) {
    if (System.console() == null) {
      return null;
    }
    return new ProgressBarBuilder().setTaskName("train").setInitialMax(remaining).setUnit(" kimg", 1000)
        .setStyle(ProgressBarStyle.ASCII).showSpeed().setUpdateIntervalMillis(500).build();
  }

  /** Config file, family preset and flags, in that order of precedence (flags last). */
  TrainingConfig resolve() throws IOException {
    TrainingConfig base = null;
    if (config != null) {
      if (!Files.isRegularFile(config)) {
        throw new Cli.UserError("config file " + config + " does not exist");
      }
      try {
        base = TrainingConfig.fromJson(Files.readString(config), null);
      } catch (IllegalArgumentException e) {
        throw new Cli.UserError("config file " + config + ": " + e.getMessage());
      }
    }
    Dataset probe = Cli.dataset(data, resolution == null ? 0 : resolution, channels == null ? 0 : channels, 1);
    long[] shape = probe.sampleShape();
    String fam = family != null ? family : base != null ? base.model().family() : shape.length == 1 ? "vanilla" : "dcgan";
    ModelConfig model = base != null && preset == null && fam.equals(base.model().family()) ? base.model() : preset(fam, preset, shape);
    if (conditional) {
      if (!(model instanceof StyleGan2Config s)) {
        throw new Cli.UserError("--conditional needs --family stylegan2 (the other families are unconditional)");
      }
      if (probe.labelCount() == 0) {
        throw new Cli.UserError("--conditional: dataset " + probe.name() + " has no labels");
      }
      model = s.withLabels(probe.labelCount());
    }
    if (progressive) {
      if (model instanceof StyleGan2Config s) {
        model = s.withProgressive(true);
      } else if (!(model instanceof ProgressiveConfig || model instanceof StyleGanConfig)) {
        throw new Cli.UserError("--progressive needs --family stylegan2 (progressive and stylegan always grow)");
      }
    }
    long total = images != null ? Cli.images(images) : base != null ? base.totalImages() : 300_000;
    TrainingConfig.Builder b = (base != null && base.model().family().equals(model.family())
        ? base.toBuilder().model(model) : TrainingConfig.defaults(model, total).toBuilder()).totalImages(total);
    if (base == null) {
      b.snapshotImages(Math.max(total / 6, 1));
      if (model instanceof StyleGan2Config s && s.progressive()) {
        b.progressiveImages(Math.max(1, total / 8));
      }
    }
    try {
      if (batch != null) {
        b.batchSize(batch);
      }
      if (microBatch != null) {
        b.microBatch(microBatch);
      }
      if (loss != null) {
        b.loss(GanLoss.valueOf(loss.toUpperCase(Locale.ROOT).replace('-', '_')));
      }
      if (r1Gamma != null) {
        b.r1Gamma(r1Gamma);
      }
      if (r1Interval != null) {
        b.r1Interval(r1Interval);
      }
      if (plWeight != null) {
        b.plWeight(plWeight);
      }
      if (emaKimg != null) {
        b.emaKimg(emaKimg);
      }
      if (styleMixing != null) {
        b.styleMixing(styleMixing);
      }
      if (lr != null) {
        TrainingConfig now = b.build();
        b.g(new OptimizerSettings(lr, now.g().beta1(), now.g().beta2(), now.g().eps()));
        b.d(new OptimizerSettings(lr, now.d().beta1(), now.d().beta2(), now.d().eps()));
      }
      if (xflip) {
        b.xflip(true);
      }
      if (seed != null) {
        b.seed(seed);
      }
      if (snapshot != null) {
        b.snapshotImages(Cli.images(snapshot));
      }
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new Cli.UserError(e.getMessage().startsWith("No enum") ? "--loss must be one of non_saturating, minimax, wgan_gp, hinge,"
          + " least_squares" : e.getMessage());
    }
  }

  /** The named preset of a family for data of the given sample shape. */
  static ModelConfig preset(String family, String preset, long[] shape) {
    int c = shape.length == 3 ? (int) shape[0] : 0;
    int r = shape.length == 3 ? (int) shape[1] : 0;
    int pow2 = r <= 32 ? 32 : Integer.highestOneBit(r);
    String p = preset == null ? "" : preset;
    switch (family) {
      case "vanilla":
        if (shape.length == 1 || p.equals("toy2d")) {
          return VanillaConfig.toy2d();
        }
        if (p.isEmpty() || p.equals("mnist")) {
          return new VanillaConfig(100, 512, 3, c, r, 0);
        }
        break;
      case "dcgan":
        if (shape.length == 3 && (p.isEmpty() || p.equals("fashion28"))) {
          DcganConfig f = DcganConfig.fashion28();
          return new DcganConfig(f.zDim(), c, r == 28 ? 28 : pow2, f.gChannels(), f.dChannels());
        }
        if (p.equals("paper64")) {
          return new DcganConfig(100, c, 64, 64, 64);
        }
        break;
      case "progressive":
        if (p.isEmpty() || p.equals("cpu32")) {
          ProgressiveConfig q = ProgressiveConfig.cpu32(c);
          return new ProgressiveConfig(q.zDim(), c, pow2, q.channelBase() * pow2 / 32, q.channelMax(), q.mbstdGroup());
        }
        if (p.equals("paper")) {
          return ProgressiveConfig.paper(c, pow2);
        }
        break;
      case "stylegan":
        if (p.isEmpty() || p.equals("cpu32")) {
          StyleGanConfig q = StyleGanConfig.cpu32(c);
          return new StyleGanConfig(q.zDim(), q.wDim(), q.mappingLayers(), c, pow2, q.channelBase() * pow2 / 32, q.channelMax(), q.mbstdGroup());
        }
        if (p.equals("paper")) {
          return StyleGanConfig.paper(c, pow2);
        }
        break;
      case "stylegan2":
        if (p.isEmpty() || p.equals("cpu32")) {
          StyleGan2Config q = StyleGan2Config.cpu32(c, 0);
          return new StyleGan2Config(q.zDim(), q.wDim(), q.mappingLayers(), q.mappingLrMul(), c, pow2, q.channelBase() * pow2 / 32,
              q.channelMax(), 0, false, q.mbstdGroup(), q.mbstdChannels(), q.dMappingLayers());
        }
        if (p.equals("cifar")) {
          return StyleGan2Config.cifar(c, 0);
        }
        if (p.equals("paper256")) {
          return StyleGan2Config.paper256(c, 0);
        }
        break;
      default:
        throw new Cli.UserError("--family must be one of vanilla, dcgan, progressive, stylegan, stylegan2; got '" + family + "'");
    }
    if (shape.length == 1) {
      throw new Cli.UserError("the " + family + " family makes images; use --family vanilla for 2-D point data");
    }
    throw new Cli.UserError("unknown --preset '" + preset + "' for " + family + "; see gan train --help");
  }
}
