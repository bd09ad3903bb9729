package org.jgan.examples.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.jgan.core.io.WeightFileException;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.models.Generator;
import org.jgan.models.Sampling;
import org.jgan.models.StyleGenerator;
import org.jgan.train.checkpoint.Checkpoint;
import org.jgan.train.checkpoint.PytorchImport;
import org.jgan.train.data.Dataset;
import org.jgan.train.data.DatasetWriter;
import org.jgan.train.data.FashionMnist;
import org.jgan.train.data.ImageDataset;
import org.jgan.train.data.ImageTransform;
import org.jgan.train.data.PackedDataset;
import org.jgan.train.data.ToyDistributions;
import org.jgan.train.metrics.FeatureNet;
import org.jgan.train.metrics.FeatureSpace;
import org.jgan.train.metrics.Inception;

/** Argument parsing and loading shared by the commands. */
public final class Cli {
  private Cli() {}

  /** A user-facing error: printed as one line, exit status 1. */
  public static final class UserError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** An error with a message saying what was wrong and what to do. */
    public UserError(String message) {
      super(message);
    }
  }

  /** {@code 300k}, {@code 1.5M}, {@code 20000} to an image count. */
  public static long images(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT).replace("_", "");
    double mul = 1;
    if (t.endsWith("k")) {
      mul = 1e3;
      t = t.substring(0, t.length() - 1);
    } else if (t.endsWith("m")) {
      mul = 1e6;
      t = t.substring(0, t.length() - 1);
    }
    try {
      double v = Double.parseDouble(t) * mul;
      if (!(v >= 1) || v > 1e12) {
        throw new NumberFormatException();
      }
      return Math.round(v);
    } catch (NumberFormatException e) {
      throw new UserError("'" + text + "' is not an image count; write e.g. 20000, 300k or 1.5M");
    }
  }

  /** {@code 0-15}, {@code 3,7,9} or {@code 0-3,10} to seeds. */
  public static long[] seeds(String text) {
    List<Long> out = new ArrayList<>();
    try {
      for (String part : text.split(",")) {
        String p = part.trim();
        int dash = p.indexOf('-', 1);
        if (dash > 0) {
          long a = Long.parseLong(p.substring(0, dash));
          long b = Long.parseLong(p.substring(dash + 1));
          if (b < a || b - a > 100_000) {
            throw new NumberFormatException();
          }
          for (long s = a; s <= b; s++) {
            out.add(s);
          }
        } else {
          out.add(Long.parseLong(p));
        }
      }
    } catch (NumberFormatException e) {
      throw new UserError("'" + text + "' is not a list of seeds; write e.g. 0-15 or 1,5,9");
    }
    return out.stream().mapToLong(Long::longValue).toArray();
  }

  /** One latent per seed, as StyleGAN2-ADA's scripts do: seed s draws z from its own stream. */
  public static Tensor latents(Generator g, long[] seeds) {
    Tensor[] zs = new Tensor[seeds.length];
    for (int i = 0; i < seeds.length; i++) {
      zs[i] = g.sampleLatents(1, new Rng(seeds[i]));
    }
    return Tensor.concat(0, zs);
  }

  /**
   * A dataset from a spec: {@code embedded} (Fashion-MNIST's test split inside the jar), {@code
   * fashion-mnist} (the 60,000-image training split from Debian's package), {@code ring8}, {@code
   * grid25}, a folder with IDX files, or a packed dataset (a ZIP written by {@code gan dataset} or
   * stylegan2-ada-pytorch's tool) or folder of images, both read as they are needed ({@link
   * PackedDataset}) through {@code transform}.
   */
  public static Dataset dataset(String spec, ImageTransform transform, long seed)
      throws IOException {
    switch (spec) {
      case "embedded":
        return FashionMnist.embeddedTest();
      case "fashion-mnist":
        if (!FashionMnist.trainingSplitInstalled()) {
          throw new UserError(
              "the Fashion-MNIST training split is not installed: run 'apt-get install"
                  + " dataset-fashion-mnist' or use --data embedded");
        }
        return FashionMnist.load(FashionMnist.DEBIAN_DIR, "train");
      case "ring8":
        return ToyDistributions.ring8(50_000, new Rng(seed).split(77));
      case "grid25":
        return ToyDistributions.grid25(50_000, new Rng(seed).split(77));
      default:
        Path p = Path.of(spec);
        if (Files.isRegularFile(p) && DatasetWriter.isZip(p)) {
          return PackedDataset.open(p, transform);
        }
        if (!Files.isDirectory(p)) {
          throw new UserError(
              "--data '"
                  + spec
                  + "': not a folder or .zip file; use embedded, fashion-mnist, ring8, grid25, a"
                  + " folder with IDX files, a dataset .zip or a folder of images");
        }
        try (var files = Files.list(p)) {
          List<String> names = files.map(f -> f.getFileName().toString()).toList();
          if (names.stream().anyMatch(n -> n.startsWith("train-images-idx3-ubyte"))) {
            return FashionMnist.load(p, "train");
          }
          if (names.stream().anyMatch(n -> n.startsWith("t10k-images-idx3-ubyte"))) {
            return FashionMnist.load(p, "t10k");
          }
        }
        return PackedDataset.open(p, transform);
    }
  }

  /**
   * The data fitted to a model of {@code resolution}: as it is when the sizes agree, 28x28
   * Fashion-MNIST padded to 32 (the one documented implicit change), anything else refused with
   * what to do.
   */
  public static Dataset fit(Dataset d, int resolution) {
    long[] s = d.sampleShape();
    if (s.length != 3 || s[1] == resolution) {
      return d;
    }
    if (d instanceof ImageDataset img && s[1] == 28 && resolution == 32) {
      return img.paddedTo(resolution);
    }
    throw new UserError(
        "the data ("
            + d.name()
            + ") is "
            + s[1]
            + "x"
            + s[2]
            + " but the model is "
            + resolution
            + "x"
            + resolution
            + "; choose a preset for the data's size, or resize the data: ./gan dataset --source"
            + " <the data> --dest <new>.zip --resolution "
            + resolution
            + " --transform center-crop, then --data <new>.zip");
  }

  /**
   * A progress bar for {@code total} items on a terminal, or null when output goes elsewhere (logs
   * and tests get no bar).
   */
  public static ProgressBar progressBar(String task, long total) {
    if (System.console() == null) {
      return null;
    }
    return new ProgressBarBuilder()
        .setTaskName(task)
        .setInitialMax(total)
        .setStyle(ProgressBarStyle.ASCII)
        .setUpdateIntervalMillis(500)
        .build();
  }

  /** Reads a checkpoint with a message that says what to do when it cannot. */
  public static Checkpoint.Contents checkpoint(Path path) {
    if (path == null) {
      throw new UserError("give a checkpoint with --checkpoint (a run's checkpoint.safetensors)");
    }
    if (!Files.isRegularFile(path)) {
      throw new UserError(
          "checkpoint "
              + path
              + " does not exist; give the checkpoint.safetensors of a training run");
    }
    if (isPytorchFile(path)) {
      try {
        return PytorchImport.read(path);
      } catch (IOException e) {
        throw new UserError("cannot import " + path + ": " + e.getMessage());
      }
    }
    try {
      return Checkpoint.read(path);
    } catch (WeightFileException e) {
      throw new UserError("cannot read checkpoint: " + e.getMessage());
    } catch (IOException e) {
      throw new UserError("cannot read checkpoint " + path + ": " + e);
    }
  }

  /**
   * Whether {@code path} names a PyTorch file ({@code .pkl}, {@code .pt}, {@code .pth}): a
   * stylegan2-ada-pytorch network pickle, read with {@link PytorchImport}.
   */
  public static boolean isPytorchFile(Path path) {
    String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
    return name.endsWith(".pkl") || name.endsWith(".pt") || name.endsWith(".pth");
  }

  /** The sampling generator of a checkpoint. */
  public static Generator generator(Checkpoint.Contents c) {
    return generator(c, true);
  }

  /** A checkpoint's averaged ({@code G_ema}) or trained ({@code G}) generator. */
  public static Generator generator(Checkpoint.Contents c, boolean averaged) {
    try {
      return Checkpoint.generator(c, averaged);
    } catch (WeightFileException e) {
      throw new UserError(e.getMessage());
    }
  }

  /**
   * Constant-noise sampling truncated by {@code psi} towards {@code towards}: {@code average} (the
   * tracked {@code w_avg}, as in the papers) or {@code class} (the centre of each sample's class,
   * for conditional StyleGAN and StyleGAN2 models).
   */
  public static Sampling sampling(Generator g, double psi, String towards) {
    Sampling s;
    try {
      s = Sampling.fixed(psi);
    } catch (IllegalArgumentException e) {
      throw new UserError("--psi: " + e.getMessage());
    }
    if (psi != 1.0 && !(g instanceof StyleGenerator)) {
      throw new UserError(
          "--psi "
              + psi
              + ": truncation pulls a mapping network's w, which StyleGAN and StyleGAN2 models have"
              + " and this "
              + g.getClass().getSimpleName()
              + " has not; leave --psi at 1");
    }
    switch (towards) {
      case "average":
        return s;
      case "class":
        if (!(g instanceof StyleGenerator) || g.labelCount() == 0) {
          throw new UserError(
              "--truncation class needs a conditional StyleGAN or StyleGAN2 model; this one is "
                  + (g.labelCount() == 0 ? "unconditional" : "without a mapping network"));
        }
        return s.towardsClassCentres();
      default:
        throw new UserError("--truncation must be average or class, got " + towards);
    }
  }

  /**
   * The metrics' feature space: Inception with the weights of {@code inception} (pytorch-fid's
   * {@code pt_inception-2015-12-05-6726825d.pth}) when given, else the shipped Fashion-MNIST
   * classifier.
   */
  public static FeatureSpace featureSpace(Path inception) {
    if (inception == null) {
      return FeatureNet.pretrained();
    }
    if (!Files.isRegularFile(inception)) {
      throw new UserError(
          "--inception "
              + inception
              + " does not exist; give pytorch-fid's pt_inception-2015-12-05-6726825d.pth"
              + " (docs/metrics.md says where it comes from)");
    }
    try {
      return Inception.load(inception);
    } catch (IOException e) {
      throw new UserError("cannot use --inception: " + e.getMessage());
    }
  }
}
