package org.jgan.examples.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jgan.core.autograd.GradMode;
import org.jgan.core.autograd.Profiler;
import org.jgan.core.io.Json;
import org.jgan.core.io.SafeTensors;
import org.jgan.core.kernels.Engine;
import org.jgan.core.kernels.NativeMemory;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.tensor.TensorScope;
import org.jgan.models.blocks.NoiseMode;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The twins benchmark: the two networks of the TWINS specification trained by this library and,
 * when asked, by PyTorch ({@code examples/bench/twins.py}) in the same run, rounds alternating,
 * reported as median ratios library / PyTorch; plus the numerical agreement of the two
 * implementations and a resident-memory check over many StyleGAN2 steps.
 */
public final class TwinsBenchmark {
  private final PrintStream out;
  private final int steps;
  private final int warmup;

  /** A benchmark printing to {@code out}, timing {@code steps} steps after {@code warmup}. */
  public TwinsBenchmark(PrintStream out, int steps, int warmup) {
    this.out = out;
    this.steps = steps;
    this.warmup = warmup;
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }

  private double time(Runnable body, int warm, int n) {
    for (int i = 0; i < warm; i++) {
      body.run();
    }
    double[] t = new double[n];
    for (int i = 0; i < n; i++) {
      long t0 = System.nanoTime();
      body.run();
      t[i] = (System.nanoTime() - t0) / 1e9;
    }
    return median(t);
  }

  private static Runnable scoped(Runnable r) {
    return () -> {
      try (TensorScope s = TensorScope.open()) {
        r.run();
      }
    };
  }

  /** Seconds per row (median): the library's side of one round. */
  public Map<String, Double> library() {
    Map<String, Double> rows = new LinkedHashMap<>();
    Rng rng = new Rng(1);
    Twins.Dcgan dc = new Twins.Dcgan(1);
    Tensor real28 = Tensor.of(rng.uniformArray(DType.FLOAT32, -1, 1, 64, 1, 28, 28));
    rows.put("dcgan28_step_b64", time(scoped(() -> dc.step(real28)), warmup, steps));
    Tensor real32 = Tensor.of(rng.uniformArray(DType.FLOAT32, -1, 1, 32, 1, 32, 32));
    Twins.Sg2 withR1 = new Twins.Sg2(2, true);
    rows.put(
        "sg2_32_step_r1_b32",
        time(scoped(() -> withR1.step(real32)), Math.max(1, warmup / 2), Math.max(3, steps / 2)));
    Twins.Sg2 noR1 = new Twins.Sg2(3, false);
    rows.put(
        "sg2_32_step_b32",
        time(scoped(() -> noR1.step(real32)), Math.max(1, warmup / 2), Math.max(3, steps / 2)));
    Tensor z = Tensor.of(rng.normalArray(DType.FLOAT32, 0, 1, 64, 128));
    rows.put(
        "sg2_32_generate_b64",
        time(
            scoped(
                () -> {
                  try (GradMode.Guard off = GradMode.disabled()) {
                    noR1.g.forward(z, NoiseMode.RANDOM, rng);
                  }
                }),
            warmup,
            steps));
    return rows;
  }

  /** The Python that has Debian's python3-torch: /usr/bin/python3 when present. */
  static String python() {
    return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
  }

  /** PyTorch's side of one round, from {@code twins.py bench}. */
  public Map<String, Double> pytorch(Path script, int threads)
      throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(
                python(),
                script.toString(),
                "bench",
                "--threads",
                Integer.toString(threads),
                "--steps",
                Integer.toString(steps),
                "--warmup",
                Integer.toString(warmup))
            .redirectErrorStream(false)
            .start();
    String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException("twins.py failed (is python3-torch installed?): " + stderr.strip());
    }
    Map<String, Object> m =
        Json.parseObject(stdout.strip().lines().reduce((a, b) -> b).orElse("{}"));
    Map<String, Double> rows = new LinkedHashMap<>();
    ((Map<?, ?>) m.get("seconds"))
        .forEach((k, v) -> rows.put((String) k, ((Number) v).doubleValue()));
    return rows;
  }

  /** Throughput lines for one library round, with the FLOP fraction of the GEMM rate. */
  public void report(Map<String, Double> lib, double gemmGflops) {
    double[] macs = Twins.forwardMacs();
    // Passes counted in forward-pass units (a backward computing dx and dW costs 2): DCGAN: G
    // forward + backward (3), D on reals (forward + dW: 2), on detached fakes (2), in the G step
    // (forward + dx: 2). SG2: G forward without a graph (1) and with a backward (3); D as DCGAN
    // (6); R1 adds dx with a graph and its double backward (about 4 more D passes).
    double dcFlops = 64 * 2 * (3 * macs[0] + 6 * macs[1]);
    double sgFlops = 32 * 2 * (4 * macs[2] + 6 * macs[3]);
    double sgR1Flops = sgFlops + 32 * 2 * 4 * macs[3];
    double genFlops = 64 * 2 * macs[2];
    row("DCGAN-28 training step, batch 64", lib.get("dcgan28_step_b64"), 64, dcFlops, gemmGflops);
    row(
        "SG2-32 training step with R1, batch 32",
        lib.get("sg2_32_step_r1_b32"),
        32,
        sgR1Flops,
        gemmGflops);
    row(
        "SG2-32 training step without R1, batch 32",
        lib.get("sg2_32_step_b32"),
        32,
        sgFlops,
        gemmGflops);
    row(
        "SG2-32 generator inference, batch 64",
        lib.get("sg2_32_generate_b64"),
        64,
        genFlops,
        gemmGflops);
  }

  private void row(String name, double seconds, int images, double flops, double gemm) {
    out.printf(
        Locale.ROOT,
        "%-44s %9.1f ms %8.1f images/s  %5.1f%% of GEMM (%.0f GFLOP/s)%n",
        name,
        seconds * 1e3,
        images / seconds,
        100 * flops / seconds / 1e9 / gemm,
        flops / seconds / 1e9);
  }

  /**
   * Prints the op profile (exclusive time per op type) of the three SG2-32 rows: the training step
   * with R1, without R1 (batch 32), and generator inference (batch 64); {@code byShape} splits each
   * op type by its input shapes.
   */
  public void profile(boolean byShape) {
    Tensor real = Tensor.of(new Rng(5).uniformArray(DType.FLOAT32, -1, 1, 32, 1, 32, 32));
    Twins.Sg2 withR1 = new Twins.Sg2(4, true);
    profileRow("SG2-32 step with R1, batch 32", byShape, () -> withR1.step(real));
    Twins.Sg2 noR1 = new Twins.Sg2(4, false);
    profileRow("SG2-32 step without R1, batch 32", byShape, () -> noR1.step(real));
    Rng rng = new Rng(6);
    Tensor z = Tensor.of(rng.normalArray(DType.FLOAT32, 0, 1, 64, 128));
    profileRow(
        "SG2-32 generator inference, batch 64",
        byShape,
        () -> {
          try (GradMode.Guard off = GradMode.disabled()) {
            noR1.g.forward(z, NoiseMode.RANDOM, rng);
          }
        });
    real.data().close();
    z.data().close();
  }

  private void profileRow(String name, boolean byShape, Runnable body) {
    Runnable step = scoped(body);
    for (int i = 0; i < 2; i++) {
      step.run();
    }
    int n = Math.max(3, steps / 2);
    List<Profiler.Entry> report;
    double total;
    try (Profiler profiler = Profiler.start(byShape)) {
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        step.run();
      }
      total = (System.nanoTime() - t0) / 1e6 / n;
      report = profiler.report();
    }
    double inOps = report.stream().mapToDouble(Profiler.Entry::millis).sum() / n;
    out.printf(
        Locale.ROOT, "profile of %s: %.0f ms, of which %.0f ms in ops%n", name, total, inOps);
    for (Profiler.Entry e : report.subList(0, Math.min(byShape ? 40 : 18, report.size()))) {
      out.printf(
          Locale.ROOT, "  %-28s %6d calls %9.1f ms%n", e.op(), e.calls() / n, e.millis() / n);
    }
  }

  /**
   * Saves both twins' weights and inputs, runs {@code twins.py check}, and returns the largest
   * relative difference of {DCGAN images, DCGAN logits, SG2 images, SG2 logits}.
   */
  public double[] agreement(Path script, Path dir) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Twins.Dcgan dc = new Twins.Dcgan(11);
    Twins.Sg2 sg = new Twins.Sg2(12, false);
    Rng rng = new Rng(13);
    Map<String, Tensor> io = new LinkedHashMap<>();
    dc.g.stateDict().forEach((k, v) -> io.put("G.dcgan." + k, v));
    dc.d.stateDict().forEach((k, v) -> io.put("D.dcgan." + k, v));
    sg.g.stateDict().forEach((k, v) -> io.put("G.sg2." + k, v));
    sg.d.stateDict().forEach((k, v) -> io.put("D.sg2." + k, v));
    Tensor zd = Tensor.of(rng.normalArray(DType.FLOAT32, 0, 1, 8, 100));
    Tensor xd = Tensor.of(rng.uniformArray(DType.FLOAT32, -1, 1, 8, 1, 28, 28));
    Tensor zs = Tensor.of(rng.normalArray(DType.FLOAT32, 0, 1, 8, 128));
    Tensor xs = Tensor.of(rng.uniformArray(DType.FLOAT32, -1, 1, 8, 1, 32, 32));
    io.put("dcgan.z", zd);
    io.put("dcgan.x", xd);
    io.put("sg2.z", zs);
    io.put("sg2.x", xs);
    Path in = dir.resolve("twins-in.safetensors");
    Path outFile = dir.resolve("twins-out.safetensors");
    SafeTensors.write(in, io, Map.of());
    Process p =
        new ProcessBuilder(python(), script.toString(), "check", in.toString(), outFile.toString())
            .redirectErrorStream(true)
            .start();
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException("twins.py check failed: " + log.strip());
    }
    Map<String, Tensor> torch = SafeTensors.read(outFile).tensors();
    try (GradMode.Guard off = GradMode.disabled()) {
      return new double[] {
        relDiff(torch.get("dcgan.images"), dc.g.forward(zd)),
        relDiff(torch.get("dcgan.logits"), dc.d.forward(xd)),
        relDiff(torch.get("sg2.images"), sg.g.forward(zs, NoiseMode.NONE, null)),
        relDiff(torch.get("sg2.logits"), sg.d.forward(xs))
      };
    }
  }

  private static double relDiff(Tensor expected, Tensor actual) {
    INDArray e = expected.data().castTo(DataType.DOUBLE);
    INDArray a = actual.data().castTo(DataType.DOUBLE).reshape(e.shape());
    return e.sub(a).amaxNumber().doubleValue() / Math.max(e.amaxNumber().doubleValue(), 1e-12);
  }

  /**
   * Runs {@code n} SG2-32 training steps at batch 8 and prints resident memory (and the library's
   * own array bytes, the buffers its pool keeps for reuse, and glibc's count) at intervals; returns
   * the growth of peak resident memory from the first to the second half of the steps after warm-up
   * (10%).
   */
  public double memory(int n) {
    Twins.Sg2 sg = new Twins.Sg2(21, true);
    Rng rng = new Rng(22);
    RssTrend trend = new RssTrend(n);
    long start = System.nanoTime();
    for (int i = 1; i <= n; i++) {
      try (TensorScope s = TensorScope.open()) {
        sg.step(rng.uniform(DType.FLOAT32, -1, 1, 8, 1, 32, 32)); // owned by the step's scope
      }
      trend.sample(i);
      if (i % Math.max(1, n / 20) == 0 || i == n) {
        out.printf(
            Locale.ROOT,
            "step %6d  RSS %6d MB  library arrays %5d MB  pooled %5d MB  malloc %6d MB  %.0f s%n",
            i,
            NativeMemory.residentBytes() >> 20,
            Engine.current().liveBytes() >> 20,
            Engine.current().stats().pooledBytes() >> 20,
            NativeMemory.mallocBytes() >> 20,
            (System.nanoTime() - start) / 1e9);
      }
    }
    return trend.report(out);
  }

  /** Median ratios library / PyTorch over rounds that alternate the two sides. */
  public Map<String, Double> compare(Path script, int rounds, int threads)
      throws IOException, InterruptedException {
    Map<String, List<Double>> ratios = new LinkedHashMap<>();
    for (int r = 0; r < rounds; r++) {
      Map<String, Double> lib = library();
      Map<String, Double> torch = pytorch(script, threads);
      out.printf(Locale.ROOT, "round %d%n", r + 1);
      for (String k : lib.keySet()) {
        double ratio = lib.get(k) / torch.get(k);
        ratios.computeIfAbsent(k, x -> new ArrayList<>()).add(ratio);
        out.printf(
            Locale.ROOT,
            "  %-24s library %9.1f ms  PyTorch %9.1f ms  ratio %.2f%n",
            k,
            lib.get(k) * 1e3,
            torch.get(k) * 1e3,
            ratio);
      }
    }
    Map<String, Double> medians = new LinkedHashMap<>();
    ratios.forEach(
        (k, v) -> medians.put(k, median(v.stream().mapToDouble(Double::doubleValue).toArray())));
    return medians;
  }
}
