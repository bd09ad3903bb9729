package org.jgan.train.data;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * A folder of PNG/JPEG images (read with {@code javax.imageio}), each centre-cropped to a square
 * and resized (bicubic) to the target resolution, as grayscale or RGB. Sub-folders are classes
 * (sorted by name); images directly in the folder make an unlabelled set.
 */
public final class ImageFolder {
  private ImageFolder() {}

  /**
   * Loads every {@code .png}, {@code .jpg} and {@code .jpeg} file.
   *
   * @param channels 1 (luminance) or 3 (RGB)
   * @throws DatasetException naming a file that cannot be decoded, or an empty folder
   */
  public static ImageDataset load(Path dir, int resolution, int channels) throws IOException {
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
    }
    if (!Files.isDirectory(dir)) {
      throw new DatasetException(dir + ": not a folder");
    }
    List<Path> classDirs;
    try (Stream<Path> s = Files.list(dir)) {
      classDirs = s.filter(Files::isDirectory).sorted().toList();
    }
    List<Path> files = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    List<String> classes = new ArrayList<>();
    if (classDirs.isEmpty()) {
      files.addAll(images(dir));
    } else {
      for (Path c : classDirs) {
        List<Path> fs = images(c);
        classes.add(c.getFileName().toString());
        for (Path f : fs) {
          files.add(f);
          labels.add(classes.size() - 1);
        }
      }
    }
    if (files.isEmpty()) {
      throw new DatasetException(dir + ": no .png, .jpg or .jpeg images found");
    }
    int per = channels * resolution * resolution;
    byte[] pixels = new byte[Math.multiplyExact(files.size(), per)];
    for (int i = 0; i < files.size(); i++) {
      byte[] bytes = Files.readAllBytes(files.get(i));
      write(square(decode(bytes, files.get(i).toString()), resolution), channels, pixels, i * per);
    }
    int[] ls = classes.isEmpty() ? null : labels.stream().mapToInt(Integer::intValue).toArray();
    return new ImageDataset(
        dir.getFileName().toString(),
        pixels,
        files.size(),
        channels,
        resolution,
        resolution,
        ls,
        classes);
  }

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

  private static List<Path> images(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(Files::isRegularFile)
          .filter(
              p -> {
                String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                return n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg");
              })
          .sorted()
          .toList();
    }
  }

  /** Centre crop to a square, then resize to {@code size x size}. */
  static BufferedImage square(BufferedImage img, int size) {
    int side = Math.min(img.getWidth(), img.getHeight());
    int x0 = (img.getWidth() - side) / 2;
    int y0 = (img.getHeight() - side) / 2;
    BufferedImage out = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.setRenderingHint(
        RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
    g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
    g.drawImage(img, 0, 0, size, size, x0, y0, x0 + side, y0 + side, null);
    g.dispose();
    return out;
  }

  private static void write(BufferedImage img, int channels, byte[] out, int at) {
    int size = img.getWidth();
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        int rgb = img.getRGB(x, y);
        int r = (rgb >> 16) & 0xFF;
        int g = (rgb >> 8) & 0xFF;
        int b = rgb & 0xFF;
        if (channels == 1) {
          out[at + y * size + x] = (byte) Math.round(0.299 * r + 0.587 * g + 0.114 * b);
        } else {
          out[at + y * size + x] = (byte) r;
          out[at + size * size + y * size + x] = (byte) g;
          out[at + 2 * size * size + y * size + x] = (byte) b;
        }
      }
    }
  }
}
