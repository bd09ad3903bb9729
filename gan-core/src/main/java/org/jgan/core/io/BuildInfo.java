package org.jgan.core.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The versions this library was built with, as the Maven build wrote them: the library's own and
 * ND4J's (with its classifier). Provenance records these, so there is one place for each, the POM.
 */
public final class BuildInfo {
  private static final Properties PROPS = load();

  private BuildInfo() {}

  /** The library's version, e.g. {@code 0.1.0-SNAPSHOT}. */
  public static String version() {
    return PROPS.getProperty("version");
  }

  /** ND4J's version and classifier, e.g. {@code 1.0.0-M2.1 linux-x86_64-onednn}. */
  public static String nd4j() {
    return PROPS.getProperty("nd4j");
  }

  private static Properties load() {
    Properties p = new Properties();
    try (InputStream in = BuildInfo.class.getResourceAsStream("build.properties")) {
      if (in == null) {
        throw new IllegalStateException(
            "build.properties is missing from the jar: build the library with Maven");
      }
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read build.properties", e);
    }
    return p;
  }
}
