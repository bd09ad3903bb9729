package org.jgan.train.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.jgan.core.kernels.Shapes;
import org.jgan.core.tensor.Tensor;

/**
 * 8-bit images held in memory ({@code [N, C, H, W]}, row-major, values 0..255), served as floats in
 * [-1, 1] ({@code v / 127.5 - 1}). A padded view centres every image in a larger square filled with
 * pixel value 0 (black, -1), which is how 28x28 Fashion-MNIST reaches the 32x32 that power-of-two
 * models need.
 */
public final class ImageDataset implements ImageSource {
  private final String name;
  private final byte[] pixels;
  private final int count;
  private final int channels;
  private final int height;
  private final int width;
  private final int[] labels;
  private final List<String> classes;
  private final int pad;

  /**
   * Images and labels.
   *
   * @param labels one per image, or null when unlabelled
   * @param classes class names (index = label), empty when unlabelled
   */
  public ImageDataset(
      String name,
      byte[] pixels,
      int count,
      int channels,
      int height,
      int width,
      int[] labels,
      List<String> classes) {
    this(name, pixels, count, channels, height, width, labels, classes, 0);
  }

  private ImageDataset(
      String name,
      byte[] pixels,
      int count,
      int channels,
      int height,
      int width,
      int[] labels,
      List<String> classes,
      int pad) {
    if ((long) count * channels * height * width != pixels.length) {
      throw new IllegalArgumentException(
          name
              + ": "
              + pixels.length
              + " bytes do not hold "
              + count
              + " images of "
              + channels
              + "x"
              + height
              + "x"
              + width);
    }
    if (labels != null && labels.length != count) {
      throw new IllegalArgumentException(
          name + ": " + labels.length + " labels for " + count + " images");
    }
    if (labels != null) {
      for (int i = 0; i < labels.length; i++) {
        if (labels[i] < 0 || labels[i] >= classes.size()) {
          throw new IllegalArgumentException(
              name
                  + ": label "
                  + labels[i]
                  + " of image "
                  + i
                  + " is outside [0, "
                  + classes.size()
                  + ")");
        }
      }
    }
    this.name = name;
    this.pixels = pixels;
    this.count = count;
    this.channels = channels;
    this.height = height;
    this.width = width;
    this.labels = labels;
    this.classes = List.copyOf(classes);
    this.pad = pad;
  }

  /**
   * This dataset with every image centred in a {@code size x size} square of black pixels (e.g. 28
   * to 32).
   */
  public ImageDataset paddedTo(int size) {
    if (height != width || size < height || (size - height) % 2 != 0) {
      throw new IllegalArgumentException(
          name
              + ": cannot pad "
              + height
              + "x"
              + width
              + " images to "
              + size
              + "x"
              + size
              + " symmetrically");
    }
    return new ImageDataset(
        name, pixels, count, channels, height, width, labels, classes, (size - height) / 2);
  }

  /** The first {@code n} images (for quick runs and tests). */
  public ImageDataset head(int n) {
    int k = Math.min(n, count);
    int per = channels * height * width;
    return new ImageDataset(
        name,
        Arrays.copyOf(pixels, k * per),
        k,
        channels,
        height,
        width,
        labels == null ? null : Arrays.copyOf(labels, k),
        classes,
        pad);
  }

  /**
   * {@code n} images of every class, drawn without replacement by {@code seed} (the same seed, the
   * same images), in class order; refused when a class has fewer than {@code n} or the data are
   * unlabelled.
   */
  public ImageDataset perClass(int n, long seed) {
    if (labels == null || n < 1) {
      throw new IllegalArgumentException(
          name + ": a per-class subset needs labelled data and n >= 1, got n = " + n);
    }
    List<List<Integer>> byClass = new ArrayList<>();
    for (int c = 0; c < classes.size(); c++) {
      byClass.add(new ArrayList<>());
    }
    for (int i = 0; i < count; i++) {
      byClass.get(labels[i]).add(i);
    }
    Random rng = new Random(seed);
    int[] picked = new int[n * classes.size()];
    for (int c = 0; c < classes.size(); c++) {
      List<Integer> members = byClass.get(c);
      if (members.size() < n) {
        throw new IllegalArgumentException(
            name + ": class " + classes.get(c) + " has " + members.size() + " images, not " + n);
      }
      Collections.shuffle(members, rng);
      for (int k = 0; k < n; k++) {
        picked[c * n + k] = members.get(k);
      }
    }
    return select(name + "-" + n + "-per-class-seed" + seed, picked);
  }

  /** The images at {@code indices}, in that order. */
  public ImageDataset select(String newName, int[] indices) {
    int per = channels * height * width;
    byte[] px = new byte[indices.length * per];
    int[] ls = labels == null ? null : new int[indices.length];
    for (int k = 0; k < indices.length; k++) {
      System.arraycopy(pixels, indices[k] * per, px, k * per, per);
      if (ls != null) {
        ls[k] = labels[indices[k]];
      }
    }
    return new ImageDataset(newName, px, indices.length, channels, height, width, ls, classes, pad);
  }

  /**
   * This dataset followed by {@code other}, which must hold images of the same size and channels
   * with the same classes and padding.
   */
  public ImageDataset concat(String newName, ImageDataset other) {
    if (other.channels != channels
        || other.height != height
        || other.width != width
        || other.pad != pad
        || !other.classes.equals(classes)
        || (other.labels == null) != (labels == null)) {
      throw new IllegalArgumentException(
          "cannot join "
              + name
              + " and "
              + other.name
              + ": they differ in image size, channels, padding or classes");
    }
    byte[] px = Arrays.copyOf(pixels, pixels.length + other.pixels.length);
    System.arraycopy(other.pixels, 0, px, pixels.length, other.pixels.length);
    int[] ls = null;
    if (labels != null) {
      ls = Arrays.copyOf(labels, count + other.count);
      System.arraycopy(other.labels, 0, ls, count, other.count);
    }
    return new ImageDataset(
        newName, px, count + other.count, channels, height, width, ls, classes, pad);
  }

  /**
   * Images {@code [N, C, H, W]} in [-1, 1] (a generator's output) stored as 8-bit pixels, {@code
   * round((v + 1) * 127.5)} clipped to 0..255, with their labels.
   */
  public static ImageDataset of(String name, Tensor images, int[] labels, List<String> classes) {
    Shapes.check(images.shape(), name + " images", -1, -1, -1, -1);
    byte[] px = toBytes(images.toFloatArray());
    long[] s = images.shape();
    return new ImageDataset(
        name, px, (int) s[0], (int) s[1], (int) s[2], (int) s[3], labels, classes);
  }

  /**
   * Values in [-1, 1] to the bytes 0..255 images are stored as ({@code round((v + 1) * 127.5)},
   * clipped): the inverse of how samples are read, exact for stored images.
   */
  public static byte[] toBytes(float[] v) {
    byte[] b = new byte[v.length];
    for (int i = 0; i < v.length; i++) {
      b[i] = (byte) Math.round((Math.max(-1f, Math.min(1f, v[i])) + 1f) * 127.5f);
    }
    return b;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int size() {
    return count;
  }

  @Override
  public long[] sampleShape() {
    return new long[] {channels, height + 2L * pad, width + 2L * pad};
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

  @Override
  public void decodeInto(int[] indices, boolean[] flip, float[] out) {
    int h = height + 2 * pad;
    int w = width + 2 * pad;
    int per = channels * h * w;
    Arrays.fill(out, 0, indices.length * per, -1f);
    for (int k = 0; k < indices.length; k++) {
      int i = indices[k];
      if (i < 0 || i >= count) {
        throw new IndexOutOfBoundsException(name + ": sample " + i + " of " + count);
      }
      boolean mirror = flip != null && flip[k];
      for (int c = 0; c < channels; c++) {
        for (int y = 0; y < height; y++) {
          int src = ((i * channels + c) * height + y) * width;
          int dst = k * per + (c * h + y + pad) * w + pad;
          for (int x = 0; x < width; x++) {
            int v = pixels[src + (mirror ? width - 1 - x : x)] & 0xFF;
            out[dst + x] = v / 127.5f - 1f;
          }
        }
      }
    }
  }
}
