package org.jgan.examples.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.jgan.core.kernels.NativeMemory;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.TensorScope;
import org.jgan.train.data.Batches;
import org.jgan.train.data.DatasetWriter;
import org.jgan.train.data.ImageTransform;
import org.jgan.train.data.PackedDataset;

/**
 * {@code gan bench data}: how fast a packed dataset streams. Writes a synthetic dataset when the
 * file does not exist (smooth colour fields with a few discs, so that the PNGs compress like
 * photographs rather than noise), then opens it and decodes random batches, reporting images and
 * decoded megabytes per second, the heap and resident memory.
 */
public final class DataBench {
  private DataBench() {}

  /** Creates {@code zip} with {@code count} images of {@code 3 x side x side} unless it exists. */
  static void synthesise(Path zip, int count, int side, PrintStream log) throws IOException {
    if (Files.exists(zip)) {
      log.println("using " + zip + " as it is");
      return;
    }
    long t0 = System.nanoTime();
    Rng rng = new Rng(2026);
    try (DatasetWriter w = DatasetWriter.create(zip, 3, side, List.of())) {
      byte[] px = new byte[3 * side * side];
      for (int i = 0; i < count; i++) {
        double[] a = new double[9];
        for (int k = 0; k < 9; k++) {
          a[k] = rng.nextDouble();
        }
        double cx = rng.nextDouble() * side;
        double cy = rng.nextDouble() * side;
        double r2 = Math.pow(side * (0.1 + 0.3 * rng.nextDouble()), 2);
        for (int c = 0; c < 3; c++) {
          for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
              double v = 255 * (a[c] * x / side + a[3 + c] * y / side) / 2;
              if ((x - cx) * (x - cx) + (y - cy) * (y - cy) < r2) {
                v = 255 * a[6 + c];
              }
              px[(c * side + y) * side + x] = (byte) Math.min(255, (int) v);
            }
          }
        }
        w.add(px, -1);
        if ((i + 1) % 2000 == 0) {
          log.printf(
              Locale.ROOT, "  wrote %,d images (%.0f s)%n", i + 1, (System.nanoTime() - t0) / 1e9);
        }
      }
    }
    log.printf(
        Locale.ROOT,
        "wrote %s: %,d images of 3x%dx%d, %.2f GB decoded, %.2f GB on disk, in %.0f s%n",
        zip,
        count,
        side,
        side,
        (double) count * 3 * side * side / 1e9,
        Files.size(zip) / 1e9,
        (System.nanoTime() - t0) / 1e9);
  }

  /** Opens {@code zip} and decodes {@code batches} random batches of {@code batch} images. */
  static void measure(Path zip, int batch, int batches, PrintStream log) throws IOException {
    Runtime rt = Runtime.getRuntime();
    long t0 = System.nanoTime();
    try (PackedDataset d = PackedDataset.open(zip, ImageTransform.asIs())) {
      double open = (System.nanoTime() - t0) / 1e9;
      long[] s = d.sampleShape();
      long per = s[0] * s[1] * s[2];
      log.printf(
          Locale.ROOT,
          "opened %s in %.2f s: %,d images of %dx%dx%d (%.2f GB decoded)%n",
          zip,
          open,
          d.size(),
          s[0],
          s[1],
          s[2],
          (double) d.size() * per / 1e9);
      Batches b = new Batches(d, 1, true);
      try (TensorScope scope = TensorScope.open()) {
        b.next(batch, DType.FLOAT32); // first batch: nothing decoded ahead yet
      }
      long t1 = System.nanoTime();
      for (int i = 0; i < batches; i++) {
        try (TensorScope scope = TensorScope.open()) {
          b.next(batch, DType.FLOAT32);
        }
      }
      double sec = (System.nanoTime() - t1) / 1e9;
      double rate = (double) batches * batch / sec;
      log.printf(
          Locale.ROOT,
          "decoded %,d batches of %d: %.0f images/s, %.0f MB/s of pixels, %.1f ms per batch"
              + " (one background thread, nothing else to do)%n",
          batches,
          batch,
          rate,
          rate * per / 1e6,
          sec * 1000 / batches);
      System.gc();
      log.printf(
          Locale.ROOT,
          "heap: max %d MB, used %d MB after a GC; resident %d MB%n",
          rt.maxMemory() >> 20,
          (rt.totalMemory() - rt.freeMemory()) >> 20,
          NativeMemory.residentBytes() >> 20);
    }
  }
}
