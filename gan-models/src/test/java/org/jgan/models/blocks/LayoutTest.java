package org.jgan.models.blocks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.jgan.core.autograd.Autograd;
import org.jgan.core.autograd.GradMode;
import org.jgan.core.kernels.DataFormat;
import org.jgan.core.nn.Functional;
import org.jgan.core.nn.Module;
import org.jgan.core.nn.Parameter;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.testing.TensorAssert;
import org.jgan.models.stylegan2.SynthesisLayer;
import org.junit.jupiter.api.Test;

/**
 * The synthesis blocks compute the same values and gradients channels-last as channels-first: each
 * block's NHWC output, converted, equals its NCHW output on the converted input, and so do the
 * gradients of the input, the latent and every parameter, in float32 (the networks' type, where the
 * NHWC path takes other kernels: native resize, oneDNN without reorders) and float64.
 */
class LayoutTest {
  private static final DataFormat C = DataFormat.NCHW;
  private static final DataFormat L = DataFormat.NHWC;

  /**
   * {@code f(x, w, format)} in both layouts: outputs and the gradients of x, w and the parameters.
   */
  private static void sameInBothLayouts(
      String what, Module m, DType t, long[] nchw, long wDim, double tol, TriFunction f) {
    if (m != null) {
      m.to(t);
    }
    Rng rng = new Rng(11);
    Tensor x = Tensor.leaf(rng.normalArray(t, 0, 1, nchw), true);
    Tensor xl = Tensor.leaf(Functional.relayout(x, C, L).detach().data().dup(), true);
    Tensor w = Tensor.leaf(rng.normalArray(t, 0, 1, nchw[0], wDim), true);
    Tensor y = f.apply(x, w, C);
    Tensor yl = f.apply(xl, w, L);
    TensorAssert.assertClose(y, Functional.relayout(yl, L, C), tol, what + " " + t + " output");
    Tensor gy = Tensor.of(rng.normalArray(t, 0, 1, y.shape()));
    List<Tensor> wrt = new ArrayList<>(List.of(x, w));
    List<Tensor> wrtL = new ArrayList<>(List.of(xl, w));
    if (m != null) {
      for (Parameter p : m.parameters()) {
        wrt.add(p.value());
        wrtL.add(p.value());
      }
    }
    List<Tensor> g = Autograd.grad(List.of(f.apply(x, w, C)), wrt, List.of(gy), false);
    List<Tensor> gl =
        Autograd.grad(
            List.of(f.apply(xl, w, L)), wrtL, List.of(Functional.relayout(gy, C, L)), false);
    TensorAssert.assertClose(
        g.get(0), Functional.relayout(gl.get(0), L, C), tol, what + " " + t + " input gradient");
    for (int i = 1; i < g.size(); i++) {
      TensorAssert.assertClose(g.get(i), gl.get(i), tol, what + " " + t + " gradient " + i);
    }
  }

  @FunctionalInterface
  private interface TriFunction {
    Tensor apply(Tensor x, Tensor w, DataFormat format);
  }

  @Test
  void synthesisLayersAgree() {
    for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
      double tol = t == DType.FLOAT32 ? 2e-5 : 1e-12;
      Rng rng = new Rng(5);
      SynthesisLayer plain = new SynthesisLayer(6, 5, 4, 8, false, rng);
      SynthesisLayer up = new SynthesisLayer(6, 5, 4, 8, true, rng);
      for (SynthesisLayer l : List.of(plain, up)) {
        // a non-zero bias and noise strength, so that both broadcasts are exercised
        l.namedParameters().get("bias").value().data().assign(0.3);
        l.namedParameters().get("noise.strength").value().data().assign(0.7);
      }
      sameInBothLayouts(
          "SynthesisLayer",
          plain,
          t,
          new long[] {3, 6, 8, 8},
          4,
          tol,
          (x, w, f) -> plain.forward(x, w, NoiseMode.RANDOM, new Rng(9), f));
      sameInBothLayouts(
          "SynthesisLayer up",
          up,
          t,
          new long[] {2, 6, 4, 4},
          4,
          tol,
          (x, w, f) -> up.forward(x, w, NoiseMode.CONST, null, f));
      ToRgb rgb = new ToRgb(6, 3, 4, rng);
      sameInBothLayouts(
          "ToRgb", rgb, t, new long[] {2, 6, 5, 5}, 4, tol, (x, w, f) -> rgb.forward(x, w, f));
      EqualizedConv2d conv = new EqualizedConv2d(6, 5, 3, Act.LRELU, rng);
      EqualizedConv2d down =
          new EqualizedConv2d(6, 5, 3, Act.LRELU, true, Math.sqrt(0.5), Resample.DOWN, rng);
      EqualizedConv2d skip =
          new EqualizedConv2d(6, 5, 1, Act.LINEAR, false, Math.sqrt(0.5), Resample.DOWN, rng);
      EqualizedConv2d upConv = new EqualizedConv2d(6, 5, 3, Act.LRELU, true, 1.0, Resample.UP, rng);
      for (EqualizedConv2d c : List.of(conv, down, upConv)) {
        c.namedParameters().get("bias").value().data().assign(0.2);
      }
      sameInBothLayouts(
          "EqualizedConv2d",
          conv,
          t,
          new long[] {2, 6, 6, 6},
          4,
          tol,
          (x, w, f) -> conv.forward(x, f));
      sameInBothLayouts(
          "EqualizedConv2d down",
          down,
          t,
          new long[] {2, 6, 6, 6},
          4,
          tol,
          (x, w, f) -> down.forward(x, f));
      sameInBothLayouts(
          "EqualizedConv2d 1x1 down",
          skip,
          t,
          new long[] {2, 6, 6, 6},
          4,
          tol,
          (x, w, f) -> skip.forward(x, f));
      sameInBothLayouts(
          "EqualizedConv2d up",
          upConv,
          t,
          new long[] {2, 6, 3, 3},
          4,
          tol,
          (x, w, f) -> upConv.forward(x, f));
      sameInBothLayouts(
          "bilinear up",
          null,
          t,
          new long[] {2, 6, 5, 3},
          4,
          tol,
          (x, w, f) -> Fir.bilinearUp2(x, f));
      sameInBothLayouts(
          "FIR up and down",
          null,
          t,
          new long[] {2, 3, 6, 6},
          4,
          tol,
          (x, w, f) -> Fir.STYLEGAN2.downsample2d(Fir.STYLEGAN2.upsample2d(x, f), f));
    }
  }

  @Test
  void depthwiseFirEqualsTheMatrixProducts() {
    // float64 takes the matrix products in both layouts, so the depthwise op is compared here
    Tensor x = Tensor.of(new Rng(8).normalArray(DType.FLOAT64, 0, 1, 2, 9, 7, 5));
    Tensor xc = Functional.relayout(x, L, C);
    for (int pad : new int[] {1, 2}) { // filtering as in convUp (1) and before a strided conv (2)
      Tensor depthwise = Autograd.apply(new FirConv(Fir.STYLEGAN2, 4.0, 1, pad, L), x);
      TensorAssert.assertClose(
          Fir.STYLEGAN2.filter(xc, pad, pad, 4.0, C),
          Functional.relayout(depthwise, L, C),
          1e-13,
          "FIR pad " + pad);
    }
    Tensor down = Autograd.apply(new FirConv(Fir.STYLEGAN2, 1.0, 2, 1, L), x);
    TensorAssert.assertClose(
        Fir.STYLEGAN2.downsample2d(xc, C),
        Functional.relayout(down, L, C),
        1e-13,
        "FIR down-sampling");
  }

  @Test
  void nativeBilinearEqualsTheMatrixProducts() {
    // one-channel NCHW and every NHWC map take libnd4j's resize; compare with the products
    for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
      Tensor grey = Tensor.of(new Rng(6).normalArray(t, 0, 1, 3, 1, 5, 4));
      Tensor products =
          Fir.separable(grey, Fir.bilinearOperator(5), 10, Fir.bilinearOperator(4), 8);
      TensorAssert.assertClose(
          products, Fir.bilinearUp2(grey), t == DType.FLOAT32 ? 1e-6 : 1e-14, "bilinear " + t);
    }
  }

  @Test
  void withoutAGraphTheInPlacePathsGiveTheSameValues() {
    // without a graph the synthesis layer and the demodulation update the convolution's result in
    // place (InPlace); with one they take the differentiable ops: the values must not differ
    for (DType t : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
      Rng rng = new Rng(12);
      SynthesisLayer plain = new SynthesisLayer(6, 5, 4, 8, false, rng);
      SynthesisLayer up = new SynthesisLayer(6, 5, 4, 8, true, rng);
      ModulatedConv2d mod = new ModulatedConv2d(6, 5, 3, 4, true, false, rng);
      for (Module m : List.of(plain, up, mod)) {
        m.to(t);
      }
      for (SynthesisLayer l : List.of(plain, up)) {
        l.namedParameters().get("bias").value().data().assign(-0.4);
        l.namedParameters().get("noise.strength").value().data().assign(0.7);
      }
      for (DataFormat f : DataFormat.values()) {
        Tensor x = Tensor.of(rng.normalArray(t, 0, 1, f.shape(3, 6, 8, 8)));
        Tensor x4 = Tensor.of(rng.normalArray(t, 0, 1, f.shape(3, 6, 4, 4)));
        Tensor w = Tensor.of(rng.normalArray(t, 0, 1, 3, 4));
        for (NoiseMode mode : NoiseMode.values()) {
          Tensor[] graph = {
            plain.forward(x, w, mode, new Rng(9), f),
            up.forward(x4, w, mode, new Rng(9), f),
            mod.forward(x, w, f)
          };
          Tensor[] noGraph;
          try (GradMode.Guard off = GradMode.disabled()) {
            noGraph =
                new Tensor[] {
                  plain.forward(x, w, mode, new Rng(9), f),
                  up.forward(x4, w, mode, new Rng(9), f),
                  mod.forward(x, w, f)
                };
          }
          for (int i = 0; i < graph.length; i++) {
            assertTrue(graph[i].requiresGrad(), "the reference recorded a graph");
            TensorAssert.assertClose(
                graph[i],
                noGraph[i],
                0.0,
                "block " + i + " " + t + " " + f + " " + mode + " in place");
          }
        }
      }
    }
  }

  @Test
  void noiseIsTheSameInBothLayouts() {
    NoiseInjection noise = new NoiseInjection(0, 4, new Rng(1));
    noise.strength().value().data().assign(1.0);
    Tensor zeros = Tensor.zeros(DType.FLOAT32, 2, 3, 4, 4);
    Tensor a = noise.forward(zeros, NoiseMode.RANDOM, new Rng(3));
    Tensor b = noise.forward(Functional.relayout(zeros, C, L), NoiseMode.RANDOM, new Rng(3), L);
    TensorAssert.assertClose(a, Functional.relayout(b, L, C), 0.0, "random noise");
  }

  @Test
  void constantInputInBothLayouts() {
    ConstantInput c = new ConstantInput(3, 4, new Rng(2));
    Tensor a = c.forward(2);
    Tensor b = c.forward(2, L);
    assertArrayEquals(new long[] {2, 4, 4, 3}, b.shape());
    TensorAssert.assertClose(a, Functional.relayout(b, L, C), 0.0, "constant");
  }
}
