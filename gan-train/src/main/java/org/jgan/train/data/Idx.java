package org.jgan.train.data;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * The IDX format of MNIST and Fashion-MNIST (raw or gzipped): a 4-byte magic number {@code 0x00
 * 0x00 type rank} (type {@code 0x08} = unsigned byte), {@code rank} big-endian 32-bit sizes, then
 * the data. Everything is checked against the bytes actually present before anything is allocated:
 * a truncated file, a wrong magic number, an impossible size or a label file that does not match
 * its images each raise a {@link DatasetException} naming the file.
 */
public final class Idx {
  /** Images are {@code count x rows x cols} unsigned bytes (magic {@code 0x00000803}). */
  public static final int IMAGES_MAGIC = 0x00000803;

  /** Labels are {@code count} unsigned bytes (magic {@code 0x00000801}). */
  public static final int LABELS_MAGIC = 0x00000801;

  private Idx() {}

  /** Parsed IDX contents: sizes and the data bytes. */
  public record Contents(int[] dims, byte[] data) {}

  /** Reads and validates an IDX file of the given rank. */
  public static Contents read(Path file, int expectedMagic) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new DatasetException(file + ": no such file");
    }
    long size = Files.size(file);
    if (size > Integer.MAX_VALUE - 64) {
      throw new DatasetException(
          file + ": " + size + " bytes, larger than IDX files this reader takes (2 GiB)");
    }
    return parse(Files.readAllBytes(file), file.toString(), expectedMagic);
  }

  /**
   * Parses IDX bytes (gzip is detected by its magic number); {@code source} names them in errors.
   */
  public static Contents parse(byte[] bytes, String source, int expectedMagic)
      throws DatasetException {
    byte[] raw = bytes;
    if (bytes.length >= 2 && (bytes[0] & 0xFF) == 0x1F && (bytes[1] & 0xFF) == 0x8B) {
      raw = gunzip(bytes, source);
    }
    if (raw.length < 4) {
      throw new DatasetException(
          source + ": " + raw.length + " bytes, too short for an IDX header");
    }
    int magic = readInt(raw, 0);
    if (magic != expectedMagic) {
      throw new DatasetException(
          String.format(
              "%s: magic number 0x%08X, expected 0x%08X (%s)",
              source,
              magic,
              expectedMagic,
              expectedMagic == IMAGES_MAGIC
                  ? "unsigned-byte images, rank 3"
                  : "unsigned-byte labels, rank 1"));
    }
    int rank = expectedMagic & 0xFF;
    int header = 4 + 4 * rank;
    if (raw.length < header) {
      throw new DatasetException(
          source + ": truncated header (" + raw.length + " bytes, need " + header + ")");
    }
    int[] dims = new int[rank];
    long count = 1;
    for (int i = 0; i < rank; i++) {
      dims[i] = readInt(raw, 4 + 4 * i);
      if (dims[i] < 0) {
        throw new DatasetException(source + ": negative size " + dims[i] + " in dimension " + i);
      }
      count *= dims[i];
      if (count > Integer.MAX_VALUE) {
        throw new DatasetException(
            source + ": sizes " + Arrays.toString(dims) + " exceed 2^31 elements");
      }
    }
    if (raw.length - header != count) {
      throw new DatasetException(
          String.format(
              "%s: sizes %s need %d data bytes but the file has %d (%s)",
              source,
              Arrays.toString(dims),
              count,
              raw.length - header,
              raw.length - header < count ? "truncated" : "trailing bytes"));
    }
    byte[] data = Arrays.copyOfRange(raw, header, raw.length);
    return new Contents(dims, data);
  }

  private static byte[] gunzip(byte[] bytes, String source) throws DatasetException {
    // Inflate in chunks and stop past any plausible size: the header is read first, so the bound
    // is the header's own claim, itself checked against deflate's maximum ratio.
    long limit = Math.min(Integer.MAX_VALUE - 64L, Math.max(1L << 20, (long) bytes.length * 1100));
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = in.read(buf)) > 0) {
        out.write(buf, 0, n);
        if (out.size() > limit) {
          throw new DatasetException(source + ": decompresses to more than " + limit + " bytes");
        }
      }
      return out.toByteArray();
    } catch (EOFException e) {
      throw new DatasetException(source + ": truncated gzip stream");
    } catch (IOException e) {
      throw new DatasetException(source + ": not a valid gzip stream (" + e.getMessage() + ")");
    }
  }

  private static int readInt(byte[] b, int at) {
    return ((b[at] & 0xFF) << 24)
        | ((b[at + 1] & 0xFF) << 16)
        | ((b[at + 2] & 0xFF) << 8)
        | (b[at + 3] & 0xFF);
  }

  /**
   * An image dataset from an IDX image file and its IDX label file (label file may be null).
   *
   * @throws DatasetException when a file is malformed or the label count differs from the image
   *     count
   */
  public static ImageDataset load(
      String name,
      Contents images,
      String imagesSource,
      Contents labels,
      String labelsSource,
      List<String> classes)
      throws DatasetException {
    int n = images.dims()[0];
    int[] ls = null;
    if (labels != null) {
      if (labels.dims()[0] != n) {
        throw new DatasetException(
            labelsSource
                + ": "
                + labels.dims()[0]
                + " labels for the "
                + n
                + " images of "
                + imagesSource);
      }
      ls = new int[n];
      for (int i = 0; i < n; i++) {
        ls[i] = labels.data()[i] & 0xFF;
        if (ls[i] >= classes.size()) {
          throw new DatasetException(
              labelsSource
                  + ": label "
                  + ls[i]
                  + " at index "
                  + i
                  + " is outside [0, "
                  + classes.size()
                  + ")");
        }
      }
    }
    return new ImageDataset(
        name,
        images.data(),
        n,
        1,
        images.dims()[1],
        images.dims()[2],
        ls,
        ls == null ? List.of() : classes);
  }
}
