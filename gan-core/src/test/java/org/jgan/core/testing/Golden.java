package org.jgan.core.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.jgan.core.io.SafeTensors;
import org.jgan.core.tensor.Tensor;

/**
 * PyTorch reference values (float64 safetensors under {@code golden/} on the test class path), one
 * file per case; see {@code golden/README.md} for each case's definition.
 */
public final class Golden {
  private final SafeTensors.Contents contents;
  private final String name;

  private Golden(String name, SafeTensors.Contents contents) {
    this.name = name;
    this.contents = contents;
  }

  /** Loads {@code golden/<name>.safetensors}. */
  public static Golden load(String name) {
    String path = "/golden/" + name + ".safetensors";
    try (InputStream in = Golden.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("golden case not on the class path: " + path);
      }
      return new Golden(name, SafeTensors.read(in.readAllBytes(), path));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A stored tensor (float64) as a constant. */
  public Tensor get(String key) {
    Tensor t = contents.tensors().get(key);
    if (t == null) {
      throw new IllegalArgumentException(
          name + " has no tensor '" + key + "'; it has " + contents.tensors().keySet());
    }
    return t;
  }

  /** A stored tensor as a fresh leaf that requires a gradient. */
  public Tensor leaf(String key) {
    return Tensor.leaf(get(key).data().dup(), true);
  }

  /** A scalar parameter from the metadata. */
  public double meta(String key) {
    String v = contents.metadata().get(key);
    if (v == null) {
      throw new IllegalArgumentException(name + " has no metadata '" + key + "'");
    }
    return Double.parseDouble(v);
  }
}
