package org.jgan.examples.cli;

import org.jgan.core.kernels.Backend;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The command line's flags for the backend ({@link Backend}), accepted by every command: the one
 * place where the {@code gan} program turns user input into what runs. The chosen backend is
 * printed by training and benchmarks and recorded in every run's provenance.
 */
public final class BackendOptions {
  @Option(
      names = "--no-winograd",
      scope = ScopeType.INHERIT,
      description =
          "Run 3x3 convolutions on libnd4j's direct kernels instead of oneDNN's Winograd kernels.")
  boolean noWinograd;

  @Option(
      names = "--no-onednn",
      scope = ScopeType.INHERIT,
      description =
          "Run the convolutions Winograd does not take on libnd4j's kernels (a oneDNN primitive"
              + " made per call) instead of oneDNN's primitives kept per shape.")
  boolean noOneDnn;

  @Option(
      names = "--no-in-place",
      scope = ScopeType.INHERIT,
      description =
          "Never update a fresh result in place (for comparing speed or ruling the updates out).")
  boolean noInPlace;

  @Option(
      names = "--pool-mb",
      scope = ScopeType.INHERIT,
      paramLabel = "MB",
      description =
          "Megabytes of freed native buffers kept for reuse (default 4096; 0 = no pooling).")
  Long poolMb;

  @Option(
      names = "--gc-every",
      scope = ScopeType.INHERIT,
      paramLabel = "N",
      description =
          "A full garbage collection between steps after N fresh native buffers (default 50000; 0 ="
              + " never).")
  Long gcEvery;

  @Option(
      names = "--track-allocations",
      scope = ScopeType.INHERIT,
      hidden = true,
      description = "Remember where each live array was allocated (slow; for finding leaks).")
  boolean trackAllocations;

  /** The backend these flags describe: {@link Backend#cpu()} with each given flag applied. */
  public Backend backend() {
    Backend b =
        Backend.cpu()
            .withWinograd(!noWinograd)
            .withOneDnn(!noOneDnn)
            .withInPlace(!noInPlace)
            .withTrackAllocations(trackAllocations);
    try {
      if (poolMb != null) {
        b = b.withPoolBytes(poolMb << 20);
      }
      if (gcEvery != null) {
        b = b.withGcEveryArrays(gcEvery);
      }
    } catch (IllegalArgumentException e) {
      throw new Cli.UserError(e.getMessage());
    }
    return b;
  }
}
