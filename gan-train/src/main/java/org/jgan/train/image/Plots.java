package org.jgan.train.image;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;

/** Small charts drawn with Java2D: loss curves and 2-D scatter plots over mixture modes. */
public final class Plots {
  private static final Color[] PALETTE = {
    new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e)
  };

  private Plots() {}

  /** One named series of (x, y) points. */
  public record Series(String name, double[] x, double[] y) {}

  /** Line chart of the series on shared axes, with a legend. */
  public static BufferedImage lines(
      String title, String xLabel, List<Series> series, int width, int height) {
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = canvas(img);
    double[] range = {Double.MAX_VALUE, -Double.MAX_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE};
    for (Series s : series) {
      for (int i = 0; i < s.x().length; i++) {
        if (Double.isFinite(s.y()[i])) {
          range[0] = Math.min(range[0], s.x()[i]);
          range[1] = Math.max(range[1], s.x()[i]);
          range[2] = Math.min(range[2], s.y()[i]);
          range[3] = Math.max(range[3], s.y()[i]);
        }
      }
    }
    if (range[0] > range[1]) {
      range = new double[] {0, 1, 0, 1};
    }
    Frame f = new Frame(60, 30, width - 20, height - 40, range, g);
    f.axes(title, xLabel);
    for (int k = 0; k < series.size(); k++) {
      Series s = series.get(k);
      g.setColor(PALETTE[k % PALETTE.length]);
      g.setStroke(new BasicStroke(1.2f));
      int px = -1;
      int py = -1;
      for (int i = 0; i < s.x().length; i++) {
        if (!Double.isFinite(s.y()[i])) {
          continue;
        }
        int x = f.x(s.x()[i]);
        int y = f.y(s.y()[i]);
        if (px >= 0) {
          g.drawLine(px, py, x, y);
        }
        px = x;
        py = y;
      }
      g.fillRect(width - 150, 40 + 16 * k, 10, 10);
      g.setColor(Color.BLACK);
      g.drawString(s.name(), width - 134, 50 + 16 * k);
    }
    g.dispose();
    return img;
  }

  /** Samples (dots) over the modes of a mixture (circles of radius {@code 3 std}). */
  public static BufferedImage scatter(
      String title, float[] points, double[][] modes, double std, double extent, int size) {
    BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = canvas(img);
    Frame f =
        new Frame(50, 30, size - 20, size - 40, new double[] {-extent, extent, -extent, extent}, g);
    f.axes(title, "x");
    g.setColor(new Color(0x1f77b4));
    for (int i = 0; i + 1 < points.length; i += 2) {
      if (Math.abs(points[i]) <= extent && Math.abs(points[i + 1]) <= extent) {
        g.fillRect(f.x(points[i]) - 1, f.y(points[i + 1]) - 1, 2, 2);
      }
    }
    g.setColor(new Color(0xd62728));
    g.setStroke(new BasicStroke(1.5f));
    for (double[] m : modes) {
      int r = Math.max(3, f.x(m[0] + 3 * std) - f.x(m[0]));
      g.drawOval(f.x(m[0]) - r, f.y(m[1]) - r, 2 * r, 2 * r);
    }
    g.dispose();
    return img;
  }

  private static Graphics2D canvas(BufferedImage img) {
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, img.getWidth(), img.getHeight());
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    return g;
  }

  /** The plotting area and its data range. */
  private record Frame(int left, int top, int right, int bottom, double[] range, Graphics2D g) {
    int x(double v) {
      double span = range[1] - range[0] == 0 ? 1 : range[1] - range[0];
      return left + (int) Math.round((v - range[0]) / span * (right - left));
    }

    int y(double v) {
      double span = range[3] - range[2] == 0 ? 1 : range[3] - range[2];
      return bottom - (int) Math.round((v - range[2]) / span * (bottom - top));
    }

    void axes(String title, String xLabel) {
      g.setColor(Color.BLACK);
      g.drawRect(left, top, right - left, bottom - top);
      g.drawString(title, left, top - 10);
      g.drawString(xLabel, (left + right) / 2, bottom + 28);
      for (int i = 0; i <= 4; i++) {
        double xv = range[0] + i * (range[1] - range[0]) / 4;
        double yv = range[2] + i * (range[3] - range[2]) / 4;
        g.drawString(String.format("%.3g", xv), x(xv) - 12, bottom + 14);
        g.drawString(String.format("%.3g", yv), 4, y(yv) + 4);
      }
    }
  }
}
