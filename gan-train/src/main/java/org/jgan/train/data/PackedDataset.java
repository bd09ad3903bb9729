package org.jgan.train.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.jgan.core.io.Json;

/**
 * Images read from their files as they are needed, never all held in memory: a ZIP of images with
 * {@code dataset.json} (the layout stylegan2-ada-pytorch's {@code dataset_tool.py} writes and its
 * training loader reads; {@link DatasetWriter} writes it too) or a folder of images. Memory holds
 * the file names and labels only, whatever the size of the dataset.
 *
 * <p>Files: every {@code .png}, {@code .jpg}, {@code .jpeg}, {@code .bmp} and {@code .gif} at any
 * depth, in the order of their relative names ({@code /}-separated), as ADA orders them. Labels:
 * {@code dataset.json}'s {@code "labels"} (a list of {@code [name, class]} pairs, or null for none;
 * its optional {@code "classes"} names them); without that file, the top-level folders are the
 * classes (sorted by name) when every image lies in one, else the set is unlabelled.
 *
 * <p>Every picture goes through one {@link ImageTransform}; the first picture fixes the resolution
 * and channels that the transform leaves open, and any later picture that does not fit them is an
 * error naming its file.
 */
public final class PackedDataset implements ImageSource, AutoCloseable {
  /** Extensions of the files read as images. */
  public static final List<String> EXTENSIONS = List.of(".png", ".jpg", ".jpeg", ".bmp", ".gif");

  /** Most classes a {@code dataset.json} may number (labels are below it). */
  public static final int MAX_CLASSES = 100_000;

  /** Largest file read (larger entries are refused before reading: a guard against ZIP bombs). */
  public static final long MAX_FILE_BYTES = 256L << 20;

  private final String name;
  private final Path path;
  private final ZipFile zip;
  private final List<String> files;
  private final int[] labels;
  private final List<String> classes;
  private final ImageTransform transform;
  private final int channels;
  private final int side;

  private PackedDataset(
      String name,
      Path path,
      ZipFile zip,
      List<String> files,
      int[] labels,
      List<String> classes,
      ImageTransform transform)
      throws IOException {
    this.name = name;
    this.path = path;
    this.zip = zip;
    this.files = files;
    this.labels = labels;
    this.classes = List.copyOf(classes);
    String src = source(0); // reads path, zip and files only, all set
    BufferedImage first = ImageFiles.decode(read(0), src);
    this.side = transform.sideFor(first);
    this.channels =
        transform.channels() > 0 ? transform.channels() : ImageTransform.channelsOf(first);
    this.transform = transform.fixed(side, channels);
    this.transform.apply(first, src); // the first picture must fit too
  }

  /**
   * Opens a ZIP file or a folder of images.
   *
   * @throws DatasetException when there is no image, {@code dataset.json} is malformed or misses a
   *     file, or the first picture does not fit the transform
   */
  public static PackedDataset open(Path path, ImageTransform transform) throws IOException {
    String name = path.getFileName().toString();
    if (Files.isDirectory(path)) {
      List<String> files;
      try (Stream<Path> s = Files.walk(path)) {
        files =
            s.filter(Files::isRegularFile)
                .map(p -> path.relativize(p).toString().replace('\\', '/'))
                .filter(PackedDataset::isImage)
                .sorted()
                .toList();
      }
      Path json = path.resolve("dataset.json");
      String meta = Files.exists(json) ? Files.readString(json, StandardCharsets.UTF_8) : null;
      return make(name, path, null, files, meta, json.toString(), transform);
    }
    if (!Files.isRegularFile(path)) {
      throw new DatasetException(path + ": neither a folder of images nor a ZIP file");
    }
    ZipFile zip;
    try {
      zip = new ZipFile(path.toFile());
    } catch (IOException e) {
      throw new DatasetException(path + ": not a readable ZIP file (" + e.getMessage() + ")", e);
    }
    try {
      List<String> files =
          zip.stream()
              .filter(e -> !e.isDirectory())
              .map(ZipEntry::getName)
              .filter(PackedDataset::isImage)
              .sorted()
              .toList();
      ZipEntry json = zip.getEntry("dataset.json");
      String meta =
          json == null ? null : new String(entry(zip, json, path), StandardCharsets.UTF_8);
      String base =
          name.toLowerCase(Locale.ROOT).endsWith(".zip")
              ? name.substring(0, name.length() - 4)
              : name;
      return make(base, path, zip, files, meta, path + "!dataset.json", transform);
    } catch (DatasetException e) {
      zip.close();
      throw e;
    } catch (IOException | RuntimeException e) {
      // a damaged central directory or entry (ZipException, IllegalStateException, ...)
      zip.close();
      throw new DatasetException(path + ": damaged ZIP file (" + e + ")", e);
    }
  }

  private static PackedDataset make(
      String name,
      Path path,
      ZipFile zip,
      List<String> files,
      String meta,
      String metaSource,
      ImageTransform transform)
      throws IOException {
    if (files.isEmpty()) {
      throw new DatasetException(path + ": no images (" + String.join(", ", EXTENSIONS) + ")");
    }
    int[] labels = null;
    List<String> classes = new ArrayList<>();
    if (meta != null) {
      Map<String, Object> m;
      try {
        m = Json.parseObject(meta);
      } catch (IllegalArgumentException e) {
        throw new DatasetException(metaSource + ": not valid JSON (" + e.getMessage() + ")", e);
      }
      Object ls = m.get("labels");
      if (ls != null) {
        labels = labelsOf(ls, files, metaSource);
        int max = -1;
        for (int l : labels) {
          max = Math.max(max, l);
        }
        if (max >= MAX_CLASSES) {
          throw new DatasetException(
              metaSource + ": class " + max + " is beyond the " + MAX_CLASSES + " classes allowed");
        }
        if (m.get("classes") instanceof List<?> names) {
          if (names.size() <= max) {
            throw new DatasetException(
                metaSource + ": " + names.size() + " class names for labels up to " + max);
          }
          names.forEach(n -> classes.add(String.valueOf(n)));
        } else {
          for (int k = 0; k <= max; k++) {
            classes.add(Integer.toString(k));
          }
        }
      }
    } else {
      TreeSet<String> tops = new TreeSet<>();
      boolean allInFolders = true;
      for (String f : files) {
        int slash = f.indexOf('/');
        allInFolders &= slash > 0;
        if (slash > 0) {
          tops.add(f.substring(0, slash));
        }
      }
      if (allInFolders && !tops.isEmpty()) {
        classes.addAll(tops);
        labels = new int[files.size()];
        for (int i = 0; i < labels.length; i++) {
          labels[i] = classes.indexOf(files.get(i).substring(0, files.get(i).indexOf('/')));
        }
      }
    }
    return new PackedDataset(name, path, zip, files, labels, classes, transform);
  }

  private static int[] labelsOf(Object ls, List<String> files, String source)
      throws DatasetException {
    if (!(ls instanceof List<?> pairs)) {
      throw new DatasetException(source + ": \"labels\" must be a list of [file, class] or null");
    }
    Map<String, Integer> byName = new HashMap<>();
    for (Object p : pairs) {
      if (!(p instanceof List<?> pair)
          || pair.size() != 2
          || !(pair.get(0) instanceof String f)
          || !(pair.get(1) instanceof Long l)
          || l < 0
          || l > Integer.MAX_VALUE) {
        throw new DatasetException(
            source
                + ": each label must be [\"file\", class index >= 0] (one integer class; vector"
                + " labels are not supported), got "
                + Json.write(p));
      }
      byName.put(f.replace('\\', '/'), (int) (long) l);
    }
    int[] out = new int[files.size()];
    for (int i = 0; i < out.length; i++) {
      Integer l = byName.get(files.get(i));
      if (l == null) {
        throw new DatasetException(source + ": no label for " + files.get(i));
      }
      out[i] = l;
    }
    return out;
  }

  private static boolean isImage(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return EXTENSIONS.stream().anyMatch(n::endsWith) && !n.startsWith("__macosx/");
  }

  private static byte[] entry(ZipFile zip, ZipEntry e, Path path) throws IOException {
    if (e.getSize() > MAX_FILE_BYTES) {
      throw new DatasetException(
          path + "!" + e.getName() + ": " + e.getSize() + " bytes, more than " + MAX_FILE_BYTES);
    }
    try (InputStream in = zip.getInputStream(e)) {
      byte[] b = in.readNBytes((int) MAX_FILE_BYTES + 1);
      if (b.length > MAX_FILE_BYTES) {
        throw new DatasetException(path + "!" + e.getName() + ": more than " + MAX_FILE_BYTES);
      }
      return b;
    }
  }

  /** The path of file {@code i} for messages: {@code data.zip!00000/img00000000.png}. */
  public String source(int i) {
    return zip != null ? path + "!" + files.get(i) : path.resolve(files.get(i)).toString();
  }

  /** The relative name of file {@code i}. */
  public String file(int i) {
    return files.get(i);
  }

  /** The raw bytes of file {@code i}. */
  public byte[] read(int i) throws IOException {
    if (zip != null) {
      ZipEntry e = zip.getEntry(files.get(i));
      if (e == null) {
        throw new DatasetException(source(i) + ": gone from the ZIP file");
      }
      return entry(zip, e, path);
    }
    Path p = path.resolve(files.get(i));
    if (Files.size(p) > MAX_FILE_BYTES) {
      throw new DatasetException(p + ": more than " + MAX_FILE_BYTES + " bytes");
    }
    return Files.readAllBytes(p);
  }

  /** Sample {@code i} as {@code [C, R, R]} bytes, decoded and transformed. */
  public byte[] pixels(int i) throws DatasetException {
    if (i < 0 || i >= files.size()) {
      throw new IndexOutOfBoundsException(name + ": sample " + i + " of " + files.size());
    }
    byte[] bytes;
    try {
      bytes = read(i);
    } catch (DatasetException e) {
      throw e;
    } catch (IOException e) {
      throw new DatasetException(source(i) + ": cannot read (" + e + ")", e);
    }
    return transform.apply(ImageFiles.decode(bytes, source(i)), source(i));
  }

  @Override
  public void decodeInto(int[] indices, boolean[] flip, float[] out) throws DatasetException {
    int per = channels * side * side;
    for (int k = 0; k < indices.length; k++) {
      byte[] px = pixels(indices[k]);
      boolean mirror = flip != null && flip[k];
      for (int row = 0; row < channels * side; row++) {
        int src = row * side;
        int dst = k * per + src;
        for (int x = 0; x < side; x++) {
          out[dst + x] = (px[src + (mirror ? side - 1 - x : x)] & 0xFF) / 127.5f - 1f;
        }
      }
    }
  }

  @Override
  public boolean prefetch() {
    return true;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int size() {
    return files.size();
  }

  @Override
  public long[] sampleShape() {
    return new long[] {channels, side, side};
  }

  @Override
  public int labelCount() {
    return labels == null ? 0 : classes.size();
  }

  @Override
  public List<String> classNames() {
    return classes;
  }

  @Override
  public int label(int i) {
    return labels == null ? -1 : labels[i];
  }

  /** Closes the ZIP file (nothing to do for a folder). */
  @Override
  public void close() throws IOException {
    if (zip != null) {
      zip.close();
    }
  }
}
