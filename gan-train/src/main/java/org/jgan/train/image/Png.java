package org.jgan.train.image;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.jgan.core.io.AtomicFile;

/** Writing PNG files atomically ({@link AtomicFile}). */
public final class Png {
  private Png() {}

  /** Writes {@code img} to {@code path}, creating folders as needed. */
  public static void write(BufferedImage img, Path path) throws IOException {
    AtomicFile.write(
        path,
        out -> {
          if (!ImageIO.write(img, "png", out)) {
            throw new IOException("no PNG writer available");
          }
        });
  }
}
