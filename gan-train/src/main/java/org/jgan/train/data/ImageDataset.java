package org.jgan.train.data;

import java.util.Arrays;
import java.util.List;

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
