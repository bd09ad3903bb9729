package org.jgan.examples.bench;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code gan bench core}: kernel and autograd throughput. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Measure throughput (core: GEMM and convolutions).")
public final class BenchCommand implements Callable<Integer> {
  @Parameters(index = "0", defaultValue = "core", description = "What to measure: core.")
  String what;

  @Option(names = "--seconds", defaultValue = "3", description = "Timing per row in seconds (default ${DEFAULT-VALUE}).")
  double seconds;

  @Override
  public Integer call() {
    if (!what.equals("core")) {
      System.err.println("gan bench: unknown benchmark '" + what + "'; available: core");
      return 2;
    }
    new CoreBenchmark(System.out, seconds).run();
    return 0;
  }
}
