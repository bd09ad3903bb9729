package org.jgan.examples.cli;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;
import org.jgan.core.autograd.GradMode;
import org.jgan.core.io.AtomicFile;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.tensor.TensorScope;
import org.jgan.models.Generator;
import org.jgan.models.Sampling;
import org.jgan.models.StyleGenerator;
import org.jgan.train.checkpoint.Checkpoint;
import org.jgan.train.image.ImageGrid;
import org.jgan.train.image.Png;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code gan interpolate}: a walk between two seeds in z (spherical) or w (linear). */
@Command(
    name = "interpolate",
    mixinStandardHelpOptions = true,
    description =
        "Walk between two seeds, in z (spherical interpolation) or in w (linear; style-based"
            + " models), as PNG frames and an animated GIF.")
public final class InterpolateCommand implements Callable<Integer> {
  @Option(
      names = "--checkpoint",
      required = true,
      description =
          "A run's checkpoint.safetensors, or a StyleGAN2 of stylegan2-ada-pytorch (.pkl) or"
              + " rosinality (.pt).")
  Path checkpoint;

  @Option(
      names = "--from",
      defaultValue = "0",
      description = "Start seed (default ${DEFAULT-VALUE}).")
  long from;

  @Option(names = "--to", defaultValue = "1", description = "End seed (default ${DEFAULT-VALUE}).")
  long to;

  @Option(
      names = "--frames",
      defaultValue = "16",
      description = "Frames (default ${DEFAULT-VALUE}).")
  int frames;

  @Option(names = "--space", defaultValue = "z", description = "z or w (default ${DEFAULT-VALUE}).")
  String space;

  @Option(
      names = "--out",
      defaultValue = "interpolation",
      description = "Output folder (default ${DEFAULT-VALUE}).")
  Path out;

  @Override
  public Integer call() throws IOException {
    if (frames < 2) {
      throw new Cli.UserError("--frames must be >= 2");
    }
    if (!space.equals("z") && !space.equals("w")) {
      throw new Cli.UserError("--space must be z or w; got '" + space + "'");
    }
    Checkpoint.Contents c = Cli.checkpoint(checkpoint);
    Generator g = Cli.generator(c);
    Files.createDirectories(out);
    List<BufferedImage> pictures = new ArrayList<>();
    try (TensorScope s = TensorScope.open();
        GradMode.Guard off = GradMode.disabled()) {
      Tensor img;
      int[] labels = null;
      if (g.labelCount() > 0) {
        labels = new int[frames];
        Arrays.fill(labels, (int) Math.floorMod(from, (long) g.labelCount()));
      }
      if (space.equals("w")) {
        if (!(g instanceof StyleGenerator sg)) {
          throw new Cli.UserError("--space w needs a StyleGAN or StyleGAN2 checkpoint");
        }
        Tensor ws = StyleCommands.ws(sg, new long[] {from, to}, 1.0);
        Tensor a = ws.slice(0, 0, 1);
        Tensor b = ws.slice(0, 1, 2);
        List<Tensor> path = new ArrayList<>();
        for (int i = 0; i < frames; i++) {
          double t = i / (frames - 1.0);
          path.add(a.add(b.sub(a).mul(t)));
        }
        img = StyleCommands.render(sg, Tensor.concat(0, path.toArray(new Tensor[0])));
      } else {
        double[] za = Cli.latents(g, new long[] {from}).toDoubleArray();
        double[] zb = Cli.latents(g, new long[] {to}).toDoubleArray();
        double[] all = new double[frames * za.length];
        for (int i = 0; i < frames; i++) {
          double[] z = slerp(za, zb, i / (frames - 1.0));
          System.arraycopy(z, 0, all, i * za.length, za.length);
        }
        img =
            g.forward(Tensor.of(all, frames, za.length).to(g.dtype()), labels, Sampling.fixed(1.0));
      }
      if (img.rank() != 4) {
        throw new Cli.UserError("this model generates points, not images");
      }
      int scale = img.size(2) <= 32 ? 4 : 2;
      for (int i = 0; i < frames; i++) {
        BufferedImage p = ImageGrid.single(img, i, scale);
        Png.write(p, out.resolve(String.format("frame%03d.png", i)));
        pictures.add(p);
      }
    }
    writeGif(pictures, out.resolve("interpolation.gif"), 120);
    System.out.printf("wrote %d frames and interpolation.gif to %s%n", frames, out);
    return 0;
  }

  /** Spherical interpolation between latents (Shoemake), which keeps them at a typical norm. */
  static double[] slerp(double[] a, double[] b, double t) {
    double na = norm(a);
    double nb = norm(b);
    double dot = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] / na * b[i] / nb;
    }
    double omega = Math.acos(Math.max(-1, Math.min(1, dot)));
    double[] out = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] =
          omega < 1e-6
              ? a[i] + t * (b[i] - a[i])
              : (Math.sin((1 - t) * omega) * a[i] + Math.sin(t * omega) * b[i]) / Math.sin(omega);
    }
    return out;
  }

  private static double norm(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x * x;
    }
    return Math.sqrt(s);
  }

  /** An endlessly looping GIF with {@code delayMs} per frame, via ImageIO's GIF writer. */
  static void writeGif(List<BufferedImage> frames, Path path, int delayMs) throws IOException {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
    AtomicFile.write(path, stream -> writeFrames(writer, frames, stream, delayMs));
  }

  private static void writeFrames(
      ImageWriter writer, List<BufferedImage> frames, OutputStream stream, int delayMs)
      throws IOException {
    try (ImageOutputStream os = ImageIO.createImageOutputStream(stream)) {
      writer.setOutput(os);
      writer.prepareWriteSequence(null);
      for (BufferedImage f : frames) {
        IIOMetadata meta =
            writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(f), null);
        String format = meta.getNativeMetadataFormatName();
        IIOMetadataNode root = (IIOMetadataNode) meta.getAsTree(format);
        IIOMetadataNode gce = child(root, "GraphicControlExtension");
        gce.setAttribute("disposalMethod", "none");
        gce.setAttribute("userInputFlag", "FALSE");
        gce.setAttribute("transparentColorFlag", "FALSE");
        gce.setAttribute("delayTime", Integer.toString(delayMs / 10));
        gce.setAttribute("transparentColorIndex", "0");
        IIOMetadataNode app = child(child(root, "ApplicationExtensions"), "ApplicationExtension");
        app.setAttribute("applicationID", "NETSCAPE");
        app.setAttribute("authenticationCode", "2.0");
        app.setUserObject(new byte[] {1, 0, 0}); // loop forever
        meta.setFromTree(format, root);
        writer.writeToSequence(new IIOImage(f, null, meta), null);
      }
      writer.endWriteSequence();
    } finally {
      writer.dispose();
    }
  }

  private static IIOMetadataNode child(IIOMetadataNode root, String name) {
    for (int i = 0; i < root.getLength(); i++) {
      if (root.item(i).getNodeName().equalsIgnoreCase(name)) {
        return (IIOMetadataNode) root.item(i);
      }
    }
    IIOMetadataNode n = new IIOMetadataNode(name);
    root.appendChild(n);
    return n;
  }
}
