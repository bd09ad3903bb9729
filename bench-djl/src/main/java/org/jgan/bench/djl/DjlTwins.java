package org.jgan.bench.djl;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jgan.core.tensor.Tensor;
import org.jgan.examples.bench.Twins;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The twins of TWINS.md written with DJL's public API on its PyTorch engine, the way a Java user of
 * DJL would write them: parameters are plain {@link NDArray}s named as the library's state dicts,
 * forward passes are DJL's functional ops, gradients come from a {@link GradientCollector}.
 *
 * <p>What DJL cannot express, or gets wrong, is written around or left out:
 *
 * <ul>
 *   <li>DJL's PyTorch engine has no transposed convolution ({@code Conv2dTranspose} throws "Not
 *       implemented"). DCGAN's k4/s2/p1 transposed convolutions are written as their sub-pixel
 *       decomposition: each of the four output phases (row and column parity) sees a 2x2 window of
 *       the input, so one stride-1 2x2 convolution (padding 1) to 4 x C_out channels followed by
 *       interleaving the phases computes the transposed convolution exactly, with (H+1)^2/H^2 of
 *       its multiply-adds (1.31x at 7x7, 1.15x at 14x14). Its weights are kept in that layout
 *       ({@link #phaseWeights}).
 *   <li>libtorch 2.7.1 computes wrong results on some machines for convolutions whose channel
 *       counts are not multiples of 16 ({@link #padTo16}): the sub-pixel convolution's 4 x C_out
 *       outputs and the minibatch-stddev convolution's C + 1 inputs are padded with zeros to the
 *       next multiple of 16, which oneDNN does internally anyway.
 *   <li>R1 needs the gradient of a gradient and DJL's {@code GradientCollector.backward} always
 *       passes {@code create_graph=false}: the rows with R1 are not run.
 * </ul>
 *
 * <p>Adam is written with DJL's in-place ops, as torch.optim.Adam's single-tensor loop (what
 * PyTorch 1.13 runs on CPU), on moment arrays made with the parameters: DJL's own optimiser makes
 * its moments lazily inside the first update, where the {@code NDScope} that frees each step's
 * temporaries would close them.
 */
final class DjlTwins {
  private static final float SQRT2 = (float) Math.sqrt(2);

  private DjlTwins() {}

  // ---------------------------------------------------------------- conversions

  /** A library tensor as a float32 DJL array of the same shape. */
  static NDArray toNd(NDManager m, Tensor t) {
    INDArray a = t.data().castTo(DataType.FLOAT).dup('c');
    return m.create(a.data().asFloat(), new Shape(a.shape()));
  }

  /** A DJL array as a library float32 tensor. */
  static Tensor toTensor(NDArray a) {
    return Tensor.of(Nd4j.create(a.toFloatArray(), a.getShape().getShape(), 'c'));
  }

  /**
   * A k4/s2/p1 transposed convolution's weight [C_in, C_out, 4, 4] as the weight of its sub-pixel
   * convolution [4 C_out, C_in, 2, 2]: output phase (a, b) at (2m + a, 2l + b) takes input rows m -
   * 1 + a + t (t = 0, 1) with kernel row 3 - a - 2t, and the same for columns; channel (2a + b)
   * C_out + c_out.
   */
  static float[] phaseWeights(float[] w, int cin, int cout) {
    int[] from = phaseIndex(cin, cout);
    float[] p = new float[w.length];
    for (int i = 0; i < p.length; i++) {
      p[i] = w[from[i]];
    }
    return p;
  }

  /**
   * The inverse of {@link #phaseWeights}: a sub-pixel weight (or its gradient) as [C_in, C_out, 4,
   * 4].
   */
  static float[] unphaseWeights(float[] p, int cin, int cout) {
    int[] from = phaseIndex(cin, cout);
    float[] w = new float[p.length];
    for (int i = 0; i < p.length; i++) {
      w[from[i]] = p[i];
    }
    return w;
  }

  /** For each element of the sub-pixel weight, the index of the transposed weight it holds. */
  private static int[] phaseIndex(int cin, int cout) {
    int[] from = new int[16 * cin * cout];
    for (int a = 0; a < 2; a++) {
      for (int b = 0; b < 2; b++) {
        for (int co = 0; co < cout; co++) {
          for (int ci = 0; ci < cin; ci++) {
            for (int t = 0; t < 2; t++) {
              for (int u = 0; u < 2; u++) {
                int oc = (2 * a + b) * cout + co;
                from[((oc * cin + ci) * 2 + t) * 2 + u] =
                    ((ci * cout + co) * 4 + (3 - a - 2 * t)) * 4 + (3 - b - 2 * u);
              }
            }
          }
        }
      }
    }
    return from;
  }

  /**
   * The transposed convolution k4/s2/p1 of {@code x} [N, C_in, H, W] with sub-pixel weights {@code
   * p} [4 C_out, C_in, 2, 2] and {@code bias} [C_out]: [N, C_out, 2H, 2W].
   */
  static NDArray convTranspose(NDArray x, NDArray p, NDArray bias) {
    long n = x.getShape().get(0);
    long h = x.getShape().get(2);
    long w = x.getShape().get(3);
    long cout = p.getShape().get(0) / 4;
    NDArray y =
        Conv2d.conv2d(x, padTo16(p, 0), null, new Shape(1, 1), new Shape(1, 1))
            .singletonOrThrow()
            .get(new NDIndex(":, :{}", 4 * cout))
            .reshape(n, 2, 2, cout, h + 1, w + 1);
    NDList rows = new NDList();
    for (int a = 0; a < 2; a++) {
      NDList cols = new NDList();
      for (int b = 0; b < 2; b++) {
        cols.add(y.get(new NDIndex(":, {}, {}, :, {}:{}, {}:{}", a, b, a, a + h, b, b + w)));
      }
      rows.add(NDArrays.stack(cols, 4)); // [N, C_out, H, W, 2]
    }
    return NDArrays.stack(rows, 3) // [N, C_out, H, 2, W, 2]
        .reshape(n, cout, 2 * h, 2 * w)
        .add(bias.reshape(1, cout, 1, 1));
  }

  /**
   * {@code a} with zeros appended along {@code axis} up to the next multiple of 16 channels ({@code
   * a} itself when it is one). libtorch 2.7.1's oneDNN convolutions keep channels in blocks of 16
   * and, when a count is not a multiple of 16, compute with whatever the block's padding holds: on
   * an AMD EPYC with AVX-512 the input gradient of a 64 -> 4 (or 8) channel convolution was wrong
   * by 60 to 100% and the forward pass of a 129 -> 128 one NaN or wrong by 5 to 10%, varying from
   * run to run (DjlTwinsTest; the same with oneDNN limited to AVX2). oneDNN pads to the block
   * anyway, so padding with zeros first costs the peer no multiply-adds, only the copy.
   */
  static NDArray padTo16(NDArray a, int axis) {
    long[] shape = a.getShape().getShape().clone();
    long extra = (16 - shape[axis] % 16) % 16;
    if (extra == 0) {
      return a;
    }
    shape[axis] = extra;
    return NDArrays.concat(
        new NDList(a, a.getManager().zeros(new Shape(shape), a.getDataType())), axis);
  }

  // ---------------------------------------------------------------- shared pieces

  /** Named parameters with Adam's moments, made together outside any step's scope. */
  static final class Params {
    final Map<String, NDArray> values = new LinkedHashMap<>();
    private final Map<String, NDArray[]> moments = new LinkedHashMap<>();
    private final float lr;
    private final float beta1;
    private final float beta2;
    private int t;

    Params(float lr, float beta1, float beta2) {
      this.lr = lr;
      this.beta1 = beta1;
      this.beta2 = beta2;
    }

    void put(String name, NDArray v) {
      v.setRequiresGradient(true);
      values.put(name, v);
      moments.put(name, new NDArray[] {v.zerosLike(), v.zerosLike()});
    }

    NDArray get(String name) {
      NDArray v = values.get(name);
      if (v == null) {
        throw new IllegalArgumentException("no parameter '" + name + "' in " + values.keySet());
      }
      return v;
    }

    /** Each parameter's gradient as a library tensor, keyed {@code prefix + name}. */
    void gradients(String prefix, Map<String, Tensor> out) {
      values.forEach((k, v) -> out.put(prefix + k, toTensor(v.getGradient())));
    }

    void zeroGrad() {
      for (NDArray v : values.values()) {
        JniUtils.zeroGrad((PtNDArray) v);
      }
    }

    void requiresGrad(boolean on) {
      for (NDArray v : values.values()) {
        v.setRequiresGradient(on);
      }
    }

    /**
     * One Adam step (eps 1e-8) as torch.optim.Adam's single-tensor loop; outside grad mode and
     * inside the step's NDScope, which frees the temporaries.
     */
    void adam() {
      t++;
      double bc1 = 1 - Math.pow(beta1, t);
      double bc2 = Math.sqrt(1 - Math.pow(beta2, t));
      for (Map.Entry<String, NDArray> e : values.entrySet()) {
        NDArray p = e.getValue();
        NDArray[] mv = moments.get(e.getKey());
        NDArray g = p.getGradient();
        mv[0].muli(beta1).addi(g.mul(1 - beta1));
        mv[1].muli(beta2).addi(g.square().muli(1 - beta2));
        NDArray denom = mv[1].sqrt().divi(bc2).addi(1e-8f);
        p.subi(mv[0].div(denom).muli(lr / bc1));
      }
    }
  }

  static NDArray lrelu(NDArray x) {
    return Activation.leakyRelu(x, 0.2f).mul(SQRT2);
  }

  static NDArray softplusMean(NDArray x) {
    return Activation.softPlus(x).mean();
  }

  static GradientCollector collector() {
    return Engine.getInstance().newGradientCollector();
  }

  // ---------------------------------------------------------------- DCGAN-28

  /** DCGAN-28 with its Adam (2e-4, 0.5, 0.999) for G and D. */
  static final class Dcgan {
    final NDManager manager;
    final Params g = new Params(2e-4f, 0.5f, 0.999f);
    final Params d = new Params(2e-4f, 0.5f, 0.999f);

    /** From a library twin's state dicts (names as {@code Twins.Dcgan}'s). */
    Dcgan(NDManager manager, Map<String, Tensor> gState, Map<String, Tensor> dState) {
      this.manager = manager;
      gState.forEach(
          (k, v) -> {
            if (k.startsWith("deconv") && k.endsWith("weight")) {
              NDArray w = toNd(manager, v);
              int cin = (int) v.size(0);
              int cout = (int) v.size(1);
              g.put(
                  k,
                  manager.create(
                      phaseWeights(w.toFloatArray(), cin, cout), new Shape(4L * cout, cin, 2, 2)));
              w.close();
            } else {
              g.put(k, toNd(manager, v));
            }
          });
      dState.forEach((k, v) -> d.put(k, toNd(manager, v)));
    }

    NDArray generate(NDArray z) {
      NDArray x =
          Activation.leakyRelu(
                  Linear.linear(z, g.get("fc.weight"), g.get("fc.bias")).singletonOrThrow(), 0.2f)
              .reshape(z.getShape().get(0), 128, 7, 7);
      x =
          Activation.leakyRelu(
              convTranspose(x, g.get("deconv1.weight"), g.get("deconv1.bias")), 0.2f);
      return convTranspose(x, g.get("deconv2.weight"), g.get("deconv2.bias")).tanh();
    }

    NDArray discriminate(NDArray x) {
      Shape s2 = new Shape(2, 2);
      Shape p1 = new Shape(1, 1);
      NDArray h =
          Activation.leakyRelu(
              Conv2d.conv2d(x, d.get("conv1.weight"), d.get("conv1.bias"), s2, p1)
                  .singletonOrThrow(),
              0.2f);
      h =
          Activation.leakyRelu(
              Conv2d.conv2d(h, d.get("conv2.weight"), d.get("conv2.bias"), s2, p1)
                  .singletonOrThrow(),
              0.2f);
      return Linear.linear(h.reshape(h.getShape().get(0), -1), d.get("fc.weight"), d.get("fc.bias"))
          .singletonOrThrow();
    }

    /**
     * The gradients of the summed logits of D(G(z)) with respect to every parameter, keyed {@code
     * prefix + "G." + name} and {@code prefix + "D." + name}; transposed-convolution weights in
     * their own layout [C_in, C_out, 4, 4].
     */
    void gradients(NDArray z, String prefix, Map<String, Tensor> out) {
      g.zeroGrad();
      d.zeroGrad();
      try (GradientCollector gc = collector()) {
        gc.backward(discriminate(generate(z)).sum());
      }
      g.gradients(prefix + "G.", out);
      d.gradients(prefix + "D.", out);
      for (String k : List.of("deconv1.weight", "deconv2.weight")) {
        NDArray p = g.get(k);
        int cout = (int) p.getShape().get(0) / 4;
        int cin = (int) p.getShape().get(1);
        float[] w = unphaseWeights(p.getGradient().toFloatArray(), cin, cout);
        out.put(prefix + "G." + k, Tensor.of(Nd4j.create(w, new long[] {cin, cout, 4, 4}, 'c')));
      }
    }

    /** One D step and one G step on the same fakes (TWINS.md); call inside an NDScope. */
    void step(NDArray real) {
      NDArray fake;
      d.zeroGrad();
      try (GradientCollector gc = collector()) {
        fake = generate(manager.randomNormal(new Shape(real.getShape().get(0), 100)));
        NDArray lossD =
            softplusMean(discriminate(real).neg())
                .add(softplusMean(discriminate(fake.stopGradient())));
        gc.backward(lossD);
      }
      d.adam();
      g.zeroGrad();
      d.requiresGrad(false);
      try (GradientCollector gc = collector()) {
        gc.backward(softplusMean(discriminate(fake).neg()));
      }
      d.requiresGrad(true);
      g.adam();
    }
  }

  // ---------------------------------------------------------------- SG2-32 and SG2-64-RGB

  /** A StyleGAN2 twin with its Adam (2e-3, 0, 0.99) for G and D; no R1 (see the class note). */
  static final class Sg2 {
    final Twins.Sg2Spec spec;
    final NDManager manager;
    final Params g = new Params(2e-3f, 0f, 0.99f);
    final Params d = new Params(2e-3f, 0f, 0.99f);
    final List<Integer> resolutions = new ArrayList<>();

    /** From a library twin's state dicts (names as {@code Twins.Sg2}'s). */
    Sg2(
        Twins.Sg2Spec spec,
        NDManager manager,
        Map<String, Tensor> gState,
        Map<String, Tensor> dState) {
      this.spec = spec;
      this.manager = manager;
      gState.forEach((k, v) -> g.put(k, toNd(manager, v)));
      dState.forEach((k, v) -> d.put(k, toNd(manager, v)));
      for (int r = 4; r <= spec.resolution(); r *= 2) {
        resolutions.add(r);
      }
    }

    private static NDArray eqLinear(NDArray x, NDArray w, NDArray b, double lrMul, boolean act) {
      double gain = lrMul / Math.sqrt(w.getShape().get(1));
      NDArray y = Linear.linear(x, w.mul(gain), b == null ? null : b.mul(lrMul)).singletonOrThrow();
      return act ? lrelu(y) : y;
    }

    private static NDArray eqConv(NDArray x, NDArray w, NDArray b, boolean act, int pad) {
      double fanIn = w.size() / (double) w.getShape().get(0);
      NDArray ws = w.mul(1 / Math.sqrt(fanIn));
      if (x.getShape().get(1) > 16) { // the mbstd input's 129 or 257 channels (padTo16)
        x = padTo16(x, 1);
        ws = padTo16(ws, 1);
      }
      NDArray y = Conv2d.conv2d(x, ws, b, new Shape(1, 1), new Shape(pad, pad)).singletonOrThrow();
      return act ? lrelu(y) : y;
    }

    private static NDArray up(NDArray x) {
      long h = x.getShape().get(2);
      long w = x.getShape().get(3);
      // 1: bilinear; DJL passes align_corners=false, as F.interpolate in the PyTorch twin
      return x.getNDArrayInternal().interpolation(new long[] {2 * h, 2 * w}, 1, false);
    }

    private NDArray modconv(String pre, NDArray x, NDArray w, boolean noise) {
      long n = x.getShape().get(0);
      NDArray s = eqLinear(w, g.get(pre + "affine.weight"), g.get(pre + "affine.bias"), 1, false);
      NDArray weight = g.get(pre + "weight");
      long cout = weight.getShape().get(0);
      long cin = weight.getShape().get(1);
      NDArray demod =
          s.square()
              .matMul(weight.square().reshape(cout, cin, -1).sum(new int[] {2}).transpose())
              .add(1e-8f)
              .pow(-0.5f);
      NDArray y =
          Conv2d.conv2d(
                  x.mul(s.reshape(n, cin, 1, 1)), weight, null, new Shape(1, 1), new Shape(1, 1))
              .singletonOrThrow()
              .mul(demod.reshape(n, cout, 1, 1));
      if (noise) {
        Shape ns = new Shape(n, 1, y.getShape().get(2), y.getShape().get(3));
        y = y.add(manager.randomNormal(ns).mul(g.get(pre + "noise.strength")));
      }
      return lrelu(y.add(g.get(pre + "bias").reshape(1, cout, 1, 1)));
    }

    private NDArray torgb(String pre, NDArray x, NDArray w) {
      long n = x.getShape().get(0);
      long c = x.getShape().get(1);
      NDArray s =
          eqLinear(w, g.get(pre + "conv.affine.weight"), g.get(pre + "conv.affine.bias"), 1, false)
              .div(Math.sqrt(c));
      NDArray bias = g.get(pre + "bias");
      return Conv2d.conv2d(x.mul(s.reshape(n, c, 1, 1)), g.get(pre + "conv.weight"))
          .singletonOrThrow()
          .add(bias.reshape(1, bias.getShape().get(0), 1, 1));
    }

    NDArray generate(NDArray z, boolean noise) {
      NDArray x = z.mul(z.square().mean(new int[] {1}, true).add(1e-8f).pow(-0.5f));
      for (int i = 0; i < spec.mappingLayers(); i++) {
        String p = "mapping.fc" + i + ".";
        x = eqLinear(x, g.get(p + "weight"), g.get(p + "bias"), 0.01, true);
      }
      NDArray w = x;
      NDArray c = g.get("synthesis.input.const");
      x = c.expandDims(0).broadcast(new Shape(z.getShape().get(0)).addAll(c.getShape()));
      NDArray rgb = null;
      for (int res : resolutions) {
        if (res > 4) {
          x = up(x);
        }
        x = modconv("synthesis.b" + res + ".conv0.", x, w, noise);
        x = modconv("synthesis.b" + res + ".conv1.", x, w, noise);
        NDArray y = torgb("synthesis.b" + res + ".torgb.", x, w);
        rgb = rgb == null ? y : up(rgb).add(y);
      }
      return rgb;
    }

    private static NDArray mbstd(NDArray x) {
      Shape s = x.getShape();
      long n = s.get(0);
      long c = s.get(1);
      long h = s.get(2);
      long w = s.get(3);
      long gs = Math.min(4, n);
      NDArray y = x.reshape(gs, -1, 1, c, h, w);
      y = y.sub(y.mean(new int[] {0})).square().mean(new int[] {0});
      y =
          y.add(1e-8f)
              .sqrt()
              .reshape(-1, c * h * w) // DJL's PyTorch mean takes one axis
              .mean(new int[] {1})
              .reshape(-1, 1, 1, 1)
              .tile(new long[] {gs, 1, h, w});
      return NDArrays.concat(new NDList(x, y), 1);
    }

    NDArray discriminate(NDArray img) {
      NDArray x = eqConv(img, d.get("fromrgb.weight"), d.get("fromrgb.bias"), true, 0);
      Shape k2 = new Shape(2, 2);
      Shape p0 = new Shape(0, 0);
      for (int i = resolutions.size() - 1; i > 0; i--) {
        String b = "b" + resolutions.get(i) + ".";
        NDArray h = eqConv(x, d.get(b + "conv0.weight"), d.get(b + "conv0.bias"), true, 1);
        h = eqConv(h, d.get(b + "conv1.weight"), d.get(b + "conv1.bias"), true, 1);
        h = Pool.avgPool2d(h, k2, k2, p0, false, true);
        NDArray skip =
            eqConv(
                Pool.avgPool2d(x, k2, k2, p0, false, true),
                d.get(b + "skip.weight"),
                null,
                false,
                0);
        x = h.add(skip).div(SQRT2);
      }
      x = eqConv(mbstd(x), d.get("b4.conv.weight"), d.get("b4.conv.bias"), true, 1);
      x =
          eqLinear(
              x.reshape(x.getShape().get(0), -1),
              d.get("b4.fc.weight"),
              d.get("b4.fc.bias"),
              1,
              true);
      return eqLinear(x, d.get("b4.out.weight"), d.get("b4.out.bias"), 1, false);
    }

    /**
     * The gradients of the summed logits of D(G(z)) (no noise) with respect to every parameter,
     * keyed {@code prefix + "G." + name} and {@code prefix + "D." + name}.
     */
    void gradients(NDArray z, String prefix, Map<String, Tensor> out) {
      g.zeroGrad();
      d.zeroGrad();
      try (GradientCollector gc = collector()) {
        gc.backward(discriminate(generate(z, false)).sum());
      }
      g.gradients(prefix + "G.", out);
      d.gradients(prefix + "D.", out);
    }

    /**
     * One D step (fresh z, G without a graph) and one G step (fresh z, D frozen), without R1; call
     * inside an NDScope.
     */
    void step(NDArray real) {
      long n = real.getShape().get(0);
      Shape zs = new Shape(n, spec.zDim());
      d.zeroGrad();
      NDArray fake = generate(manager.randomNormal(zs), true); // grad mode is off here
      try (GradientCollector gc = collector()) {
        NDArray lossD =
            softplusMean(discriminate(fake)).add(softplusMean(discriminate(real).neg()));
        gc.backward(lossD);
      }
      d.adam();
      g.zeroGrad();
      d.requiresGrad(false);
      try (GradientCollector gc = collector()) {
        gc.backward(softplusMean(discriminate(generate(manager.randomNormal(zs), true)).neg()));
      }
      d.requiresGrad(true);
      g.adam();
    }
  }
}
