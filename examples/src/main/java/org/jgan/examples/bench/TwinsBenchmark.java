package org.jgan.examples.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.jgan.core.autograd.GradMode;
import org.jgan.core.autograd.Profiler;
import org.jgan.core.kernels.Engine;
import org.jgan.core.kernels.NativeMemory;
import org.jgan.core.nn.Module;
import org.jgan.core.nn.Parameter;
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
  private final List<Twins.Sg2Spec> specs;

  /**
   * A benchmark printing to {@code out}, timing {@code steps} steps after {@code warmup}, with the
   * StyleGAN2 twins {@code specs} (SG2-32, and SG2-64-RGB when asked).
   */
  public TwinsBenchmark(PrintStream out, int steps, int warmup, List<Twins.Sg2Spec> specs) {
    this.out = out;
    this.steps = steps;
    this.warmup = warmup;
    this.specs = List.copyOf(specs);
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

  /**
   * Timed steps of a StyleGAN2 twin's training rows: half of {@code steps} (the larger twin's steps
   * take seconds: a quarter), at least 3; the peers take as many.
   */
  public static int trainSteps(Twins.Sg2Spec spec, int steps) {
    return Math.max(3, spec.resolution() > 32 ? steps / 4 : steps / 2);
  }

  /** Seconds per row (median): the library's side of one round. */
  public Map<String, Double> library() {
    Map<String, Double> rows = new LinkedHashMap<>();
    Rng rng = new Rng(1);
    Twins.Dcgan dc = new Twins.Dcgan(1);
    Tensor real28 = Tensor.of(rng.uniformArray(DType.FLOAT32, -1, 1, 64, 1, 28, 28));
    rows.put("dcgan28_step_b64", time(scoped(() -> dc.step(real28)), warmup, steps));
    for (Twins.Sg2Spec spec : specs) {
      int n = spec.batch();
      int r = spec.resolution();
      int trainSteps = trainSteps(spec, steps);
      int trainWarmup = Math.max(1, warmup / 2);
      Tensor real =
          Tensor.of(rng.uniformArray(DType.FLOAT32, -1, 1, n, spec.imageChannels(), r, r));
      Twins.Sg2 withR1 = new Twins.Sg2(spec, 2, true);
      rows.put(
          spec.name() + "_step_r1_b" + n,
          time(scoped(() -> withR1.step(real)), trainWarmup, trainSteps));
      Twins.Sg2 noR1 = new Twins.Sg2(spec, 3, false);
      rows.put(
          spec.name() + "_step_b" + n,
          time(scoped(() -> noR1.step(real)), trainWarmup, trainSteps));
      Tensor z = Tensor.of(rng.normalArray(DType.FLOAT32, 0, 1, 2L * n, spec.zDim()));
      rows.put(
          spec.name() + "_generate_b" + 2 * n,
          time(
              scoped(
                  () -> {
                    try (GradMode.Guard off = GradMode.disabled()) {
                      noR1.g.forward(z, NoiseMode.RANDOM, rng);
                    }
                  }),
              warmup,
              steps));
    }
    return rows;
  }

  /** Throughput lines for one library round, with the FLOP fraction of the GEMM rate. */
  public void report(Map<String, Double> lib, double gemmGflops) {
    double[] dc = Twins.dcganMacs();
    // Passes counted in forward-pass units (a backward computing dx and dW costs 2): DCGAN: G
    // forward + backward (3), D on reals (forward, dW, and the dx that carries the gradient down to
    // the lower layers' weights: 3), on detached fakes (3), in the G step (forward + dx: 2). SG2: G
    // forward without a graph (1) and with a backward (3); D as DCGAN (8); R1 adds dx with a graph
    // and its double backward (about 4 more D passes). (Before issue 18's second part the D steps
    // were counted as 2 passes each, leaving out their dx: 6 D passes, rates 14-22% lower.)
    row(
        "DCGAN-28 training step, batch 64",
        lib.get("dcgan28_step_b64"),
        64,
        64 * 2 * (3 * dc[0] + 8 * dc[1]),
        gemmGflops);
    for (Twins.Sg2Spec spec : specs) {
      double[] m = Twins.sg2Macs(spec);
      int n = spec.batch();
      double flops = n * 2 * (4 * m[0] + 8 * m[1]);
      String label = spec.name().toUpperCase(Locale.ROOT).replace('_', '-');
      if (spec.imageChannels() == 3) {
        label += "-RGB";
      }
      row(
          label + " training step with R1, batch " + n,
          lib.get(spec.name() + "_step_r1_b" + n),
          n,
          flops + n * 2 * 4 * m[1],
          gemmGflops);
      row(
          label + " training step without R1, batch " + n,
          lib.get(spec.name() + "_step_b" + n),
          n,
          flops,
          gemmGflops);
      row(
          label + " generator inference, batch " + 2 * n,
          lib.get(spec.name() + "_generate_b" + 2 * n),
          2 * n,
          2 * n * 2 * m[0],
          gemmGflops);
    }
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
   * Prints the op profile (exclusive time per op type) of the four twin rows: the DCGAN-28 training
   * step (batch 64), the SG2-32 training step with R1, without R1 (batch 32), and generator
   * inference (batch 64); {@code byShape} splits each op type by its input shapes.
   */
  public void profile(boolean byShape) {
    Tensor real28 = Tensor.of(new Rng(5).uniformArray(DType.FLOAT32, -1, 1, 64, 1, 28, 28));
    Twins.Dcgan dc = new Twins.Dcgan(4);
    profileRow("DCGAN-28 step, batch 64", byShape, () -> dc.step(real28));
    real28.data().close();
    Tensor real = Tensor.of(new Rng(5).uniformArray(DType.FLOAT32, -1, 1, 32, 1, 32, 32));
    Twins.Sg2 withR1 = new Twins.Sg2(Twins.Sg2Spec.SG2_32, 4, true);
    profileRow("SG2-32 step with R1, batch 32", byShape, () -> withR1.step(real));
    Twins.Sg2 noR1 = new Twins.Sg2(Twins.Sg2Spec.SG2_32, 4, false);
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
   * Gives {@code peer} every twin's weights and inputs and returns the largest relative difference
   * of its images and logits from the library's ({@code "dcgan28 images"}, ...) and, for its
   * gradients of D(G(z)) and the library's float32 ones, the largest relative difference from the
   * library's float64 gradients ({@code "dcgan28 gradients, peer vs float64 (worst <param>)"},
   * ...).
   */
  public Map<String, Double> agreement(TwinsPeer peer) throws IOException, InterruptedException {
    Twins.Dcgan dc = new Twins.Dcgan(11);
    Rng rng = new Rng(13);
    Map<String, Tensor> io = new LinkedHashMap<>();
    dc.g.stateDict().forEach((k, v) -> io.put("G.dcgan." + k, v));
    dc.d.stateDict().forEach((k, v) -> io.put("D.dcgan." + k, v));
    Tensor zd = Tensor.of(rng.normalArray(DType.FLOAT32, 0, 1, 8, 100));
    Tensor xd = Tensor.of(rng.uniformArray(DType.FLOAT32, -1, 1, 8, 1, 28, 28));
    io.put("dcgan.z", zd);
    io.put("dcgan.x", xd);
    List<Twins.Sg2> nets = new ArrayList<>();
    for (Twins.Sg2Spec spec : specs) {
      Twins.Sg2 sg = new Twins.Sg2(spec, 12, false);
      nets.add(sg);
      String k = spec.name();
      sg.g.stateDict().forEach((name, v) -> io.put("G." + k + "." + name, v));
      sg.d.stateDict().forEach((name, v) -> io.put("D." + k + "." + name, v));
      int r = spec.resolution();
      io.put(k + ".z", Tensor.of(rng.normalArray(DType.FLOAT32, 0, 1, 8, spec.zDim())));
      io.put(
          k + ".x",
          Tensor.of(rng.uniformArray(DType.FLOAT32, -1, 1, 8, spec.imageChannels(), r, r)));
    }
    Map<String, Tensor> theirs = peer.outputs(io, specs);
    Map<String, Double> diff = new LinkedHashMap<>();
    // gradients: the peer's and the library's float32 against the library in float64
    Twins.Dcgan dc64 = new Twins.Dcgan(11);
    dc64.g.to(DType.FLOAT64);
    dc64.d.to(DType.FLOAT64);
    Tensor zd64 = zd.to(DType.FLOAT64);
    gradients(
        diff,
        "dcgan28",
        theirs,
        gradients("dcgan.grad.", dc.g, dc.d, () -> dc.d.forward(dc.g.forward(zd))),
        gradients("dcgan.grad.", dc64.g, dc64.d, () -> dc64.d.forward(dc64.g.forward(zd64))));
    for (Twins.Sg2 sg : nets) {
      String k = sg.spec.name();
      Twins.Sg2 sg64 = new Twins.Sg2(sg.spec, 12, false);
      sg64.g.to(DType.FLOAT64);
      sg64.d.to(DType.FLOAT64);
      Tensor z = io.get(k + ".z");
      Tensor z64 = z.to(DType.FLOAT64);
      gradients(
          diff,
          k,
          theirs,
          gradients(
              k + ".grad.", sg.g, sg.d, () -> sg.d.forward(sg.g.forward(z, NoiseMode.NONE, null))),
          gradients(
              k + ".grad.",
              sg64.g,
              sg64.d,
              () -> sg64.d.forward(sg64.g.forward(z64, NoiseMode.NONE, null))));
    }
    try (GradMode.Guard off = GradMode.disabled()) {
      diff.put("dcgan28 images", relDiff(theirs.get("dcgan.images"), dc.g.forward(zd)));
      diff.put("dcgan28 logits", relDiff(theirs.get("dcgan.logits"), dc.d.forward(xd)));
      for (Twins.Sg2 sg : nets) {
        String k = sg.spec.name();
        diff.put(
            k + " images",
            relDiff(
                theirs.get(k + ".images"), sg.g.forward(io.get(k + ".z"), NoiseMode.NONE, null)));
        diff.put(k + " logits", relDiff(theirs.get(k + ".logits"), sg.d.forward(io.get(k + ".x"))));
      }
    }
    return diff;
  }

  /**
   * The gradients of the summed {@code logits} with respect to every parameter of {@code g} and
   * {@code d}, keyed {@code prefix + "G." + name} and {@code prefix + "D." + name} (zeros for a
   * parameter the graph does not use).
   */
  private static Map<String, Tensor> gradients(
      String prefix, Module g, Module d, Supplier<Tensor> logits) {
    g.zeroGrad();
    d.zeroGrad();
    logits.get().sum().backward();
    Map<String, Tensor> grads = new LinkedHashMap<>();
    for (Map.Entry<String, Module> side : List.of(Map.entry("G.", g), Map.entry("D.", d))) {
      for (Map.Entry<String, Parameter> p : side.getValue().namedParameters().entrySet()) {
        Tensor grad = p.getValue().grad();
        grads.put(
            prefix + side.getKey() + p.getKey(),
            grad == null
                ? Tensor.zeros(p.getValue().value().dtype(), p.getValue().shape())
                : Tensor.of(grad.data().dup())); // zeroGrad frees the gradients
      }
    }
    g.zeroGrad();
    d.zeroGrad();
    return grads;
  }

  /**
   * Puts the largest relative difference over the parameters from the float64 gradients {@code
   * ref}: of the peer's ({@code theirs}) and of the library's float32 ({@code ours}), each with the
   * parameter where it is; float32 alone differs from float64 by up to about 1e-3 in the StyleGAN2
   * twins' gradients (sums of many terms that nearly cancel), so the two errors are compared with
   * each other, not with zero.
   */
  private static void gradients(
      Map<String, Double> diff,
      String twin,
      Map<String, Tensor> theirs,
      Map<String, Tensor> ours,
      Map<String, Tensor> ref) {
    for (String who : List.of("peer", "library")) {
      double worst = 0;
      String where = "";
      for (Map.Entry<String, Tensor> e : ref.entrySet()) {
        Tensor t = who.equals("peer") ? theirs.get(e.getKey()) : ours.get(e.getKey());
        if (t == null) {
          throw new IllegalStateException("the peer gave no gradient " + e.getKey());
        }
        double d = relDiff(e.getValue(), t);
        if (d >= worst) {
          worst = d;
          where = e.getKey().substring(e.getKey().indexOf(".grad.") + 6);
        }
      }
      diff.put(twin + " gradients, " + who + " vs float64 (worst " + where + ")", worst);
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
    Twins.Sg2 sg = new Twins.Sg2(Twins.Sg2Spec.SG2_32, 21, true);
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

  /**
   * Median ratios library / peer over {@code rounds} rounds that alternate the library's side with
   * each peer's, per peer name and row; rows a peer cannot run are left out of its map.
   */
  public Map<String, Map<String, Double>> compare(List<TwinsPeer> peers, int rounds, int threads)
      throws IOException, InterruptedException {
    Map<String, Map<String, List<Double>>> ratios = new LinkedHashMap<>();
    for (int r = 0; r < rounds; r++) {
      Map<String, Double> lib = library();
      out.printf(Locale.ROOT, "round %d%n", r + 1);
      for (TwinsPeer peer : peers) {
        Map<String, Double> theirs = peer.round(threads, steps, warmup, specs);
        for (String k : lib.keySet()) {
          Double t = theirs.get(k);
          if (t == null) {
            continue;
          }
          double ratio = lib.get(k) / t;
          ratios
              .computeIfAbsent(peer.name(), x -> new LinkedHashMap<>())
              .computeIfAbsent(k, x -> new ArrayList<>())
              .add(ratio);
          out.printf(
              Locale.ROOT,
              "  %-24s library %9.1f ms  %-7s %9.1f ms  ratio %.2f%n",
              k,
              lib.get(k) * 1e3,
              peer.name(),
              t * 1e3,
              ratio);
        }
      }
    }
    Map<String, Map<String, Double>> medians = new LinkedHashMap<>();
    ratios.forEach(
        (peer, rows) -> {
          Map<String, Double> m = new LinkedHashMap<>();
          rows.forEach(
              (k, v) -> m.put(k, median(v.stream().mapToDouble(Double::doubleValue).toArray())));
          medians.put(peer, m);
        });
    return medians;
  }
}
