package org.jgan.train.image;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import org.jgan.core.kernels.Shapes;
import org.jgan.core.tensor.Tensor;

/**
 * Images {@code [N, C, H, W]} in [-1, 1] (C = 1 or 3) to pictures: one image, or a grid of {@code
 * cols} columns separated by a 2-pixel gutter, optionally scaled up by an integer factor (nearest)
 * so that 28x28 samples are visible. Values are clipped to [-1, 1] and mapped to 0..255.
 */
public final class ImageGrid {
  private ImageGrid() {}

  /** A grid of all images, row-major, {@code cols} per row. */
  public static BufferedImage grid(Tensor images, int cols, int scale) {
    Shapes.check(images.shape(), "image grid", -1, -1, -1, -1);
    long[] s = images.shape();
    int n = (int) s[0];
    int c = (int) s[1];
    if (c != 1 && c != 3) {
      throw new IllegalArgumentException("image grid: expected 1 or 3 channels, got " + c);
    }
    int h = (int) s[2] * scale;
    int w = (int) s[3] * scale;
    int rows = (n + cols - 1) / cols;
    int gap = 2;
    BufferedImage out =
        new BufferedImage(
            cols * (w + gap) + gap, rows * (h + gap) + gap, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < out.getHeight(); y++) {
      for (int x = 0; x < out.getWidth(); x++) {
        out.setRGB(x, y, 0x202020);
      }
    }
    float[] v = images.toFloatArray();
    int per = (int) (s[1] * s[2] * s[3]);
    int plane = (int) (s[2] * s[3]);
    for (int i = 0; i < n; i++) {
      int ox = gap + (i % cols) * (w + gap);
      int oy = gap + (i / cols) * (h + gap);
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          int p = (y / scale) * (int) s[3] + x / scale;
          int r = byteOf(v[i * per + p]);
          int g = c == 3 ? byteOf(v[i * per + plane + p]) : r;
          int b = c == 3 ? byteOf(v[i * per + 2 * plane + p]) : r;
          out.setRGB(ox + x, oy + y, (r << 16) | (g << 8) | b);
        }
      }
    }
    return out;
  }

  /**
   * One image of a batch as it is, for use as data: its own size times {@code scale} (nearest), no
   * border, 8-bit grey for one channel ({@code TYPE_BYTE_GRAY}) or RGB for three.
   */
  public static BufferedImage image(Tensor images, int index, int scale) {
    Shapes.check(images.shape(), "image", -1, -1, -1, -1);
    long[] s = images.shape();
    int c = (int) s[1];
    if (c != 1 && c != 3) {
      throw new IllegalArgumentException("image: expected 1 or 3 channels, got " + c);
    }
    if (scale < 1) {
      throw new IllegalArgumentException("image: scale must be >= 1, got " + scale);
    }
    int h = (int) s[2];
    int w = (int) s[3];
    float[] v = images.slice(0, index, index + 1).toFloatArray();
    BufferedImage out =
        new BufferedImage(
            w * scale,
            h * scale,
            c == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
    var raster = out.getRaster();
    int plane = h * w;
    int[] px = new int[c];
    for (int y = 0; y < h * scale; y++) {
      for (int x = 0; x < w * scale; x++) {
        int p = (y / scale) * w + x / scale;
        for (int k = 0; k < c; k++) {
          px[k] = byteOf(v[k * plane + p]);
        }
        raster.setPixel(x, y, px);
      }
    }
    return out;
  }

  /** One image of a batch, scaled, framed by the grid's gutter (a preview). */
  public static BufferedImage single(Tensor images, int index, int scale) {
    return grid(images.slice(0, index, index + 1), 1, scale);
  }

  /** Writes a grid PNG. */
  public static void write(Tensor images, int cols, int scale, Path png) throws IOException {
    Png.write(grid(images, cols, scale), png);
  }

  private static int byteOf(float v) {
    float c = Math.max(-1f, Math.min(1f, v));
    return Math.round((c + 1f) * 127.5f);
  }
}
