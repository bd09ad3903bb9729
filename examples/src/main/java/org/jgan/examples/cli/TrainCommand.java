package org.jgan.examples.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.jgan.core.io.Json;
import org.jgan.core.io.WeightFileException;
import org.jgan.core.kernels.DataFormat;
import org.jgan.core.kernels.Engine;
import org.jgan.core.tensor.Rng;
import org.jgan.models.Family;
import org.jgan.models.ModelConfig;
import org.jgan.models.stylegan2.StyleGan2Config;
import org.jgan.train.augment.Augmentation;
import org.jgan.train.checkpoint.Checkpoint;
import org.jgan.train.data.Dataset;
import org.jgan.train.data.ImageDataset;
import org.jgan.train.loop.AdaSettings;
import org.jgan.train.loop.RunFolders;
import org.jgan.train.loop.StepStats;
import org.jgan.train.loop.Trainer;
import org.jgan.train.loop.TrainingConfig;
import org.jgan.train.loop.TrainingDivergedException;
import org.jgan.train.loop.TrainingRun;
import org.jgan.train.loss.GanLoss;
import org.jgan.train.metrics.FeatureSpace;
import org.jgan.train.metrics.Metrics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code gan train}: trains a model and leaves grids, logs, a loss plot and a checkpoint. */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = {
      "Train a GAN. With no options: a DCGAN on the embedded Fashion-MNIST test split for 300k"
          + " images (about 5 minutes on two cores), samples every 50k images.",
      "A JSON config (--config) gives any setting; flags override it; the resolved config is saved"
          + " as config.json."
    })
public final class TrainCommand implements Callable<Integer> {
  @Option(
      names = "--family",
      description = "vanilla, dcgan, progressive, stylegan or stylegan2 (default: dcgan).")
  String family;

  @Option(
      names = "--preset",
      description =
          "Model preset: vanilla mnist|toy2d, dcgan fashion28|paper64, progressive cpu32|paper, "
              + "stylegan cpu32|paper, stylegan2 cpu32|cifar|paper256 (default: the first).")
  String preset;

  @Option(
      names = "--data",
      description =
          "embedded (Fashion-MNIST test split, in the jar), fashion-mnist (60k training split,"
              + " Debian package), ring8, grid25, a folder with IDX files, or a folder of PNG/JPEG"
              + " images (sub-folders = classes). Default: embedded, or when resuming the run's"
              + " own data where its name says which (embedded, fashion-mnist, ring8, grid25).")
  String data;

  @Mixin TransformOptions transform = new TransformOptions();

  @Option(names = "--images", description = "Total images to train on, e.g. 300k or 2M.")
  String images;

  @Option(names = "--batch", description = "Minibatch size.")
  Integer batch;

  @Option(
      names = "--micro-batch",
      description = "Images per forward pass; gradients accumulate over the batch.")
  Integer microBatch;

  @Option(
      names = "--loss",
      description = "non_saturating, minimax, wgan_gp, hinge or least_squares.")
  String loss;

  @Option(
      names = "--r1-gamma",
      description =
          "R1 weight gamma (0 = off). Default: the family's (StyleGAN 10; StyleGAN2 ADA's"
              + " heuristic 0.0002 r^2 / batch, and 0.05 at 32x32, batch 32, scaled the same way,"
              + " for the conditional cpu32 preset).")
  Double r1Gamma;

  @Option(names = "--r1-interval", description = "R1 every this many steps (16 = lazy).")
  Integer r1Interval;

  @Option(
      names = "--pl-weight",
      description =
          "Path-length regularisation weight (0 = off). Default: the family's (StyleGAN2 2; 0"
              + " for the conditional cpu32 preset).")
  Double plWeight;

  @Option(
      names = "--ema-kimg",
      description = "Generator average half-life in thousands of images (0 = off).")
  Double emaKimg;

  @Option(
      names = "--style-mixing",
      description =
          "Style-mixing probability. Default: the family's (StyleGAN and StyleGAN2 0.9; 0 for"
              + " the conditional cpu32 StyleGAN2 preset).")
  Double styleMixing;

  @Option(
      names = "--mode-seeking",
      description =
          "Weight of the mode-seeking term (Mao et al. 2019) in the generator's loss: pairs of"
              + " samples of one label pushed apart as far as their latents are (0 = off).")
  Double modeSeeking;

  @Option(names = "--lr", description = "Learning rate of both networks.")
  Double lr;

  @Option(
      names = "--progressive",
      description =
          "Progressive growing (StyleGAN2; the progressive GAN and StyleGAN always grow).")
  boolean progressive;

  @Option(
      names = "--conditional",
      description =
          "Condition on the data's class labels (dcgan, progressive, stylegan, stylegan2).")
  boolean conditional;

  @Option(names = "--xflip", description = "Mirror real images at random.")
  boolean xflip;

  @Option(
      names = "--augment",
      description =
          "What every image the discriminator sees goes through: none (default), diffaugment"
              + " (colour, translation and cutout) or ada (adaptive discriminator augmentation,"
              + " the bgc pipeline at a probability p adjusted during training); both are"
              + " differentiable, for small datasets.")
  String augment;

  @Option(
      names = "--ada-target",
      description =
          "ADA: the target of the mean sign of D's outputs on reals (default 0.6; 0 keeps p"
              + " fixed at --augment-p).")
  Double adaTarget;

  @Option(
      names = "--ada-kimg",
      description =
          "ADA: thousands of images for p to move from 0 to 1 at the fastest (default 100).")
  Double adaKimg;

  @Option(names = "--augment-p", description = "ADA: the probability p at the start (default 0).")
  Double augmentP;

  @Option(
      names = "--subset",
      description =
          "Train on N images of the data only, drawn by the seed: N / classes of every class for"
              + " labelled data (for small-data experiments; resume with the same flag).")
  Integer subset;

  @Option(
      names = "--minutes",
      description =
          "Stop after this many minutes of wall time (or at --images, whichever comes first);"
              + " the run can be resumed towards --images.")
  Double minutes;

  @Option(names = "--seed", description = "Random seed (default 1).")
  Long seed;

  @Option(
      names = "--snapshot",
      description = "Images between snapshots (grid, log line, checkpoint).")
  String snapshot;

  @Option(
      names = "--keep-snapshots",
      negatable = true,
      description =
          "Keep every snapshot's checkpoint as checkpoint-<images>.safetensors beside the latest"
              + " (to evaluate a run at several points). A resumed run goes on as its last start"
              + " did unless told.")
  Boolean keepSnapshots;

  @Option(names = "--config", description = "JSON config file; flags override it.")
  Path config;

  @Option(
      names = "--resume",
      description =
          "Continue the run saved in this checkpoint with its settings; --images, --snapshot and"
              + " --lr may change.")
  Path resume;

  @Option(
      names = "--out",
      description =
          "Output folder, which must not hold another run (default: a new numbered folder"
              + " runs/NNNNN-<family>-<data>, or the checkpoint's folder when resuming).")
  Path out;

  @Option(
      names = "--metrics",
      defaultValue = "2000",
      description =
          "Samples for FD/KID/precision/recall at the end, for Fashion-MNIST (0 = skip). Default:"
              + " ${DEFAULT-VALUE}.")
  int metrics;

  @Option(
      names = "--inception",
      paramLabel = "FILE",
      description =
          "Compute the metrics at the end in Inception-v3's features (FID as papers report it)"
              + " with pytorch-fid's pt_inception-2015-12-05-6726825d.pth, on any data of 1 or 3"
              + " channels (default: the Fashion-MNIST classifier's features).")
  Path inception;

  @Option(
      names = "--progress",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description = "Show a progress bar on a terminal (default on).")
  boolean progressBar;

  @Option(
      names = "--mbstd-by-label",
      negatable = true,
      description =
          "Conditional StyleGAN2: the discriminator's minibatch standard deviation over the"
              + " samples of each label, so that it sees the variety within a class (off in the"
              + " paper; on by default for the conditional cpu32 preset, with R1 gamma"
              + " 0.05 at 32x32 and batch 32 instead of ADA's heuristic: docs/results.md).")
  Boolean mbstdByLabel;

  @Option(
      names = "--layout",
      description = "Memory layout inside StyleGAN2 networks: nhwc (default, faster) or nchw.")
  String layout;

  @Override
  public Integer call() throws IOException {
    if (minutes != null && !(minutes > 0 && Double.isFinite(minutes))) {
      throw new Cli.UserError("--minutes must be a positive number, got " + minutes);
    }
    if (resume == null && out != null) {
      checkFree(out); // before any data is read or network built
    }
    Trainer trainer;
    Dataset dataset;
    if (resume != null) {
      Checkpoint.Contents c = Cli.checkpoint(resume);
      TrainingConfig cfg = resumeOverrides(c.config());
      if (data == null) {
        data = dataOfRun(c.dataset());
      }
      dataset =
          Cli.fit(
              subset(Cli.dataset(data, transform.transform(), cfg.seed()), cfg.seed()),
              cfg.model().resolution());
      if (c.dataset() != null
          && !c.dataset().equals(dataset.name())
          && (subset != null || c.dataset().matches(".*-(per-class|images)-seed-?\\d+"))) {
        throw new Cli.UserError(
            "the run trained on "
                + c.dataset()
                + ", this resume would read "
                + dataset.name()
                + ": give the same --data and --subset as the run");
      }
      try {
        trainer = Checkpoint.resume(resume, dataset, saved -> cfg);
      } catch (WeightFileException e) {
        throw new Cli.UserError(e.getMessage());
      } catch (IllegalArgumentException e) {
        throw new Cli.UserError(
            "cannot resume the run of "
                + c.dataset()
                + " on "
                + dataset.name()
                + " ("
                + e.getMessage()
                + "): give the run's own --data");
      }
      Path own = resume.toAbsolutePath().getParent();
      if (out == null) {
        out = own;
      } else if (!out.toAbsolutePath().normalize().equals(own.normalize())) {
        checkFree(out);
      }
    } else {
      Resolved r = resolve();
      dataset = r.dataset();
      try {
        trainer = new Trainer(r.config(), dataset);
      } catch (IllegalArgumentException e) {
        throw new Cli.UserError(e.getMessage());
      }
      if (out == null) {
        out = RunFolders.next(Path.of("runs"), r.config().model().family() + "-" + dataset.name());
      }
    }
    TrainingConfig cfg = trainer.config();
    System.out.printf(
        "training %s on %s (%d samples) for %,d images, batch %d -> %s%n",
        cfg.model().family(),
        dataset.name(),
        dataset.size(),
        cfg.totalImages(),
        cfg.batchSize(),
        out);
    System.out.println("backend: " + Engine.current().describe());
    // say at the start, not after the run, what the metrics at the end can and cannot measure
    boolean measurable = false;
    FeatureSpace space = null;
    if (metrics > 0 && dataset.sampleShape().length == 3) {
      space = Cli.featureSpace(inception); // a bad file fails now, not after the run
      String why = space.cannotMeasure(dataset.sampleShape(), dataset.name());
      String caution = inception == null ? Metrics.caution(dataset.name()) : null;
      if (why != null) {
        System.out.println("metrics: none at the end: " + why + " (--metrics 0 says nothing)");
      } else {
        measurable = true;
        if (caution != null) {
          System.out.println("metrics: " + caution);
        }
      }
    }
    boolean keep;
    if (keepSnapshots != null) {
      keep = keepSnapshots;
    } else {
      keep = resume != null && TrainingRun.keptSnapshots(resume.toAbsolutePath().getParent());
      if (keep) {
        System.out.println(
            "snapshots: each kept as checkpoint-<images>.safetensors, as the run's last start did"
                + " (--no-keep-snapshots stops that)");
      }
    }
    TrainingRun run = new TrainingRun(trainer, out).keepSnapshots(keep);
    long remaining = cfg.totalImages() - trainer.imagesSeen();
    long startImages = trainer.imagesSeen();
    try (ProgressBar bar = progressBar ? bar(remaining) : null) {
      runGuarded(
          run,
          new TrainingRun.Listener() {
            @Override
            public void onStep(StepStats s) {
              if (bar != null) {
                bar.stepTo(s.imagesSeen() - startImages);
                bar.setExtraMessage(
                    String.format(Locale.ROOT, "D %.3f G %.3f", s.lossD(), s.lossG()));
              }
            }
          });
    }
    if (measurable) {
      System.out.printf("computing FD, KID, precision/recall on %d samples...%n", metrics);
      Metrics.Report m = Metrics.evaluate(space, trainer.sampler(), dataset, metrics, cfg.seed());
      Files.writeString(
          out.resolve("metrics.json"), Json.writePretty(m.toMap()), StandardCharsets.UTF_8);
      System.out.printf(
          Locale.ROOT,
          "%s %.2f  KID x1000 %.2f  precision %.3f  recall %.3f  (metrics.json)%n",
          inception == null ? "FD" : "FID",
          m.fd(),
          m.kidTimes1000(),
          m.precision(),
          m.recall());
    }
    System.out.println(
        "done: samples in "
            + out
            + "/fakes*.png, losses in losses.csv and losses.png, checkpoint.safetensors");
    if (!trainer.done()) {
      System.out.printf(
          Locale.ROOT,
          "stopped at the time limit after %,d of %,d images; continue with%n"
              + "  ./gan train --resume %s%s%s%n",
          trainer.imagesSeen(),
          cfg.totalImages(),
          out.resolve("checkpoint.safetensors"),
          data == null || data.equals(dataOfRun(dataset.name(), null)) ? "" : " --data " + data,
          subset == null ? "" : " --subset " + subset);
    } else if (cfg.model().family() == Family.DCGAN && cfg.model().labelCount() == 0) {
      System.out.println("next: train the conditional StyleGAN2 preset for longer with");
      System.out.println("  ./gan train --family stylegan2 --conditional --images 2M");
    }
    return 0;
  }

  /**
   * The {@code --data} of a run whose data is named {@code name} (a subset's name starts with its
   * data's): embedded, fashion-mnist, ring8 or grid25; other data (a folder, a .zip) must be given.
   */
  private static String dataOfRun(String name) {
    String spec = dataOfRun(name, null);
    if (spec == null) {
      throw new Cli.UserError(
          "the run trained on "
              + name
              + "; give its --data (the folder or .zip it was read from) to resume it");
    }
    return spec;
  }

  /** As {@link #dataOfRun(String)}, or {@code otherwise} for data a name does not identify. */
  private static String dataOfRun(String name, String otherwise) {
    if (name == null) {
      return "embedded"; // checkpoints before the data's name was saved: the default
    }
    for (String[] known :
        new String[][] {
          {"fashion-mnist-train", "fashion-mnist"},
          {"fashion-mnist-test", "embedded"},
          {"ring8", "ring8"},
          {"grid25", "grid25"}
        }) {
      if (name.equals(known[0]) || name.startsWith(known[0] + "-")) {
        return known[1];
      }
    }
    return otherwise;
  }

  /** Refuses an --out folder that holds another run, before any work is done. */
  private static void checkFree(Path dir) {
    try {
      RunFolders.checkFree(dir);
    } catch (FileAlreadyExistsException e) {
      throw new Cli.UserError("--out " + e.getFile() + " " + e.getReason());
    }
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
        b.g(cfg.g().withLr(lr)).d(cfg.d().withLr(lr));
      }
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new Cli.UserError(e.getMessage());
    }
  }

  /**
   * Runs training; a diverged run becomes a user error that says how to resume from the last good
   * checkpoint.
   */
  private void runGuarded(TrainingRun run, TrainingRun.Listener listener) throws IOException {
    try {
      run.run(listener, minutes == null ? 0 : minutes * 60);
    } catch (TrainingDivergedException e) {
      Path ckpt = out.resolve("checkpoint.safetensors");
      String resumeHint =
          Files.exists(ckpt)
              ? "; the last good checkpoint is "
                  + ckpt
                  + " (resume with ./gan train --resume "
                  + ckpt
                  + " --lr <smaller>)"
              : "; no checkpoint was written before it";
      throw new Cli.UserError(e.getMessage() + resumeHint);
    }
  }

  private static ProgressBar bar(long remaining) {
    if (System.console() == null) {
      return null;
    }
    return new ProgressBarBuilder()
        .setTaskName("train")
        .setInitialMax(remaining)
        .setUnit(" kimg", 1000)
        .setStyle(ProgressBarStyle.ASCII)
        .showSpeed()
        .setUpdateIntervalMillis(500)
        .build();
  }

  /** The data, or with {@code --subset N} N of its images (N / classes per class). */
  private Dataset subset(Dataset d, long seed) {
    if (subset == null) {
      return d;
    }
    if (!(d instanceof ImageDataset images)) {
      throw new Cli.UserError(
          "--subset needs images held in memory (embedded, fashion-mnist or an IDX folder), not "
              + d.name());
    }
    int classes = Math.max(1, images.labelCount());
    if (subset < classes || subset % classes != 0 || subset > images.size()) {
      throw new Cli.UserError(
          "--subset "
              + subset
              + ": must be a multiple of the "
              + classes
              + " classes, at most the "
              + images.size()
              + " images");
    }
    try {
      return images.labelCount() > 0
          ? images.perClass(subset / classes, seed)
          : images.select(
              images.name() + "-" + subset + "-images-seed" + seed,
              Arrays.copyOf(new Rng(seed).permutation(images.size()), subset));
    } catch (IllegalArgumentException e) {
      throw new Cli.UserError("--subset " + subset + ": " + e.getMessage());
    }
  }

  /** A new run's config and the data it trains on. */
  record Resolved(TrainingConfig config, Dataset dataset) {}

  /**
   * Config file, family preset and flags, in that order of precedence (flags last), and the
   * dataset, opened first: the preset takes its shape.
   */
  Resolved resolve() throws IOException {
    TrainingConfig base = configFile();
    long dataSeed = seed != null ? seed : base != null ? base.seed() : 1;
    Dataset dataset =
        subset(
            Cli.dataset(data != null ? data : "embedded", transform.transform(), dataSeed),
            dataSeed);
    ModelConfig model = model(base, dataset.sampleShape());
    model = conditioned(model, dataset);
    long total = images != null ? Cli.images(images) : base != null ? base.totalImages() : 300_000;
    boolean sameFamily = base != null && base.model().family() == model.family();
    TrainingConfig.Builder b =
        (sameFamily
                ? base.toBuilder().model(model)
                : TrainingConfig.defaults(model, total).toBuilder())
            .totalImages(total);
    if (base == null) {
      b.snapshotImages(Math.max(total / 6, 1));
    }
    try {
      if (cpuRecipe(model)) {
        if (batch != null) {
          b.batchSize(batch); // the tuning's R1 weight scales with the batch
        }
        b.conditionalCpuTuning();
      }
      applyFlags(b); // a flag given wins over the tuning
      return new Resolved(b.build(), Cli.fit(dataset, model.resolution()));
    } catch (IllegalArgumentException e) {
      throw new Cli.UserError(
          e.getMessage().startsWith("No enum")
              ? "--loss must be one of non_saturating, minimax, wgan_gp, hinge," + " least_squares"
              : e.getMessage());
    }
  }

  private TrainingConfig configFile() throws IOException {
    if (config == null) {
      return null;
    }
    if (!Files.isRegularFile(config)) {
      throw new Cli.UserError("config file " + config + " does not exist");
    }
    try {
      return TrainingConfig.fromJson(Files.readString(config), null);
    } catch (IllegalArgumentException e) {
      throw new Cli.UserError("config file " + config + ": " + e.getMessage());
    }
  }

  /**
   * The model: the config file's, or the family's preset for data of {@code shape}; then
   * --progressive, --mbstd-by-label and --layout.
   */
  private ModelConfig model(TrainingConfig base, long[] shape) {
    Family fam;
    try {
      fam =
          family != null
              ? Family.of(family)
              : base != null
                  ? base.model().family()
                  : shape.length == 1 ? Family.VANILLA : Family.DCGAN;
    } catch (IllegalArgumentException e) {
      throw new Cli.UserError("--family: " + e.getMessage());
    }
    if (shape.length == 1 && fam != Family.VANILLA) {
      throw new Cli.UserError(
          "the " + fam + " family makes images; use --family vanilla for 2-D point data");
    }
    ModelConfig model;
    if (base != null && preset == null && fam == base.model().family()) {
      model = base.model();
    } else {
      try {
        model =
            fam.preset(
                preset,
                shape.length == 3 ? (int) shape[0] : 0,
                shape.length == 3 ? (int) shape[1] : 0);
      } catch (IllegalArgumentException e) {
        throw new Cli.UserError("--preset: " + e.getMessage());
      }
    }
    if (progressive) {
      if (model instanceof StyleGan2Config s) {
        model = s.withProgressive(true);
      } else if (!model.grows()) {
        throw new Cli.UserError(
            "--progressive needs --family stylegan2 (progressive and stylegan always grow)");
      }
    }
    if (mbstdByLabel != null) {
      if (!(model instanceof StyleGan2Config s)) {
        throw new Cli.UserError("--[no-]mbstd-by-label applies to StyleGAN2");
      }
      model = s.withMbstdByLabel(mbstdByLabel);
    }
    if (layout != null) {
      if (!(model instanceof StyleGan2Config s)) {
        throw new Cli.UserError("--layout applies to StyleGAN2 (the other families run NCHW)");
      }
      try {
        model = s.withLayout(DataFormat.valueOf(layout.toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new Cli.UserError("--layout must be nhwc or nchw, got '" + layout + "'");
      }
    }
    return model;
  }

  /** {@code model} conditioned on the data's classes when --conditional asks for it. */
  private ModelConfig conditioned(ModelConfig model, Dataset dataset) {
    if (!conditional) {
      return model;
    }
    if (dataset.labelCount() == 0) {
      throw new Cli.UserError("--conditional: dataset " + dataset.name() + " has no labels");
    }
    try {
      ModelConfig labelled = model.withLabels(dataset.labelCount());
      return cpuRecipe(labelled) && mbstdByLabel == null
          ? ((StyleGan2Config) labelled).withMbstdByLabel(true)
          : labelled;
    } catch (UnsupportedOperationException e) {
      throw new Cli.UserError(
          "--conditional: "
              + e.getMessage()
              + "; dcgan, progressive, stylegan and stylegan2 can be conditioned");
    }
  }

  /**
   * Whether a new run of {@code model} takes the conditional cpu32 StyleGAN2's tuning ({@link
   * TrainingConfig.Builder#conditionalCpuTuning} and the minibatch stddev by label): a conditional
   * StyleGAN2 of the default preset, with no config file.
   */
  private boolean cpuRecipe(ModelConfig model) {
    return config == null
        && model instanceof StyleGan2Config
        && model.labelCount() > 0
        && (preset == null || preset.equals("cpu32"));
  }

  /** The flags that override single settings. */
  private void applyFlags(TrainingConfig.Builder b) {
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
    if (modeSeeking != null) {
      b.modeSeeking(modeSeeking);
    }
    if (styleMixing != null) {
      b.styleMixing(styleMixing);
    }
    if (lr != null) {
      TrainingConfig now = b.build();
      b.g(now.g().withLr(lr)).d(now.d().withLr(lr));
    }
    if (xflip) {
      b.xflip(true);
    }
    if (augment != null) {
      try {
        b.augment(Augmentation.valueOf(augment.toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new Cli.UserError(
            "--augment must be none, diffaugment or ada, got '" + augment + "'");
      }
    }
    if (adaTarget != null || adaKimg != null || augmentP != null) {
      AdaSettings a = b.build().ada();
      b.ada(
          new AdaSettings(
              adaTarget != null ? adaTarget : a.target(),
              adaKimg != null ? adaKimg : a.kimg(),
              a.interval(),
              augmentP != null ? augmentP : a.p()));
    }
    if (seed != null) {
      b.seed(seed);
    }
    if (snapshot != null) {
      b.snapshotImages(Cli.images(snapshot));
    }
  }
}
