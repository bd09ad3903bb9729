package org.jgan.core.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.jgan.core.nn.Module;

/** Saving and loading a module's parameters and buffers as a safetensors file. */
public final class StateDict {
  private StateDict() {}

  /** Writes {@code module.stateDict()} atomically, with optional string metadata. */
  public static void save(Module module, Path path, Map<String, String> metadata)
      throws IOException {
    SafeTensors.write(path, module.stateDict(), metadata);
  }

  /**
   * Loads a file written by {@link #save} into {@code module}; names and shapes must match exactly.
   *
   * @throws WeightFileException for a damaged file, or of kind INCOMPATIBLE when the file's entries
   *     do not fit the module (the message names the missing, extra or mis-shaped ones)
   */
  public static Map<String, String> load(Module module, Path path) throws IOException {
    SafeTensors.Contents c = SafeTensors.read(path);
    try {
      module.loadStateDict(c.tensors());
    } catch (IllegalArgumentException e) {
      throw new WeightFileException(
          WeightFileException.Kind.INCOMPATIBLE, path + ": " + e.getMessage());
    }
    return c.metadata();
  }
}
