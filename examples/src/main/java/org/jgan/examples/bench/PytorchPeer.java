package org.jgan.examples.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jgan.core.io.Json;
import org.jgan.core.io.SafeTensors;
import org.jgan.core.kernels.Platform;
import org.jgan.core.tensor.Tensor;

/**
 * The PyTorch twins ({@code examples/bench/twins.py}) run by Debian's python3-torch in a child
 * process that gets OpenMP at the benchmark's threads, OpenBLAS at one thread and this process's
 * allocator variables.
 */
public final class PytorchPeer implements TwinsPeer {
  private final Path script;
  private final Path dir;

  /** The twins in {@code script}; weights for the agreement check go through {@code dir}. */
  public PytorchPeer(Path script, Path dir) {
    this.script = script;
    this.dir = dir;
  }

  @Override
  public String name() {
    return "PyTorch";
  }

  /** The Python that has Debian's python3-torch: /usr/bin/python3 when present. */
  static String python() {
    return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
  }

  /**
   * The child's process: {@code twins.py} with {@code args}, OpenMP at {@code threads}, OpenBLAS at
   * one thread (PyTorch parallelises over its own OpenMP threads; two OpenBLAS threads on top made
   * its DCGAN step twice as slow, docs/benchmarks.md) and this process's allocator variables, which
   * it inherits.
   */
  private ProcessBuilder child(int threads, String... args) {
    List<String> command = new ArrayList<>(List.of(python(), script.toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().put("OMP_NUM_THREADS", Integer.toString(threads));
    pb.environment().put("OPENBLAS_NUM_THREADS", "1");
    return pb;
  }

  private static String run(ProcessBuilder pb, String what)
      throws IOException, InterruptedException {
    Process p = pb.redirectErrorStream(false).start();
    String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException(what + " failed (is python3-torch installed?): " + stderr.strip());
    }
    return stdout.strip().lines().reduce((a, b) -> b).orElse("{}");
  }

  @Override
  public String describe(int threads) throws IOException, InterruptedException {
    return checkPeer(Json.parseObject(run(child(threads, "env"), "twins.py env")));
  }

  /**
   * One line naming the peer's BLAS, oneDNN and allocator settings from {@code twins.py env};
   * refuses a peer whose figures would not be a peer's: one on the reference BLAS (its transposed
   * convolutions, im2col plus GEMM, run about five times slower), one whose BLAS could not be
   * identified, or one that runs with allocator settings other than the library's.
   *
   * @throws IllegalStateException saying what is wrong and how to set the peer up
   */
  public static String checkPeer(Map<?, ?> env) {
    List<?> blas = (List<?>) env.get("blas");
    String libs = String.valueOf(env.get("blasLibraries"));
    if (blas.contains("reference") || blas.contains("unknown") || blas.contains("none mapped")) {
      throw new IllegalStateException(
          "PyTorch runs on "
              + blas
              + " BLAS "
              + libs
              + ": its transposed convolutions (im2col + GEMM) run about five times slower than"
              + " with OpenBLAS, so ratios against it would flatter this library. Install OpenBLAS"
              + " (apt-get install -y libopenblas0-pthread; Debian's alternatives then point"
              + " libblas.so.3 at it) and run again.");
    }
    Map<?, ?> childEnv = (Map<?, ?>) env.get("env");
    for (Map.Entry<String, String> e : Platform.allocatorVariables().entrySet()) {
      String v = e.getKey();
      if (!e.getValue().equals(childEnv.get(v))) {
        throw new IllegalStateException(
            "PyTorch would run with "
                + v
                + "="
                + childEnv.get(v)
                + ", this library with "
                + v
                + "="
                + e.getValue()
                + ": both sides must run with the same allocator settings (the gan launcher sets"
                + " them)");
      }
    }
    return String.format(
        Locale.ROOT,
        "PyTorch peer: BLAS %s %s, %s, OMP threads %s, OPENBLAS_NUM_THREADS %s; allocator as the"
            + " library's (%s)",
        String.join(", ", blas.stream().map(String::valueOf).toList()),
        libs,
        env.get("onednn"),
        childEnv.get("OMP_NUM_THREADS"),
        childEnv.get("OPENBLAS_NUM_THREADS"),
        Platform.allocatorSettings());
  }

  @Override
  public Map<String, String> unsupported(List<Twins.Sg2Spec> specs) {
    return Map.of();
  }

  @Override
  public Map<String, Double> round(int threads, int steps, int warmup, List<Twins.Sg2Spec> specs)
      throws IOException, InterruptedException {
    String line =
        run(
            child(
                threads,
                "bench",
                "--threads",
                Integer.toString(threads),
                "--steps",
                Integer.toString(steps),
                "--warmup",
                Integer.toString(warmup),
                "--twins",
                String.join(",", specs.stream().map(Twins.Sg2Spec::name).toList())),
            "twins.py bench");
    Map<String, Object> m = Json.parseObject(line);
    checkPeer((Map<?, ?>) m.get("environment"));
    Map<String, Double> rows = new LinkedHashMap<>();
    ((Map<?, ?>) m.get("seconds"))
        .forEach((k, v) -> rows.put((String) k, ((Number) v).doubleValue()));
    return rows;
  }

  @Override
  public Map<String, Tensor> outputs(Map<String, Tensor> io, List<Twins.Sg2Spec> specs)
      throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Path in = dir.resolve("twins-in.safetensors");
    Path out = dir.resolve("twins-out.safetensors");
    SafeTensors.write(in, io, Map.of());
    run(child(Platform.ompThreads(), "check", in.toString(), out.toString()), "twins.py check");
    return SafeTensors.read(out).tensors();
  }
}
