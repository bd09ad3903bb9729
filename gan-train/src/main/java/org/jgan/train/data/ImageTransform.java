package org.jgan.train.data;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.Locale;

/**
 * How a decoded picture becomes one sample of {@code channels x resolution x resolution} bytes. The
 * choice for pictures that are not already square at the resolution is explicit ({@link Mode}), as
 * in stylegan2-ada-pytorch's {@code dataset_tool.py}; transparent pixels are composited on a stated
 * background; one channel is luminance ({@code 0.299 R + 0.587 G + 0.114 B}, rounded).
 *
 * @param resolution side of the output; 0 = the picture's own side (it must then be square, or the
 *     mode decides: the shorter side for crops, the longer one for padding)
 * @param channels 1 or 3; 0 = the picture's own (1 for grey pictures, else 3)
 * @param mode what to do with a picture that is not square at {@code resolution}
 * @param background what transparent pixels and padding become: {@code 0xRRGGBB}
 */
public record ImageTransform(int resolution, int channels, Mode mode, int background) {
  /** White, the background of transparent pixels unless another is chosen. */
  public static final int WHITE = 0xFFFFFF;

  /** Black. */
  public static final int BLACK = 0x000000;

  /** What a picture of another shape or size becomes. */
  public enum Mode {
    /** Refuse any picture that is not square at the resolution. */
    ERROR,
    /** Crop the centre square (side = the shorter side) and resize. */
    CENTER_CROP,
    /**
     * Crop the centre 2:1 band (width = the shorter of width and twice the height), resize it to
     * {@code resolution x resolution/2} and centre it vertically on the background (for wide
     * subjects such as cars).
     */
    CENTER_CROP_WIDE,
    /** Centre the whole picture on a square of the background (side = the longer side), resize. */
    PAD;

    /** The name on the command line: {@code center-crop}. */
    public String id() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * The mode named {@code id}.
     *
     * @throws IllegalArgumentException naming the known modes
     */
    public static Mode of(String id) {
      for (Mode m : values()) {
        if (m.id().equals(id)) {
          return m;
        }
      }
      throw new IllegalArgumentException(
          "transform must be one of center-crop, center-crop-wide, pad, error; got '" + id + "'");
    }
  }

  /** Validates the fields. */
  public ImageTransform {
    if (resolution < 0 || resolution > ImageFiles.MAX_SIDE) {
      throw new IllegalArgumentException(
          "resolution must be 0 (as is) or 1.." + ImageFiles.MAX_SIDE + ", got " + resolution);
    }
    if (channels != 0 && channels != 1 && channels != 3) {
      throw new IllegalArgumentException("channels must be 1 or 3 (or 0: as is), got " + channels);
    }
    if (mode == null) {
      throw new IllegalArgumentException("transform mode must be given");
    }
    if ((background & ~0xFFFFFF) != 0) {
      throw new IllegalArgumentException(
          "background must be 0xRRGGBB, got 0x" + Integer.toHexString(background));
    }
  }

  /** Pictures taken as they are: square, same size, own channels; alpha on white. */
  public static ImageTransform asIs() {
    return new ImageTransform(0, 0, Mode.ERROR, WHITE);
  }

  /** This transform with the resolution and channels fixed (by the first picture, say). */
  public ImageTransform fixed(int resolution, int channels) {
    return new ImageTransform(resolution, channels, mode, background);
  }

  /** The channels of {@code img} itself: 1 for a grey picture (with or without alpha), else 3. */
  public static int channelsOf(BufferedImage img) {
    int bands = img.getColorModel().getNumColorComponents();
    return bands == 1 ? 1 : 3;
  }

  /** The side this transform gives {@code img}. */
  public int sideFor(BufferedImage img) {
    if (resolution > 0) {
      return resolution;
    }
    int w = img.getWidth();
    int h = img.getHeight();
    return switch (mode) {
      case ERROR -> w;
      case CENTER_CROP, CENTER_CROP_WIDE -> Math.min(w, h);
      case PAD -> Math.max(w, h);
    };
  }

  /**
   * The picture as {@code [C, R, R]} bytes (row-major planes).
   *
   * @param source names the picture in errors
   * @throws DatasetException when the mode is {@link Mode#ERROR} and the picture is not square at
   *     the resolution, naming the file, its size and the choices
   */
  public byte[] apply(BufferedImage img, String source) throws DatasetException {
    int w = img.getWidth();
    int h = img.getHeight();
    int r = sideFor(img);
    int c = channels > 0 ? channels : channelsOf(img);
    if (mode == Mode.ERROR && (w != h || w != r)) {
      throw new DatasetException(
          source
              + ": "
              + w
              + "x"
              + h
              + " pixels, expected "
              + r
              + "x"
              + r
              + (w != h ? " (not square)" : "")
              + "; choose --transform center-crop, center-crop-wide or pad"
              + (w == h ? " (any of them resizes a square picture)" : ""));
    }
    img = argb(img);
    BufferedImage rgb = new BufferedImage(r, r, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = rgb.createGraphics();
    try {
      g.setColor(new Color(background));
      g.fillRect(0, 0, r, r);
      switch (mode) {
        case ERROR -> g.drawImage(img, 0, 0, null);
        case CENTER_CROP -> {
          int side = Math.min(w, h);
          draw(g, img, (w - side) / 2, (h - side) / 2, side, side, 0, 0, r, r);
        }
        case CENTER_CROP_WIDE -> {
          int cw = Math.min(w, 2 * h);
          int ch = cw / 2;
          int oh = Math.max(1, r / 2);
          draw(g, img, (w - cw) / 2, (h - ch) / 2, cw, ch, 0, (r - oh) / 2, r, oh);
        }
        case PAD -> {
          int side = Math.max(w, h);
          double k = (double) r / side;
          int dw = Math.max(1, (int) Math.round(w * k));
          int dh = Math.max(1, (int) Math.round(h * k));
          draw(g, img, 0, 0, w, h, (r - dw) / 2, (r - dh) / 2, dw, dh);
        }
      }
    } finally {
      g.dispose();
    }
    return bytes(rgb, c);
  }

  /**
   * A grey picture (with or without alpha, 8 or 16 bits) as ARGB from its raw samples: Java 2D
   * would otherwise treat its values as linear grey and brighten them on the way to sRGB. Other
   * pictures are returned as they are.
   */
  static BufferedImage argb(BufferedImage img) {
    var cm = img.getColorModel();
    if (cm.getNumColorComponents() != 1) {
      return img;
    }
    var raster = img.getRaster();
    int w = img.getWidth();
    int h = img.getHeight();
    int bands = raster.getNumBands();
    int shift = Math.max(0, cm.getComponentSize(0) - 8);
    int alphaShift = bands > 1 ? Math.max(0, cm.getComponentSize(1) - 8) : 0;
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
    int[] v = new int[w];
    int[] a = new int[w];
    int[] row = new int[w];
    for (int y = 0; y < h; y++) {
      raster.getSamples(0, y, w, 1, 0, v);
      if (bands > 1) {
        raster.getSamples(0, y, w, 1, 1, a);
      }
      for (int x = 0; x < w; x++) {
        int g = (v[x] >> shift) & 0xFF;
        int al = bands > 1 ? (a[x] >> alphaShift) & 0xFF : 0xFF;
        row[x] = al << 24 | g << 16 | g << 8 | g;
      }
      out.setRGB(0, y, w, 1, row, 0, w);
    }
    return out;
  }

  /**
   * Draws the source rectangle into the target one, halving the source with bilinear filtering
   * while it is more than twice the target (so that large reductions are not aliased), then
   * bicubic.
   */
  private static void draw(
      Graphics2D g,
      BufferedImage img,
      int sx,
      int sy,
      int sw,
      int sh,
      int dx,
      int dy,
      int dw,
      int dh) {
    BufferedImage src = img;
    if (sw > 2 * dw || sh > 2 * dh) {
      BufferedImage cur = new BufferedImage(sw, sh, BufferedImage.TYPE_INT_ARGB);
      Graphics2D c = cur.createGraphics();
      c.drawImage(img, 0, 0, sw, sh, sx, sy, sx + sw, sy + sh, null);
      c.dispose();
      while (cur.getWidth() > 2 * dw || cur.getHeight() > 2 * dh) {
        int nw = Math.max(dw, cur.getWidth() / 2);
        int nh = Math.max(dh, cur.getHeight() / 2);
        BufferedImage half = new BufferedImage(nw, nh, BufferedImage.TYPE_INT_ARGB);
        Graphics2D hg = half.createGraphics();
        hg.setRenderingHint(
            RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        hg.drawImage(cur, 0, 0, nw, nh, null);
        hg.dispose();
        cur = half;
      }
      src = cur;
      sx = 0;
      sy = 0;
      sw = cur.getWidth();
      sh = cur.getHeight();
    }
    g.setRenderingHint(
        RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
    g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
    g.drawImage(src, dx, dy, dx + dw, dy + dh, sx, sy, sx + sw, sy + sh, null);
  }

  /** {@code [C, R, R]} bytes of an RGB picture: planes R, G, B, or luminance. */
  static byte[] bytes(BufferedImage rgb, int channels) {
    int w = rgb.getWidth();
    int h = rgb.getHeight();
    int[] px = rgb.getRGB(0, 0, w, h, null, 0, w);
    int plane = w * h;
    byte[] out = new byte[channels * plane];
    for (int i = 0; i < plane; i++) {
      int r = (px[i] >> 16) & 0xFF;
      int g = (px[i] >> 8) & 0xFF;
      int b = px[i] & 0xFF;
      if (channels == 1) {
        out[i] = (byte) Math.round(0.299 * r + 0.587 * g + 0.114 * b);
      } else {
        out[i] = (byte) r;
        out[plane + i] = (byte) g;
        out[2 * plane + i] = (byte) b;
      }
    }
    return out;
  }

  /** Bytes {@code [C, R, R]} back to a picture: 8-bit grey for one channel, else RGB. */
  public static BufferedImage picture(byte[] chw, int channels, int side) {
    int plane = side * side;
    if (chw.length != channels * plane) {
      throw new IllegalArgumentException(
          chw.length + " bytes are not " + channels + "x" + side + "x" + side);
    }
    BufferedImage img =
        new BufferedImage(
            side, side, channels == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
    if (channels == 1) {
      img.getRaster().setDataElements(0, 0, side, side, chw);
    } else {
      int[] px = new int[plane];
      for (int i = 0; i < plane; i++) {
        px[i] = (chw[i] & 0xFF) << 16 | (chw[plane + i] & 0xFF) << 8 | (chw[2 * plane + i] & 0xFF);
      }
      img.setRGB(0, 0, side, side, px, 0, side);
    }
    return img;
  }
}
