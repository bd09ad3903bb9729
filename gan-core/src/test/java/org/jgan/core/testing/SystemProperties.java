package org.jgan.core.testing;

import java.util.function.Supplier;

/** Runs test code with a system property set, restoring its earlier value (or absence) after. */
public final class SystemProperties {
  private SystemProperties() {}

  /** {@code body} with {@code key} set to {@code value}, or cleared when {@code value} is null. */
  public static <T> T with(String key, String value, Supplier<T> body) {
    String before = System.getProperty(key);
    set(key, value);
    try {
      return body.get();
    } finally {
      set(key, before);
    }
  }

  /** {@link #with(String, String, Supplier)} for code without a result. */
  public static void with(String key, String value, Runnable body) {
    with(key, value, () -> {
      body.run();
      return null;
    });
  }

  private static void set(String key, String value) {
    if (value == null) {
      System.clearProperty(key);
    } else {
      System.setProperty(key, value);
    }
  }
}
