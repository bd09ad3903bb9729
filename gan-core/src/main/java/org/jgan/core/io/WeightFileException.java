package org.jgan.core.io;

import java.io.IOException;

/**
 * A weight or checkpoint file that cannot be read; {@link #kind()} says what was wrong and the
 * message names the file and what was expected.
 */
public final class WeightFileException extends IOException {
  private static final long serialVersionUID = 1L;

  /** What was wrong with the file. */
  public enum Kind {
    /** The file ends before its header or data does. */
    TRUNCATED,
    /** The file's structure (safetensors header, ZIP directory, pickle) is not valid. */
    BAD_HEADER,
    /** A tensor's byte range lies outside the data section or overlaps another. */
    BAD_OFFSETS,
    /** A tensor has an element type this library cannot read. */
    UNKNOWN_DTYPE,
    /** A tensor's shape does not match its number of bytes. */
    SHAPE_MISMATCH,
    /** The file is valid but its contents do not fit what was asked of it. */
    INCOMPATIBLE,
    /**
     * The file asks for code to be run (a pickle naming {@code os.system}, {@code builtins.eval},
     * ...), which no weight file needs; it was refused and nothing was run.
     */
    UNSAFE
  }

  private final Kind kind;

  /** An exception of the given kind. */
  public WeightFileException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  /** What was wrong. */
  public Kind kind() {
    return kind;
  }
}
