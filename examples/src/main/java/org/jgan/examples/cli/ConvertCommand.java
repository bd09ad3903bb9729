package org.jgan.examples.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jgan.core.io.WeightFileException;
import org.jgan.models.stylegan2.StyleGan2Config;
import org.jgan.train.checkpoint.Checkpoint;
import org.jgan.train.checkpoint.Rosinality;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code gan convert}: a stylegan2-ada-pytorch or rosinality StyleGAN2 as a JGAN checkpoint. */
@Command(
    name = "convert",
    mixinStandardHelpOptions = true,
    description =
        "Turn a stylegan2-ada-pytorch network pickle (network-snapshot-*.pkl: G, D, G_ema) or a"
            + " rosinality stylegan2-pytorch checkpoint (.pt: g, d, g_ema, latent_avg) into a"
            + " JGAN checkpoint, read without running any of it. generate, mix, interpolate,"
            + " directions, evaluate and info also take those files directly. With --to"
            + " rosinality, the reverse: a JGAN StyleGAN2 checkpoint as a rosinality .pt that"
            + " torch.load reads without any class of JGAN.")
public final class ConvertCommand implements Callable<Integer> {
  @Parameters(paramLabel = "FILE", description = "The network pickle or checkpoint.")
  Path file;

  @Option(
      names = "--to",
      defaultValue = "jgan",
      description =
          "jgan (a PyTorch file to a JGAN checkpoint, the default) or rosinality (a JGAN"
              + " checkpoint to rosinality's layout).")
  String to;

  @Option(
      names = "--out",
      description =
          "The file to write (default: FILE with the extension .safetensors, or .pt for"
              + " rosinality, beside it); an existing file is never replaced.")
  Path out;

  @Override
  public Integer call() throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new Cli.UserError(file + " does not exist");
    }
    boolean toRosinality = to.equals("rosinality");
    if (!toRosinality && !to.equals("jgan")) {
      throw new Cli.UserError("--to must be jgan or rosinality, got '" + to + "'");
    }
    if (toRosinality == Cli.isPytorchFile(file)) {
      throw new Cli.UserError(
          toRosinality
              ? file + " is a PyTorch file already; --to rosinality converts a JGAN checkpoint"
              : file
                  + " is not a PyTorch file (.pkl, .pt, .pth); to write a JGAN checkpoint in"
                  + " rosinality's layout give --to rosinality");
    }
    Checkpoint.Contents c = Cli.checkpoint(file);
    Path target = out;
    if (target == null) {
      String name = file.getFileName().toString();
      int dot = name.lastIndexOf('.');
      target =
          file.resolveSibling(
              (dot > 0 ? name.substring(0, dot) : name) + (toRosinality ? ".pt" : ".safetensors"));
    }
    if (Files.exists(target)) {
      throw new Cli.UserError(
          target + " exists; it is not replaced (remove it or give another --out)");
    }
    if (toRosinality) {
      try {
        for (String note : Rosinality.export(c, target)) {
          System.out.println("note: " + note);
        }
      } catch (WeightFileException e) {
        throw new Cli.UserError("cannot write rosinality's layout: " + e.getMessage());
      }
      System.out.println("-> " + target + " (torch.load it; jgan_config has the channels)");
      return 0;
    }
    Checkpoint.write(c, target);
    StyleGan2Config m = (StyleGan2Config) c.config().model();
    System.out.printf(
        Locale.ROOT,
        "StyleGAN2 %dx%d, %d channel(s), %s, conv_clamp %s: G %,d  D %,d  G_ema %,d parameters%n",
        m.resolution(),
        m.resolution(),
        m.imageChannels(),
        m.labelCount() > 0 ? m.labelCount() + " classes" : "unconditional",
        m.convClamp() > 0 ? String.valueOf(m.convClamp()) : "none",
        c.parameterCount("G"),
        c.parameterCount("D"),
        c.parameterCount("G_ema"));
    System.out.println("-> " + target);
    return 0;
  }
}
