package org.jgan.models.blocks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.jgan.core.autograd.Autograd;
import org.jgan.core.kernels.DataFormat;
import org.jgan.core.nn.Module;
import org.jgan.core.nn.Parameter;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.testing.TensorAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every block passes a float64 finite-difference check of first derivatives with respect to its
 * inputs and parameters; the blocks used under R1 and path length (all of them here) also pass the
 * second-order check.
 */
class BlockGradientTest {
  private static Tensor leaf(Rng rng, long... shape) {
    return Tensor.leaf(rng.normalArray(DType.FLOAT64, 0, 1, shape), true);
  }

  private static Arguments row(
      String name, Module m, List<Tensor> inputs, Function<List<Tensor>, Tensor> f) {
    if (m != null) {
      m.to(DType.FLOAT64);
    }
    List<Tensor> all = new ArrayList<>(inputs);
    if (m != null) {
      for (Parameter p : m.parameters()) {
        all.add(p.value());
      }
    }
    return Arguments.of(name, all, f);
  }

  static Stream<Arguments> blocks() {
    Rng rng = new Rng(3);
    EqualizedLinear lin = new EqualizedLinear(5, 4, Act.LRELU, 0.01, 0.0, rng);
    EqualizedConv2d conv = new EqualizedConv2d(2, 3, 3, Act.LRELU, rng);
    EqualizedConv2d down =
        new EqualizedConv2d(2, 3, 3, Act.LRELU, true, Math.sqrt(0.5), Resample.DOWN, rng);
    EqualizedConv2d skip =
        new EqualizedConv2d(2, 3, 1, Act.LINEAR, false, Math.sqrt(0.5), Resample.DOWN, rng);
    EqualizedConv2d upConv = new EqualizedConv2d(2, 3, 3, Act.LRELU, true, 1.0, Resample.UP, rng);
    ModulatedConv2d mod = new ModulatedConv2d(3, 2, 3, 4, true, false, rng);
    ModulatedConv2d modUp = new ModulatedConv2d(3, 2, 3, 4, true, true, rng);
    ToRgb rgb = new ToRgb(3, 1, 4, rng);
    // ADA's conv_clamp, set low enough to bite on these inputs
    EqualizedConv2d clamped =
        new EqualizedConv2d(2, 3, 3, Act.LRELU, true, Math.sqrt(0.5), Resample.DOWN, 0.3, rng);
    ToRgb rgbClamped = new ToRgb(3, 1, 4, 0.2, rng);
    AdaIn adain = new AdaIn(2, 4, rng);
    NoiseInjection noise = new NoiseInjection(0, 4, rng);
    MappingNetwork map = new MappingNetwork(4, 3, 4, 2, 2, 0.01, 0.995, rng);
    ProjectionHead head = new ProjectionHead(4, 3, 5, 2, 0.01, rng);
    MinibatchStdDev mbstd = new MinibatchStdDev(4, 1); // with 2 the std is |a - b| / 2: linear
    Rng in = new Rng(4);
    // non-zero noise strength so that its gradient is exercised
    noise.strength().value().data().assign(0.7);
    return Stream.of(
        row(
            "EqualizedLinear lrelu lr 0.01",
            lin,
            List.of(leaf(in, 3, 5)),
            x -> lin.forward(x.get(0))),
        row(
            "EqualizedConv2d 3x3",
            conv,
            List.of(leaf(in, 2, 2, 5, 5)),
            x -> conv.forward(x.get(0))),
        row(
            "EqualizedConv2d 3x3 down",
            down,
            List.of(leaf(in, 2, 2, 6, 6)),
            x -> down.forward(x.get(0))),
        row(
            "EqualizedConv2d 1x1 down (skip)",
            skip,
            List.of(leaf(in, 2, 2, 6, 6)),
            x -> skip.forward(x.get(0))),
        row(
            "EqualizedConv2d 3x3 up",
            upConv,
            List.of(leaf(in, 1, 2, 3, 3)),
            x -> upConv.forward(x.get(0))),
        row(
            "EqualizedConv2d 3x3 down NHWC",
            down,
            List.of(leaf(in, 2, 6, 6, 2)),
            x -> down.forward(x.get(0), DataFormat.NHWC)),
        row(
            "EqualizedConv2d 3x3 up NHWC",
            upConv,
            List.of(leaf(in, 1, 3, 3, 2)),
            x -> upConv.forward(x.get(0), DataFormat.NHWC)),
        row(
            "FIR depthwise filter NHWC",
            null,
            List.of(leaf(in, 2, 5, 4, 3)),
            x -> Autograd.apply(new FirConv(Fir.STYLEGAN2, 4.0, 1, 1, DataFormat.NHWC), x.get(0))),
        row(
            "FIR depthwise down NHWC",
            null,
            List.of(leaf(in, 2, 6, 6, 2)),
            x -> Autograd.apply(new FirConv(Fir.STYLEGAN2, 1.0, 2, 1, DataFormat.NHWC), x.get(0))),
        row(
            "FIR depthwise down NCHW",
            null,
            List.of(leaf(in, 2, 2, 6, 6)),
            x -> Autograd.apply(new FirConv(Fir.STYLEGAN2, 1.0, 2, 1, DataFormat.NCHW), x.get(0))),
        row("PixelNorm", null, List.of(leaf(in, 2, 3, 2, 2)), x -> PixelNorm.apply(x.get(0))),
        row("MinibatchStdDev", null, List.of(leaf(in, 4, 2, 2, 2)), x -> mbstd.forward(x.get(0))),
        row(
            "MinibatchStdDev by label, 2 maps",
            null,
            List.of(leaf(in, 6, 4, 2, 2)),
            x -> new MinibatchStdDev(4, 2).forward(x.get(0), new int[] {0, 1, 0, 0, 1, 2})),
        row("FIR up", null, List.of(leaf(in, 1, 2, 3, 3)), x -> Fir.STYLEGAN2.upsample2d(x.get(0))),
        row(
            "FIR down",
            null,
            List.of(leaf(in, 1, 2, 6, 6)),
            x -> Fir.STYLEGAN2.downsample2d(x.get(0))),
        row(
            "ModulatedConv2d demod",
            mod,
            List.of(leaf(in, 2, 3, 4, 4), leaf(in, 2, 4)),
            x -> mod.forward(x.get(0), x.get(1))),
        row(
            "ModulatedConv2d demod up",
            modUp,
            List.of(leaf(in, 2, 3, 3, 3), leaf(in, 2, 4)),
            x -> modUp.forward(x.get(0), x.get(1))),
        row(
            "ToRgb",
            rgb,
            List.of(leaf(in, 2, 3, 4, 4), leaf(in, 2, 4)),
            x -> rgb.forward(x.get(0), x.get(1))),
        row(
            "ModulatedConv2d demod NHWC",
            mod,
            List.of(leaf(in, 2, 4, 4, 3), leaf(in, 2, 4)),
            x -> mod.forward(x.get(0), x.get(1), DataFormat.NHWC)),
        row(
            "ModulatedConv2d demod up NHWC",
            modUp,
            List.of(leaf(in, 2, 3, 3, 3), leaf(in, 2, 4)),
            x -> modUp.forward(x.get(0), x.get(1), DataFormat.NHWC)),
        row(
            "ToRgb NHWC",
            rgb,
            List.of(leaf(in, 2, 4, 4, 3), leaf(in, 2, 4)),
            x -> rgb.forward(x.get(0), x.get(1), DataFormat.NHWC)),
        row("Act.clamp at 0.8", null, List.of(leaf(in, 3, 7)), x -> Act.clamp(x.get(0), 0.8)),
        row(
            "EqualizedConv2d 3x3 down, conv_clamp 0.3",
            clamped,
            List.of(leaf(in, 2, 2, 6, 6)),
            x -> clamped.forward(x.get(0))),
        row(
            "ToRgb conv_clamp 0.2",
            rgbClamped,
            List.of(leaf(in, 2, 3, 4, 4), leaf(in, 2, 4)),
            x -> rgbClamped.forward(x.get(0), x.get(1))),
        row(
            "bilinear up NHWC (native resize)",
            null,
            List.of(leaf(in, 2, 3, 4, 3)),
            x -> Fir.bilinearUp2(x.get(0), DataFormat.NHWC)),
        row(
            "bilinear up one channel (native resize)",
            null,
            List.of(leaf(in, 2, 1, 3, 4)),
            x -> Fir.bilinearUp2(x.get(0))),
        row(
            "NoiseInjection NHWC (const)",
            noise,
            List.of(leaf(in, 2, 4, 4, 3)),
            x -> noise.forward(x.get(0), NoiseMode.CONST, null, DataFormat.NHWC)),
        row(
            "AdaIn",
            adain,
            List.of(leaf(in, 2, 2, 3, 3), leaf(in, 2, 4)),
            x -> adain.forward(x.get(0), x.get(1))),
        row(
            "NoiseInjection (const)",
            noise,
            List.of(leaf(in, 2, 3, 4, 4)),
            x -> noise.forward(x.get(0), NoiseMode.CONST, null)),
        row(
            "MappingNetwork with labels",
            map,
            List.of(leaf(in, 3, 4)),
            x -> map.forward(x.get(0), new int[] {0, 2, 1}, 0.7, 1, false)),
        row(
            "ProjectionHead",
            head,
            List.of(leaf(in, 3, 4)),
            x -> head.forward(x.get(0), new int[] {2, 0, 1})));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("blocks")
  void firstAndSecondDerivativesMatchFiniteDifferences(
      String name, List<Tensor> inputs, Function<List<Tensor>, Tensor> f) {
    TensorAssert.assertGradients(xs -> List.of(f.apply(xs)), inputs, 1e-6);
    TensorAssert.assertSecondOrder(xs -> List.of(f.apply(xs)), inputs, 1e-6);
  }

  @Test
  void clampBoundsTheOutsideAndKeepsTheInside() {
    Tensor x = Tensor.of(new double[] {-3, -0.5, 0, 0.7, 2}, 5);
    assertArrayEquals(new double[] {-1, -0.5, 0, 0.7, 1}, Act.clamp(x, 1).toDoubleArray(), 1e-15);
    assertSame(x, Act.clamp(x, 0), "limit 0 is no clamping");
  }
}
