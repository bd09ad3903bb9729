package org.jgan.train.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Fashion-MNIST (Xiao et al. 2017; MIT licence): 28x28 grayscale garments in ten classes. The
 * 10,000-image test split ships inside this jar, so training needs nothing installed; the
 * 60,000-image training split is read from a folder, by default Debian's {@code
 * /usr/share/datasets/fashion-mnist} ({@code apt-get install dataset-fashion-mnist}).
 */
public final class FashionMnist {
  /** The ten classes, index = label. */
  public static final List<String> CLASSES =
      List.of(
          "T-shirt/top",
          "Trouser",
          "Pullover",
          "Dress",
          "Coat",
          "Sandal",
          "Shirt",
          "Sneaker",
          "Bag",
          "Ankle boot");

  /** Where Debian's package puts the files. */
  public static final Path DEBIAN_DIR = Path.of("/usr/share/datasets/fashion-mnist");

  private static final String RESOURCE = "/org/jgan/train/data/fashion-mnist/";

  private FashionMnist() {}

  /** The embedded 10,000-image test split. */
  public static ImageDataset embeddedTest() {
    try {
      Idx.Contents images =
          Idx.parse(
              resource("t10k-images-idx3-ubyte.gz"), "embedded t10k-images", Idx.IMAGES_MAGIC);
      Idx.Contents labels =
          Idx.parse(
              resource("t10k-labels-idx1-ubyte.gz"), "embedded t10k-labels", Idx.LABELS_MAGIC);
      return Idx.load(
          "fashion-mnist-test",
          images,
          "embedded t10k-images",
          labels,
          "embedded t10k-labels",
          CLASSES);
    } catch (IOException e) {
      throw new IllegalStateException(
          "the embedded Fashion-MNIST split is damaged: " + e.getMessage(), e);
    }
  }

  private static byte[] resource(String file) throws IOException {
    try (InputStream in = FashionMnist.class.getResourceAsStream(RESOURCE + file)) {
      if (in == null) {
        throw new IOException("resource " + RESOURCE + file + " missing from the jar");
      }
      return in.readAllBytes();
    }
  }

  /**
   * A split read from {@code dir}: {@code train} or {@code t10k}, files {@code
   * <split>-images-idx3-ubyte[.gz]} and {@code <split>-labels-idx1-ubyte[.gz]}.
   */
  public static ImageDataset load(Path dir, String split) throws IOException {
    if (!split.equals("train") && !split.equals("t10k")) {
      throw new IllegalArgumentException(
          "Fashion-MNIST split must be 'train' or 't10k', got '" + split + "'");
    }
    Path images = find(dir, split + "-images-idx3-ubyte");
    Path labels = find(dir, split + "-labels-idx1-ubyte");
    return Idx.load(
        "fashion-mnist-" + (split.equals("train") ? "train" : "test"),
        Idx.read(images, Idx.IMAGES_MAGIC),
        images.toString(),
        Idx.read(labels, Idx.LABELS_MAGIC),
        labels.toString(),
        CLASSES);
  }

  /** Whether the training split is installed at {@link #DEBIAN_DIR}. */
  public static boolean trainingSplitInstalled() {
    return Files.exists(DEBIAN_DIR.resolve("train-images-idx3-ubyte.gz"))
        || Files.exists(DEBIAN_DIR.resolve("train-images-idx3-ubyte"));
  }

  private static Path find(Path dir, String base) throws DatasetException {
    for (String ext : new String[] {".gz", ""}) {
      Path p = dir.resolve(base + ext);
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    throw new DatasetException(
        dir
            + ": no "
            + base
            + "[.gz]; install Debian's dataset-fashion-mnist or point at a folder with the IDX"
            + " files");
  }
}
