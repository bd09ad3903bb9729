package org.jgan.train.data;

import java.io.IOException;

/** A data file or folder that cannot be read; the message names the file and what was expected. */
public final class DatasetException extends IOException {
  private static final long serialVersionUID = 1L;

  /** An exception with a message that names the source. */
  public DatasetException(String message) {
    super(message);
  }

  /** An exception with a cause. */
  public DatasetException(String message, Throwable cause) {
    super(message, cause);
  }
}
