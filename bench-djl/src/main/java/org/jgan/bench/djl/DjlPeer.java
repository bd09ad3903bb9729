package org.jgan.bench.djl;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jgan.core.tensor.Tensor;
import org.jgan.examples.bench.Twins;
import org.jgan.examples.bench.TwinsBenchmark;
import org.jgan.examples.bench.TwinsPeer;

/**
 * The DJL twins ({@link DjlTwins}) as a peer of {@code gan bench twins --djl}: DJL 0.36 on its
 * PyTorch engine (libtorch 2.7.1 from the pytorch-native-cpu jar), in this JVM, with libtorch's
 * intra-op threads set to the benchmark's.
 */
public final class DjlPeer implements TwinsPeer {
  @Override
  public String name() {
    return "DJL";
  }

  @Override
  public String describe(int threads) {
    Engine e = setThreads(threads);
    return String.format(
        Locale.ROOT,
        "DJL peer: DJL %s, engine %s %s (libtorch from pytorch-native-cpu, its own oneDNN and"
            + " OpenMP), intra-op threads %d, in this JVM; DCGAN's transposed convolutions as"
            + " sub-pixel convolutions ((H+1)^2/H^2 of their multiply-adds), Adam as"
            + " torch.optim.Adam's single-tensor loop",
        Engine.getDjlVersion(),
        e.getEngineName(),
        e.getVersion(),
        JniUtils.getNumThreads());
  }

  /** Loads libtorch (through DJL's engine) and sets its intra-op threads. */
  private static Engine setThreads(int threads) {
    Engine e = Engine.getEngine("PyTorch");
    JniUtils.setNumThreads(threads);
    return e;
  }

  @Override
  public Map<String, String> unsupported(List<Twins.Sg2Spec> specs) {
    Map<String, String> m = new LinkedHashMap<>();
    for (Twins.Sg2Spec s : specs) {
      m.put(
          s.name() + "_step_r1_b" + s.batch(),
          "R1 needs the gradient of a gradient; DJL's GradientCollector.backward always passes"
              + " create_graph=false");
    }
    return m;
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }

  /** Median seconds of {@code steps} runs of {@code body} after {@code warmup}, each in a scope. */
  private static double time(Runnable body, int warmup, int steps) {
    for (int i = 0; i < warmup; i++) {
      try (NDScope scope = new NDScope()) {
        body.run();
      }
    }
    double[] t = new double[steps];
    for (int i = 0; i < steps; i++) {
      long t0 = System.nanoTime();
      try (NDScope scope = new NDScope()) {
        body.run();
      }
      t[i] = (System.nanoTime() - t0) / 1e9;
    }
    return median(t);
  }

  @Override
  public Map<String, Double> round(int threads, int steps, int warmup, List<Twins.Sg2Spec> specs) {
    setThreads(threads);
    Map<String, Double> rows = new LinkedHashMap<>();
    try (NDManager m = NDManager.newBaseManager()) {
      m.getEngine().setRandomSeed(1);
      Twins.Dcgan lib = new Twins.Dcgan(1);
      DjlTwins.Dcgan dc = new DjlTwins.Dcgan(m, lib.generatorState(), lib.discriminatorState());
      NDArray real28 = m.randomUniform(-1, 1, new Shape(64, 1, 28, 28));
      rows.put("dcgan28_step_b64", time(() -> dc.step(real28), warmup, steps));
      for (Twins.Sg2Spec spec : specs) {
        int n = spec.batch();
        int r = spec.resolution();
        Twins.Sg2 libSg = new Twins.Sg2(spec, 3, false);
        DjlTwins.Sg2 sg =
            new DjlTwins.Sg2(spec, m, libSg.generatorState(), libSg.discriminatorState());
        NDArray real = m.randomUniform(-1, 1, new Shape(n, spec.imageChannels(), r, r));
        rows.put(
            spec.name() + "_step_b" + n,
            time(
                () -> sg.step(real),
                Math.max(1, warmup / 2),
                TwinsBenchmark.trainSteps(spec, steps)));
        NDArray z = m.randomNormal(new Shape(2L * n, spec.zDim()));
        rows.put(
            spec.name() + "_generate_b" + 2 * n, time(() -> sg.generate(z, true), warmup, steps));
      }
    }
    return rows;
  }

  @Override
  public Map<String, Tensor> outputs(Map<String, Tensor> io, List<Twins.Sg2Spec> specs) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    try (NDManager m = NDManager.newBaseManager()) {
      DjlTwins.Dcgan dc = new DjlTwins.Dcgan(m, prefixed(io, "G.dcgan."), prefixed(io, "D.dcgan."));
      out.put("dcgan.images", DjlTwins.toTensor(dc.generate(DjlTwins.toNd(m, io.get("dcgan.z")))));
      out.put(
          "dcgan.logits", DjlTwins.toTensor(dc.discriminate(DjlTwins.toNd(m, io.get("dcgan.x")))));
      dc.gradients(DjlTwins.toNd(m, io.get("dcgan.z")), "dcgan.grad.", out);
      for (Twins.Sg2Spec spec : specs) {
        String k = spec.name();
        DjlTwins.Sg2 sg =
            new DjlTwins.Sg2(spec, m, prefixed(io, "G." + k + "."), prefixed(io, "D." + k + "."));
        out.put(
            k + ".images",
            DjlTwins.toTensor(sg.generate(DjlTwins.toNd(m, io.get(k + ".z")), false)));
        out.put(
            k + ".logits", DjlTwins.toTensor(sg.discriminate(DjlTwins.toNd(m, io.get(k + ".x")))));
        sg.gradients(DjlTwins.toNd(m, io.get(k + ".z")), k + ".grad.", out);
      }
    }
    return out;
  }

  private static Map<String, Tensor> prefixed(Map<String, Tensor> io, String prefix) {
    Map<String, Tensor> m = new LinkedHashMap<>();
    io.forEach(
        (k, v) -> {
          if (k.startsWith(prefix)) {
            m.put(k.substring(prefix.length()), v);
          }
        });
    return m;
  }
}
