package org.jgan.train.data;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;
import org.jgan.core.io.AtomicFile;
import org.jgan.core.io.Json;

/**
 * Writes a dataset that {@link PackedDataset} and stylegan2-ada-pytorch's loader both read: PNG
 * files (8-bit grey for one channel, RGB for three) and a {@code dataset.json} with {@code
 * "labels"} ({@code [name, class]} pairs, or null) and, for JGAN, the {@code "classes"} names. The
 * target is a ZIP file (when its name ends in {@code .zip}) or a folder.
 *
 * <p>Nothing is overwritten: the target must not exist (a folder may exist if it is empty). The ZIP
 * or folder is written under a temporary name beside it and renamed only when complete, so an
 * interrupted or failed write never leaves a dataset that looks whole.
 */
public final class DatasetWriter implements AutoCloseable {
  private final Path target;
  private final Path tmp;
  private final ZipOutputStream zip;
  private final int channels;
  private final int side;
  private final List<String> classes;
  private final List<List<Object>> labels = new ArrayList<>();
  private boolean closed;

  private DatasetWriter(Path target, int channels, int side, List<String> classes)
      throws IOException {
    this.target = target;
    this.channels = channels;
    this.side = side;
    this.classes = List.copyOf(classes);
    if (Files.exists(target) && !emptyFolder(target)) {
      throw new FileAlreadyExistsException(
          target.toString(),
          null,
          "exists; choose a new name (nothing is overwritten; a folder may be empty)");
    }
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    if (isZip(target)) {
      this.tmp = Files.createTempFile(dir, target.getFileName().toString(), ".tmp");
      AtomicFile.setPermissions(tmp, "rw-r--r--"); // temporary files are 0600
      this.zip = new ZipOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16));
      zip.setLevel(0); // PNG data is compressed already
    } else {
      this.tmp = Files.createTempDirectory(dir, target.getFileName().toString() + ".tmp");
      AtomicFile.setPermissions(tmp, "rwxr-xr-x"); // and folders 0700
      this.zip = null;
    }
  }

  private static boolean emptyFolder(Path p) throws IOException {
    if (!Files.isDirectory(p)) {
      return false;
    }
    try (Stream<Path> s = Files.list(p)) {
      return s.findAny().isEmpty();
    }
  }

  /**
   * A writer of {@code channels x side x side} images into {@code target}.
   *
   * @param classes class names (index = label); empty for an unlabelled dataset
   * @throws FileAlreadyExistsException when the target exists (a folder: and is not empty)
   */
  public static DatasetWriter create(Path target, int channels, int side, List<String> classes)
      throws IOException {
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
    }
    if (side < 1) {
      throw new IllegalArgumentException("side must be >= 1, got " + side);
    }
    return new DatasetWriter(target, channels, side, classes);
  }

  /** Whether {@code p} names a ZIP file. */
  public static boolean isZip(Path p) {
    return p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".zip");
  }

  /** The name stylegan2-ada-pytorch's tool gives image {@code i}: {@code 00001/img00001234.png}. */
  public static String adaName(long i) {
    return String.format(Locale.ROOT, "%05d/img%08d.png", i / 1000, i);
  }

  /** Adds image {@code [C, side, side]} bytes under ADA's name for the next index. */
  public void add(byte[] chw, int label) throws IOException {
    add(adaName(labels.size()), chw, label);
  }

  /**
   * Adds image {@code [C, side, side]} bytes as {@code name} (a relative path ending in {@code
   * .png}).
   *
   * @param label class index, or -1 for an unlabelled dataset
   */
  public void add(String name, byte[] chw, int label) throws IOException {
    if (closed) {
      throw new IllegalStateException("dataset writer closed");
    }
    if (!name.endsWith(".png") || name.startsWith("/") || name.contains("..")) {
      throw new IllegalArgumentException("not a relative .png name: " + name);
    }
    if (classes.isEmpty() ? label != -1 : label < 0 || label >= classes.size()) {
      throw new IllegalArgumentException(
          name
              + ": label "
              + label
              + (classes.isEmpty()
                  ? " given to an unlabelled dataset (use -1)"
                  : " outside [0, " + classes.size() + ")"));
    }
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    if (!ImageIO.write(ImageTransform.picture(chw, channels, side), "png", png)) {
      throw new IOException("no PNG writer available");
    }
    if (zip != null) {
      zip.putNextEntry(new ZipEntry(name));
      png.writeTo(zip);
      zip.closeEntry();
    } else {
      Path p = tmp.resolve(name);
      Files.createDirectories(p.getParent());
      Files.write(p, png.toByteArray(), StandardOpenOption.CREATE_NEW);
    }
    List<Object> pair = new ArrayList<>();
    pair.add(name);
    pair.add(label);
    labels.add(pair);
  }

  /** Writes {@code dataset.json} and, for a ZIP, renames the finished file into place. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("labels", classes.isEmpty() ? null : labels);
    meta.put("classes", classes.isEmpty() ? null : classes);
    byte[] json = Json.writePretty(meta).getBytes(StandardCharsets.UTF_8);
    boolean moved = false;
    try {
      if (zip != null) {
        zip.putNextEntry(new ZipEntry("dataset.json"));
        zip.write(json);
        zip.closeEntry();
        zip.close();
      } else {
        Files.write(tmp.resolve("dataset.json"), json);
      }
      if (Files.exists(target)) {
        if (!emptyFolder(target)) {
          throw new FileAlreadyExistsException(
              target.toString(), null, "appeared while writing; the new data stay in " + tmp);
        }
        Files.delete(target);
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target);
      }
      moved = true;
    } finally {
      if (!moved && !Files.exists(target)) {
        delete(tmp);
      }
    }
  }

  private static void delete(Path p) throws IOException {
    if (Files.isDirectory(p)) {
      try (Stream<Path> s = Files.walk(p)) {
        for (Path f : s.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(f);
        }
      }
    } else {
      Files.deleteIfExists(p);
    }
  }

  /** Abandons the dataset being written: its temporary file or folder is deleted. */
  public void abort() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    if (zip != null) {
      zip.close();
    }
    delete(tmp);
  }
}
