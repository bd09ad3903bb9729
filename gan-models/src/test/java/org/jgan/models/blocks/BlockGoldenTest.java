package org.jgan.models.blocks;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jgan.core.autograd.Autograd;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.testing.Golden;
import org.jgan.core.testing.TensorAssert;
import org.junit.jupiter.api.Test;

/** Every block against PyTorch 1.13 float64 reference values (golden/README.md), to 1e-10. */
class BlockGoldenTest {
  private static final double TOL = 1e-10;

  /** Checks y and the gradients of sum(y * g) for the named inputs. */
  private static void check(Golden c, Tensor y, Map<String, Tensor> inputs) {
    TensorAssert.assertClose(c.get("y"), y, TOL, "y");
    List<String> names = List.copyOf(inputs.keySet());
    List<Tensor> grads =
        Autograd.grad(List.of(y), List.copyOf(inputs.values()), List.of(c.get("g")), false);
    for (int i = 0; i < names.size(); i++) {
      TensorAssert.assertClose(c.get("d" + names.get(i)), grads.get(i), TOL, "d" + names.get(i));
    }
  }

  @Test
  void equalizedLinear() {
    Golden c = Golden.load("equalized_linear");
    long[] ws = c.get("w").shape(); // [out, in]
    EqualizedLinear l =
        new EqualizedLinear(
            (int) ws[1], (int) ws[0], Act.LINEAR, c.meta("lr_mul"), 0.0, new Rng(0));
    l.to(DType.FLOAT64);
    l.loadStateDict(Map.of("weight", c.get("w"), "bias", c.get("b")));
    Tensor x = c.leaf("x");
    check(c, l.forward(x), Map.of("x", x, "w", l.weight().value(), "b", l.bias().value()));
  }

  @Test
  void biasAndLeakyReluWithGain() {
    Golden c = Golden.load("bias_lrelu");
    Tensor x = c.leaf("x");
    Tensor b = c.leaf("b");
    check(c, Act.LRELU.apply(x, b, c.meta("gain")), Map.of("x", x, "b", b));
  }

  @Test
  void pixelNorm() {
    Golden c = Golden.load("pixel_norm");
    Tensor x = c.leaf("x");
    check(c, PixelNorm.apply(x), Map.of("x", x));
  }

  @Test
  void minibatchStdDev() {
    Golden c = Golden.load("minibatch_stddev");
    Tensor x = c.leaf("x");
    MinibatchStdDev mbstd =
        new MinibatchStdDev((int) c.meta("group_size"), (int) c.meta("num_channels"));
    check(c, mbstd.forward(x), Map.of("x", x));
  }

  @Test
  void adaIn() {
    Golden c = Golden.load("adain");
    Tensor x = c.leaf("x");
    Tensor ys = c.leaf("ys");
    Tensor yb = c.leaf("yb");
    check(c, AdaIn.apply(x, ys, yb), Map.of("x", x, "ys", ys, "yb", yb));
  }

  @Test
  void firUpsample() {
    Golden c = Golden.load("fir_upsample2d");
    Tensor x = c.leaf("x");
    check(c, Fir.STYLEGAN2.upsample2d(x), Map.of("x", x));
  }

  @Test
  void firDownsample() {
    Golden c = Golden.load("fir_downsample2d");
    Tensor x = c.leaf("x");
    check(c, Fir.STYLEGAN2.downsample2d(x), Map.of("x", x));
  }

  @Test
  void modulatedConvWithAndWithoutDemodulation() {
    for (String name : new String[] {"modulated_conv2d_demod", "modulated_conv2d_nodemod"}) {
      Golden c = Golden.load(name);
      Tensor x = c.leaf("x");
      Tensor w = c.leaf("weight");
      Tensor s = c.leaf("s");
      boolean demod = name.endsWith("_demod");
      check(
          c,
          Modulation.modulatedConv2d(x, w, s, demod, false),
          Map.of("x", x, "weight", w, "s", s));
      TensorAssert.assertClose(
          c.get("y"), Modulation.fusedReference(x, w, s, demod), TOL, name + " fused form");
    }
  }

  @Test
  void toRgb() {
    Golden c = Golden.load("torgb");
    Tensor x = c.leaf("x");
    Tensor s = c.leaf("s");
    Tensor w = c.leaf("weight"); // [channels, in, 1, 1]
    Tensor b = c.leaf("b");
    int in = (int) w.size(1);
    int wDim = (int) s.size(1); // the case's style is as wide as the input: A = identity below
    ToRgb t = new ToRgb(in, (int) w.size(0), wDim, new Rng(0));
    t.to(DType.FLOAT64);
    // the golden case gives the raw style s (before 1/sqrt(I)); apply the block's arithmetic to it
    Tensor y =
        Act.LINEAR.apply(
            Modulation.modulatedConv2d(x, w, s.mul(c.meta("style_gain")), false, false), b, 1.0);
    check(c, y, Map.of("x", x, "weight", w, "s", s, "b", b));
    // the module computes the same from its own affine: make A(w) = s with an identity affine
    // (sqrt(wDim) on the diagonal undoes the equalized learning rate's 1 / sqrt(wDim))
    double[] eye = new double[wDim * wDim];
    for (int i = 0; i < wDim; i++) {
      eye[i * wDim + i] = Math.sqrt(wDim);
    }
    t.loadStateDict(
        Map.of(
            "conv.affine.weight",
            Tensor.of(eye, wDim, wDim),
            "conv.affine.bias",
            Tensor.zeros(DType.FLOAT64, wDim),
            "conv.weight",
            w,
            "bias",
            b));
    TensorAssert.assertClose(c.get("y"), t.forward(x, s), TOL, "ToRgb module");
  }

  @Test
  void mappingNetworkWithLabelsAndTruncation() {
    Golden c = Golden.load("mapping_network");
    int layers = (int) c.meta("num_layers");
    MappingNetwork m =
        new MappingNetwork(
            (int) c.meta("z_dim"),
            (int) c.meta("c_dim"),
            (int) c.meta("w_dim"),
            0,
            layers,
            c.meta("lr_mul"),
            0.995,
            new Rng(0));
    m.to(DType.FLOAT64);
    Map<String, Tensor> state = new HashMap<>();
    for (String k : new String[] {"embed.weight", "embed.bias", "w_avg"}) {
      state.put(k, c.get(k));
    }
    for (int i = 0; i < layers; i++) {
      state.put("fc" + i + ".weight", c.get("fc" + i + ".weight"));
      state.put("fc" + i + ".bias", c.get("fc" + i + ".bias"));
    }
    m.loadStateDict(state);
    int[] labels = argmax(c.get("c"));
    Tensor z = c.leaf("z");
    Tensor w = m.forward(z, labels, 1.0, -1, false);
    TensorAssert.assertClose(c.get("w"), w, TOL, "w");
    Tensor dz = Autograd.grad(List.of(w), List.of(z), List.of(c.get("g")), false).get(0);
    TensorAssert.assertClose(c.get("dz"), dz, TOL, "dz");
    TensorAssert.assertClose(
        c.get("w_trunc"), m.forward(z, labels, c.meta("psi"), -1, false), TOL, "w truncated");
  }

  static int[] argmax(Tensor oneHot) {
    double[] v = oneHot.toDoubleArray();
    int k = (int) oneHot.size(1);
    int[] out = new int[(int) oneHot.size(0)];
    for (int n = 0; n < out.length; n++) {
      for (int j = 0; j < k; j++) {
        if (v[n * k + j] == 1.0) {
          out[n] = j;
        }
      }
    }
    return out;
  }
}
