package org.jgan.train.data;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Collections;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Decoding one picture file with {@code javax.imageio}, with its size checked before any pixel is
 * decoded ({@link PackedDataset} reads folders and ZIP files of them).
 */
public final class ImageFiles {
  private ImageFiles() {}

  /** Largest width or height accepted (larger images are refused before decoding). */
  public static final int MAX_SIDE = 16384;

  /** Largest pixel count accepted. */
  public static final long MAX_PIXELS = 1L << 26;

  /**
   * Decodes one PNG or JPEG. The size in the header is checked before any pixel is decoded, and
   * decoder failures become {@link DatasetException}s naming {@code source}.
   */
  public static BufferedImage decode(byte[] bytes, String source) throws DatasetException {
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
      Iterator<ImageReader> readers =
          in == null ? Collections.emptyIterator() : ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        throw new DatasetException(source + ": not a PNG or JPEG image");
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        int w = reader.getWidth(0);
        int h = reader.getHeight(0);
        if (w < 1 || h < 1 || w > MAX_SIDE || h > MAX_SIDE || (long) w * h > MAX_PIXELS) {
          throw new DatasetException(
              source
                  + ": image of "
                  + w
                  + "x"
                  + h
                  + " pixels is outside 1.."
                  + MAX_SIDE
                  + " per side");
        }
        BufferedImage img = reader.read(0);
        if (img == null) {
          throw new DatasetException(source + ": no image in the file");
        }
        return img;
      } finally {
        reader.dispose();
      }
    } catch (DatasetException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new DatasetException(source + ": cannot decode image (" + e + ")", e);
    }
  }
}
