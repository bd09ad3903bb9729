package org.jgan.examples.bench;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.jgan.core.autograd.Autograd;
import org.jgan.core.kernels.ConvGeometry;
import org.jgan.core.kernels.ConvKernels;
import org.jgan.core.kernels.DataFormat;
import org.jgan.core.kernels.Engine;
import org.jgan.core.kernels.Kernels;
import org.jgan.core.kernels.Platform;
import org.jgan.core.ops.Conv;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.tensor.TensorScope;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Throughput of the kernels the library stands on, in one run: ND4J's GEMM at 1024x1024, and
 * convolution forward and forward+backward both as raw ND4J calls and through the library's {@link
 * Tensor} ops (autograd included), so that the autograd layer's overhead shows as the ratio of the
 * two. FLOPs are counted as 2 per multiply-add; backward counts twice the forward (input and weight
 * gradients).
 */
public final class CoreBenchmark {
  private final PrintStream out;
  private final double seconds;

  /** A benchmark that prints to {@code out} and times each row for about {@code seconds}. */
  public CoreBenchmark(PrintStream out, double seconds) {
    this.out = out;
    this.seconds = seconds;
  }

  /** Median seconds per call of {@code body} over timed repetitions after a warm-up. */
  private double time(Runnable body) {
    for (int i = 0; i < 3; i++) {
      body.run();
    }
    long start = System.nanoTime();
    int n = 0;
    double[] samples = new double[10000];
    while ((System.nanoTime() - start) < seconds * 1e9 && n < samples.length) {
      long t0 = System.nanoTime();
      body.run();
      samples[n++] = (System.nanoTime() - t0) / 1e9;
    }
    double[] s = Arrays.copyOf(samples, n);
    Arrays.sort(s);
    return s[n / 2];
  }

  private double row(String name, double flops, Runnable body) {
    double t = time(body);
    double gflops = flops / t / 1e9;
    out.printf("%-58s %9.3f ms %8.1f GFLOP/s%n", name, t * 1e3, gflops);
    return gflops;
  }

  /** Runs every row and returns {mmul GFLOP/s, worst library/mmul conv fwd+bwd ratio}. */
  public double[] run() {
    Rng rng = new Rng(1);
    out.printf("backend: %s; cores %d%n", Engine.current().describe(), Platform.cores());
    INDArray a = rng.normalArray(DType.FLOAT32, 0, 1, 1024, 1024);
    INDArray b = rng.normalArray(DType.FLOAT32, 0, 1, 1024, 1024);
    INDArray c = Kernels.alloc(DataType.FLOAT, 1024, 1024);
    double mm = 2.0 * 1024 * 1024 * 1024;
    double gemm =
        row(
            "ND4J matmul 1024x1024 (oneDNN)",
            mm,
            () -> Kernels.custom("matmul", new INDArray[] {a, b}, new INDArray[] {c}, 0, 0));
    Tensor ta = Tensor.of(a);
    Tensor tb = Tensor.of(b);
    row("Tensor.matmul 1024x1024", mm, () -> scoped(() -> ta.matmul(tb)));
    double worst = Double.MAX_VALUE;
    for (long[] shape : new long[][] {{32, 64, 32}, {32, 128, 16}}) {
      long n = shape[0];
      long ch = shape[1];
      long hw = shape[2];
      double fwd = 2.0 * n * ch * ch * 9 * hw * hw;
      String tag = String.format("(%d, %d->%d, %dx%d, 3x3)", n, ch, ch, hw, hw);
      INDArray x = rng.normalArray(DType.FLOAT32, 0, 1, n, ch, hw, hw);
      INDArray w = rng.normalArray(DType.FLOAT32, 0, 0.05, ch, ch, 3, 3);
      INDArray bias = rng.normalArray(DType.FLOAT32, 0, 1, ch);
      INDArray y = Kernels.alloc(DataType.FLOAT, n, ch, hw, hw);
      INDArray gx = Kernels.alloc(DataType.FLOAT, n, ch, hw, hw);
      INDArray gw = Kernels.alloc(DataType.FLOAT, ch, ch, 3, 3);
      INDArray gb = Kernels.alloc(DataType.FLOAT, ch);
      int[] args = {3, 3, 1, 1, 1, 1, 1, 1, 0, 0, 1};
      row(
          "ND4J conv2d fwd " + tag,
          fwd,
          () -> Kernels.custom("conv2d", new INDArray[] {x, w, bias}, new INDArray[] {y}, args));
      row(
          "ND4J conv2d fwd + conv2d_bp " + tag,
          3 * fwd,
          () -> {
            Kernels.custom("conv2d", new INDArray[] {x, w, bias}, new INDArray[] {y}, args);
            Kernels.custom(
                "conv2d_bp", new INDArray[] {x, w, bias, y}, new INDArray[] {gx, gw, gb}, args);
          });
      Tensor tx = Tensor.leaf(x, true);
      Tensor tw = Tensor.leaf(w, true);
      Tensor tbias = Tensor.leaf(bias, true);
      Tensor g = Tensor.of(y);
      row("Tensor conv2d fwd " + tag, fwd, () -> scoped(() -> Conv.conv2d(tx, tw, tbias, 1, 1)));
      double lib =
          row(
              "Tensor conv2d fwd + bwd (dx, dw, db) " + tag,
              3 * fwd,
              () ->
                  scoped(
                      () -> {
                        Tensor out = Conv.conv2d(tx, tw, tbias, 1, 1);
                        return Autograd.grad(
                                List.of(out), List.of(tx, tw, tbias), List.of(g), false)
                            .get(0);
                      }));
      worst = Math.min(worst, lib / gemm);
      out.printf("  library conv fwd+bwd / ND4J matmul: %.0f%%%n", 100 * lib / gemm);
    }
    return new double[] {gemm, worst};
  }

  /**
   * The four convolutions of the DCGAN-28 twin (batch 64, NCHW), each direction alone, on oneDNN's
   * primitives kept per shape and on libnd4j's kernels (engines alternating, three times):
   * milliseconds per call, the median of the calls timed in a tenth of the row time.
   */
  public void dcganLayers() {
    Rng rng = new Rng(2);
    // n, in, out, input side, kernel, stride, padding; the last two are transposed convolutions
    int[][] layers = {
      {64, 1, 64, 28, 4, 2, 1},
      {64, 64, 128, 14, 4, 2, 1},
      {64, 128, 64, 7, 4, 2, 1},
      {64, 64, 1, 14, 4, 2, 1}
    };
    String[] names = {
      "conv 1 -> 64, 28x28",
      "conv 64 -> 128, 14x14",
      "transposed 128 -> 64, 7x7",
      "transposed 64 -> 1, 14x14"
    };
    out.println(
        "DCGAN-28 layers, ms per call: forward (with bias) / input gradient / weight gradient");
    CoreBenchmark quick = new CoreBenchmark(out, Math.max(0.2, seconds / 10)); // 72 timings
    for (int round = 1; round <= 3; round++) {
      for (boolean kept : new boolean[] {true, false}) {
        try (Engine e = Engine.start(Engine.current().backend().withOneDnn(kept))) {
          StringBuilder line =
              new StringBuilder(
                  String.format("round %d %-24s", round, kept ? "oneDNN kept" : "libnd4j"));
          for (int i = 0; i < layers.length; i++) {
            line.append(String.format("  %s %s", names[i], quick.layer(rng, layers[i], i >= 2)));
          }
          out.println(line);
        }
      }
    }
  }

  /** One layer's three directions, "fwd / dx / dw" in milliseconds. */
  private String layer(Rng rng, int[] c, boolean transposed) {
    ConvGeometry geo = new ConvGeometry(c[5], c[6], DataFormat.NCHW);
    INDArray x = rng.normalArray(DType.FLOAT32, 0, 1, c[0], c[1], c[3], c[3]);
    INDArray w =
        transposed
            ? rng.normalArray(DType.FLOAT32, 0, 0.1, c[1], c[2], c[4], c[4])
            : rng.normalArray(DType.FLOAT32, 0, 0.1, c[2], c[1], c[4], c[4]);
    INDArray b = rng.normalArray(DType.FLOAT32, 0, 1, c[2]);
    Supplier<INDArray> forward =
        () ->
            transposed
                ? ConvKernels.convTranspose2d(x, w, b, geo, 0, 0)
                : ConvKernels.conv2d(x, w, b, geo);
    INDArray gy = rng.normalArray(DType.FLOAT32, 0, 1, forward.get().shape());
    Supplier<INDArray> dx =
        () ->
            transposed
                ? ConvKernels.conv2d(gy, w, null, geo)
                : ConvKernels.convTranspose2d(gy, w, null, geo, 0, 0);
    Supplier<INDArray> dw =
        () ->
            transposed
                ? ConvKernels.conv2dWeightGrad(gy, x, geo, c[4], c[4])
                : ConvKernels.conv2dWeightGrad(x, gy, geo, c[4], c[4]);
    double[] ms = new double[3];
    List<Supplier<INDArray>> directions = List.of(forward, dx, dw);
    for (int i = 0; i < 3; i++) {
      Supplier<INDArray> d = directions.get(i);
      ms[i] = 1e3 * time(() -> Kernels.free(d.get()));
    }
    return String.format("%.2f / %.2f / %.2f", ms[0], ms[1], ms[2]);
  }

  /** Runs {@code body} in a scope of its own; its result is dropped with the scope. */
  private static void scoped(Supplier<Tensor> body) {
    try (TensorScope s = TensorScope.open()) {
      Tensor unused = body.get();
    }
  }
}
