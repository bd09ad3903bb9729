package org.jgan.bench.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.GradientCollector;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.jgan.core.autograd.GradMode;
import org.jgan.core.nn.ConvTranspose2d;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.examples.bench.Twins;
import org.jgan.examples.bench.TwinsBenchmark;
import org.junit.jupiter.api.Test;

class DjlTwinsTest {
  @Test
  void subPixelConvolutionIsTheTransposedConvolution() {
    Rng rng = new Rng(3);
    ConvTranspose2d lib = new ConvTranspose2d(5, 3, 4, 2, 1, true, rng);
    lib.bias().copyFrom(rng.normal(DType.FLOAT32, 3).data(), "bias");
    Tensor x = rng.normal(DType.FLOAT32, 2, 5, 6, 7);
    Map<String, Tensor> st = lib.stateDict();
    try (NDManager m = NDManager.newBaseManager();
        GradMode.Guard off = GradMode.disabled()) {
      NDArray p =
          m.create(
              DjlTwins.phaseWeights(DjlTwins.toNd(m, st.get("weight")).toFloatArray(), 5, 3),
              new Shape(12, 5, 2, 2));
      float[] ours =
          DjlTwins.convTranspose(DjlTwins.toNd(m, x), p, DjlTwins.toNd(m, st.get("bias")))
              .toFloatArray();
      float[] ref = lib.forward(x).data().dup('c').data().asFloat();
      assertEquals(ref.length, ours.length);
      double max = 0;
      for (int i = 0; i < ref.length; i++) {
        max = Math.max(max, Math.abs(ref[i] - ours[i]));
      }
      assertTrue(max < 1e-5, "max |diff| " + max);
    }
  }

  /**
   * With {@link DjlTwins#padTo16}, the two convolutions libtorch 2.7.1 got wrong on an AMD EPYC
   * (the input gradient of 64 -> 4 channels, 2x2, and the forward pass of 129 -> 128, 3x3) agree
   * with libtorch's own float64 result; unpadded, they were 60-100% off or NaN there.
   */
  @Test
  void paddedChannelsGiveTheFloat64Result() {
    try (NDManager m = NDManager.newBaseManager()) {
      Shape one = new Shape(1, 1);
      for (int rep = 0; rep < 3; rep++) {
        NDArray x = m.randomNormal(0, 1, new Shape(8, 64, 14, 14), DataType.FLOAT64);
        NDArray w = m.randomNormal(0, 0.1f, new Shape(4, 64, 2, 2), DataType.FLOAT64);
        double[] ref = inputGradient(x, w, false);
        double[] f32 =
            inputGradient(x.toType(DataType.FLOAT32, true), w.toType(DataType.FLOAT32, true), true);
        assertTrue(rel(ref, f32) < 1e-5, "64 -> 4 input gradient: " + rel(ref, f32));
        NDArray a = m.randomNormal(0, 1, new Shape(8, 129, 4, 4), DataType.FLOAT64);
        NDArray k = m.randomNormal(0, 0.1f, new Shape(128, 129, 3, 3), DataType.FLOAT64);
        double[] y64 = Conv2d.conv2d(a, k, null, one, one).singletonOrThrow().toDoubleArray();
        double[] y32 =
            Conv2d.conv2d(
                    DjlTwins.padTo16(a.toType(DataType.FLOAT32, true), 1),
                    DjlTwins.padTo16(k.toType(DataType.FLOAT32, true), 1),
                    null,
                    one,
                    one)
                .singletonOrThrow()
                .toType(DataType.FLOAT64, true)
                .toDoubleArray();
        assertTrue(rel(y64, y32) < 1e-5, "129 -> 128 forward: " + rel(y64, y32));
      }
    }
  }

  /** The input gradient of a weighted sum of a stride-1, padding-1 convolution's outputs. */
  private static double[] inputGradient(NDArray x, NDArray w, boolean pad) {
    x.setRequiresGradient(true);
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      long cout = w.getShape().get(0);
      NDArray y =
          Conv2d.conv2d(x, pad ? DjlTwins.padTo16(w, 0) : w, null, new Shape(1, 1), new Shape(1, 1))
              .singletonOrThrow()
              .get(new NDIndex(":, :{}", cout));
      NDArray c = y.getManager().arange(0f, (float) y.size(), 1f).reshape(y.getShape());
      gc.backward(y.mul(c.toType(y.getDataType(), false).mul(1e-3)).sum());
      return x.getGradient().toType(DataType.FLOAT64, true).toDoubleArray();
    }
  }

  private static double rel(double[] ref, double[] a) {
    double max = 0;
    double diff = 0;
    for (int i = 0; i < ref.length; i++) {
      max = Math.max(max, Math.abs(ref[i]));
      diff = Math.max(diff, Math.abs(ref[i] - a[i]));
    }
    return diff / max; // NaN when a holds one: the assertion fails
  }

  /**
   * The DJL twins compute what the library's compute: images and logits to 1e-4 of their largest
   * value, and every parameter gradient of the summed logits of D(G(z)) as close to float64 as
   * float32 allows (the library's own float32 error there reaches about 2e-3; a wrong kernel, such
   * as those measured in libtorch 2.7.1 for some shapes, is off by 10-90%).
   *
   * <p>The peer's figures are taken from a second pass when the first misses: once in seven runs on
   * an AMD EPYC, after the channel padding of {@link DjlTwins#padTo16}, libtorch 2.7.1 returned one
   * parameter's gradient (SG2-32's {@code synthesis.b4.conv1.affine.bias}) 100% off, and the same
   * twin, inputs and weights agreed in every other run. A twin written wrong misses in both passes;
   * the library's own figures must hold in the first.
   */
  @Test
  void agreesWithTheLibrary() throws Exception {
    TwinsBenchmark b =
        new TwinsBenchmark(
            new PrintStream(OutputStream.nullOutputStream()),
            1,
            0,
            List.of(Twins.Sg2Spec.SG2_32, Twins.Sg2Spec.SG2_64_RGB));
    Map<String, Double> first = b.agreement(new DjlPeer());
    assertEquals(12, first.size(), first.toString());
    first.forEach(
        (k, v) -> {
          if (k.contains("library")) {
            assertTrue(v < 1e-2, k + ": " + v + " in " + first);
          }
        });
    Map<String, Double> diff = misses(first).isEmpty() ? first : b.agreement(new DjlPeer());
    assertTrue(
        misses(diff).isEmpty(),
        "the peer missed " + misses(diff) + " in " + diff + " after " + misses(first));
  }

  /** The agreement figures over their bounds: 1e-2 for gradients, 1e-4 for images and logits. */
  private static Map<String, Double> misses(Map<String, Double> diff) {
    Map<String, Double> out = new TreeMap<>();
    diff.forEach(
        (k, v) -> {
          if (!(k.contains("gradients") ? v < 1e-2 : v < 1e-4)) {
            out.put(k, v);
          }
        });
    return out;
  }

  /** One training step changes every parameter and keeps it finite. */
  @Test
  void aDcganStepTrains() {
    Twins.Dcgan lib = new Twins.Dcgan(5);
    try (NDManager m = NDManager.newBaseManager()) {
      DjlTwins.Dcgan dc = new DjlTwins.Dcgan(m, lib.generatorState(), lib.discriminatorState());
      Map<String, float[]> before = new HashMap<>();
      dc.g.values.forEach((k, v) -> before.put("G." + k, v.toFloatArray()));
      dc.d.values.forEach((k, v) -> before.put("D." + k, v.toFloatArray()));
      try (NDScope scope = new NDScope()) {
        dc.step(m.randomUniform(-1, 1, new Shape(16, 1, 28, 28)));
      }
      Map<String, NDArray> after = new HashMap<>();
      dc.g.values.forEach((k, v) -> after.put("G." + k, v));
      dc.d.values.forEach((k, v) -> after.put("D." + k, v));
      before.forEach(
          (k, v) -> {
            float[] now = after.get(k).toFloatArray();
            boolean changed = false;
            for (int i = 0; i < now.length; i++) {
              assertTrue(Float.isFinite(now[i]), k);
              changed |= now[i] != v[i];
            }
            assertTrue(changed, k + " did not change");
          });
    }
  }

  @Test
  void aRoundTimesEveryRowItCanRun() {
    DjlPeer peer = new DjlPeer();
    List<Twins.Sg2Spec> specs = List.of(Twins.Sg2Spec.SG2_32);
    Map<String, Double> rows = peer.round(2, 1, 0, specs);
    assertEquals(
        Set.of("dcgan28_step_b64", "sg2_32_step_b32", "sg2_32_generate_b64"), rows.keySet());
    rows.forEach((k, v) -> assertTrue(v > 0 && Double.isFinite(v), k + ": " + v));
    assertEquals(Set.of("sg2_32_step_r1_b32"), peer.unsupported(specs).keySet());
  }
}
