package org.jgan.examples.cli;

import java.util.Locale;
import org.jgan.train.data.ImageTransform;
import picocli.CommandLine.Option;

/**
 * How pictures from a folder or ZIP become samples ({@link ImageTransform}): the options of {@code
 * gan dataset} and {@code gan train}, with nothing chosen silently.
 */
public final class TransformOptions {
  @Option(
      names = "--resolution",
      description =
          "Side of the images made from a folder or .zip (default: the pictures' own, which must"
              + " be square and all alike).")
  Integer resolution;

  @Option(
      names = "--channels",
      description = "1 (grey) or 3 (RGB) for a folder or .zip (default: the first picture's).")
  Integer channels;

  @Option(
      names = "--transform",
      defaultValue = "error",
      description =
          "For pictures not square at the resolution: center-crop, center-crop-wide, pad or error"
              + " (default ${DEFAULT-VALUE}: refuse, naming the file).")
  String transform;

  @Option(
      names = "--background",
      defaultValue = "white",
      description =
          "What transparent pixels and padding become: white, black or #RRGGBB (default"
              + " ${DEFAULT-VALUE}).")
  String background;

  /** The transform these options describe. */
  public ImageTransform transform() {
    int bg;
    switch (background.toLowerCase(Locale.ROOT)) {
      case "white" -> bg = ImageTransform.WHITE;
      case "black" -> bg = ImageTransform.BLACK;
      default -> {
        if (!background.matches("#[0-9a-fA-F]{6}")) {
          throw new Cli.UserError(
              "--background must be white, black or #RRGGBB, got '" + background + "'");
        }
        bg = Integer.parseInt(background.substring(1), 16);
      }
    }
    try {
      return new ImageTransform(
          resolution != null ? resolution : 0,
          channels != null ? channels : 0,
          ImageTransform.Mode.of(transform),
          bg);
    } catch (IllegalArgumentException e) {
      throw new Cli.UserError(e.getMessage());
    }
  }
}
