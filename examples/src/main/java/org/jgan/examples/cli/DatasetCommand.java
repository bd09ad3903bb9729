package org.jgan.examples.cli;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import org.jgan.train.data.Dataset;
import org.jgan.train.data.DatasetException;
import org.jgan.train.data.DatasetWriter;
import org.jgan.train.data.ImageDataset;
import org.jgan.train.data.ImageSource;
import org.jgan.train.data.ImageTransform;
import org.jgan.train.data.PackedDataset;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code gan dataset}: packs images into a dataset (the counterpart of stylegan2-ada-pytorch's
 * {@code dataset_tool.py}).
 */
@Command(
    name = "dataset",
    mixinStandardHelpOptions = true,
    description = {
      "Pack images into a dataset for gan train --data: a ZIP of PNGs with dataset.json (the layout"
          + " stylegan2-ada-pytorch reads) or a folder of the same.",
      "Sources: a folder of images (classes from dataset.json or from sub-folders), a dataset"
          + " .zip, a folder with IDX files, embedded or fashion-mnist. Pictures that are not"
          + " square at --resolution need an explicit --transform; a picture that cannot be"
          + " decoded stops the packing with its name, and nothing is left behind."
    })
public final class DatasetCommand implements Callable<Integer> {
  @Option(names = "--source", required = true, description = "What to pack (see above).")
  String source;

  @Option(
      names = "--dest",
      required = true,
      description = "The new dataset: a .zip file or a new (or empty) folder.")
  Path dest;

  @Mixin TransformOptions options = new TransformOptions();

  @Option(names = "--max-images", description = "Pack only the first N pictures.")
  Integer maxImages;

  @Override
  public Integer call() throws IOException {
    ImageTransform t = options.transform();
    Dataset data = Cli.dataset(source, t, 1);
    if (!(data instanceof ImageSource src) || data.sampleShape().length != 3) {
      throw new Cli.UserError("--source " + source + " holds points, not images");
    }
    long[] s = data.sampleShape();
    int c = t.channels() > 0 ? t.channels() : (int) s[0];
    int r = t.resolution() > 0 ? t.resolution() : (int) s[1];
    ImageTransform fixed = t.fixed(r, c);
    int n = maxImages == null ? data.size() : Math.min(maxImages, data.size());
    int[] perClass = new int[Math.max(1, data.labelCount())];
    DatasetWriter w;
    try {
      w = DatasetWriter.create(dest, c, r, data.classNames());
    } catch (FileAlreadyExistsException e) {
      throw new Cli.UserError("--dest " + e.getFile() + " " + e.getReason());
    }
    boolean done = false;
    try (ProgressBar bar = Cli.progressBar("dataset", n)) {
      float[] buf = src.buffer(1);
      for (int i = 0; i < n; i++) {
        byte[] px;
        if (data instanceof PackedDataset p) {
          px = p.pixels(i); // decoded through the transform already
        } else {
          src.decodeInto(new int[] {i}, null, buf);
          px = ImageDataset.toBytes(buf);
          if (s[0] != c || s[1] != r) {
            String name = data.name() + " #" + i;
            px = fixed.apply(ImageTransform.picture(px, (int) s[0], (int) s[1]), name);
          }
        }
        int label = data.labelCount() > 0 ? data.label(i) : -1;
        w.add(px, label);
        perClass[Math.max(label, 0)]++;
        if (bar != null && (i % 256 == 0 || i == n - 1)) {
          bar.stepTo(i + 1L);
        }
      }
      w.close();
      done = true;
    } catch (DatasetException e) {
      throw new Cli.UserError(e.getMessage() + "; nothing was written to " + dest);
    } finally {
      if (!done) {
        w.abort();
      }
    }
    System.out.printf(
        Locale.ROOT,
        "packed %,d images of %dx%dx%d from %s into %s%n",
        n,
        c,
        r,
        r,
        data.name(),
        dest);
    if (data.labelCount() == 0) {
      System.out.println("unlabelled");
    } else {
      System.out.printf("%d classes:%n", data.labelCount());
      for (int k = 0; k < data.labelCount(); k++) {
        System.out.printf(
            Locale.ROOT, "  %3d  %-24s %,8d%n", k, data.classNames().get(k), perClass[k]);
      }
    }
    return 0;
  }
}
