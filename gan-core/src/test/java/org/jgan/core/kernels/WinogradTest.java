package org.jgan.core.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;
import org.jgan.core.autograd.Autograd;
import org.jgan.core.ops.Conv;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.testing.TensorAssert;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * oneDNN's Winograd convolutions give the convolution (and its transpose) to float32 rounding,
 * against libnd4j's kernels in float64; the convolution kernels take them where they apply and
 * libnd4j's kernels everywhere else, and a backend without Winograd never takes them. Each test
 * runs on an engine of its own, so plans and counters start empty.
 */
class WinogradTest {
  /** Winograd's transforms round more than a direct sum: a few 1e-6 of the largest output. */
  private static final double TOL = 2e-5;

  private static final long[][] SHAPES = {
    {12, 32, 48, 8, 12}, // n, in, out, h, w
    {4, 48, 32, 16, 16},
    {16, 128, 128, 9, 8},
  };

  private Engine engine;
  private Winograd wino;

  @BeforeEach
  void freshEngine() {
    engine = Engine.start(Backend.cpu());
    wino = engine.winograd();
  }

  @AfterEach
  void close() {
    engine.close();
  }

  @Test
  void statusNamesTheKernelOrWhyNot() {
    String s = engine.convolutionKernel();
    assertTrue(
        Winograd.supported() ? s.contains("Winograd (") : s.startsWith("oneDNN direct ("), s);
    assertEquals("libnd4j direct (Winograd off in the backend)", Winograd.status(false, false));
    assertNotNull(wino, "the default backend asks for Winograd");
  }

  /** One direction of a convolution, as the Winograd kernel or the reference op computes it. */
  private interface Direction {
    INDArray apply(DataFormat f, INDArray x, INDArray other);
  }

  /**
   * For both layouts and every shape {@code {n, in, out, h, w}}: {@code x [n, in, h, w]} and a
   * second operand of {@code otherShape}, float32 through the Winograd kernel against float64
   * through libnd4j's op.
   */
  private void compareEverywhere(
      long seed,
      String what,
      BiFunction<DataFormat, long[], long[]> otherShape,
      Direction winograd,
      Direction reference) {
    Rng rng = new Rng(seed);
    for (DataFormat f : DataFormat.values()) {
      for (long[] s : SHAPES) {
        INDArray x = rng.normalArray(DType.FLOAT32, 0, 1, f.shape(s[0], s[1], s[3], s[4]));
        INDArray other = rng.normalArray(DType.FLOAT32, 0, 0.1, otherShape.apply(f, s));
        INDArray y = winograd.apply(f, x, other);
        String where = what + " " + f + " " + Arrays.toString(s);
        assertNotNull(y, "Winograd kernel for " + where);
        INDArray expected =
            reference.apply(f, x.castTo(DataType.DOUBLE), other.castTo(DataType.DOUBLE));
        TensorAssert.assertClose(Tensor.of(expected), Tensor.of(y), TOL, where);
      }
    }
  }

  @Test
  void forwardEqualsTheConvolutionInBothLayouts() {
    assumeTrue(Winograd.supported(), engine.convolutionKernel());
    compareEverywhere(
        11,
        "conv2d",
        (f, s) -> new long[] {s[2], s[1], 3, 3},
        (f, x, w) -> wino.conv2d(x, w, null, new ConvGeometry(1, 1, f)),
        (f, x, w) -> ConvKernels.conv2d(x, w, null, new ConvGeometry(1, 1, f)));
    // the bias rides in the kernel: the same result plus b on every output channel
    Rng rng = new Rng(18);
    for (DataFormat f : DataFormat.values()) {
      INDArray x = rng.normalArray(DType.FLOAT32, 0, 1, f.shape(16, 32, 8, 8));
      INDArray w = smallWeight(rng);
      INDArray b = rng.normalArray(DType.FLOAT32, 0, 1, 32);
      ConvGeometry geo = new ConvGeometry(1, 1, f);
      INDArray expected = wino.conv2d(x, w, null, geo).add(b.reshape(f.channelShape(32)));
      TensorAssert.assertClose(
          Tensor.of(expected), Tensor.of(wino.conv2d(x, w, b, geo)), 1e-6, "conv2d with bias " + f);
    }
  }

  @Test
  void transposedEqualsTheInputGradientInBothLayouts() {
    assumeTrue(Winograd.supported(), engine.convolutionKernel());
    // a transposed convolution with weight [I, O, 3, 3]: s[1] channels in, s[2] out
    compareEverywhere(
        12,
        "conv_transpose2d",
        (f, s) -> new long[] {s[1], s[2], 3, 3},
        (f, x, w) -> wino.convTranspose2d(x, w, new ConvGeometry(1, 1, f)),
        (f, x, w) -> ConvKernels.convTranspose2d(x, w, null, new ConvGeometry(1, 1, f), 0, 0));
  }

  @Test
  void weightGradientEqualsTheConvolutionsInBothLayouts() {
    assumeTrue(Winograd.supported(), engine.convolutionKernel());
    compareEverywhere(
        16,
        "conv2d weight gradient",
        (f, s) -> f.shape(s[0], s[2], s[3], s[4]),
        (f, x, gy) -> wino.weightGrad(x, gy, new ConvGeometry(1, 1, f)),
        (f, x, gy) -> ConvKernels.conv2dWeightGrad(x, gy, new ConvGeometry(1, 1, f), 3, 3));
  }

  @Test
  void theBiasGradientComesWithTheWeightGradientFromOneCall() {
    assumeTrue(Winograd.supported(), engine.convolutionKernel());
    Rng rng = new Rng(19);
    for (DataFormat f : DataFormat.values()) {
      for (long[] s : SHAPES) {
        String where = f + " " + Arrays.toString(s);
        ConvGeometry geo = new ConvGeometry(1, 1, f);
        INDArray x = rng.normalArray(DType.FLOAT32, 0, 1, f.shape(s[0], s[1], s[3], s[4]));
        INDArray gy = rng.normalArray(DType.FLOAT32, 0, 0.1, f.shape(s[0], s[2], s[3], s[4]));
        long before = engine.stats().winogradCalls();
        INDArray[] wb = ConvKernels.conv2dWeightBiasGrad(x, gy, geo, 3, 3);
        assertNotNull(wb, "fused weight and bias gradients for " + where);
        assertEquals(before + 1, engine.stats().winogradCalls(), "one Winograd call " + where);
        INDArray x64 = x.castTo(DataType.DOUBLE);
        INDArray gy64 = gy.castTo(DataType.DOUBLE);
        TensorAssert.assertClose(
            Tensor.of(ConvKernels.conv2dWeightGrad(x64, gy64, geo, 3, 3)),
            Tensor.of(wb[0]),
            TOL,
            "weight gradient " + where);
        TensorAssert.assertClose(
            Tensor.of(gy64).sum(false, f.nonChannelAxes()),
            Tensor.of(wb[1]),
            TOL,
            "bias gradient " + where);
      }
    }
  }

  @Test
  void gradientsThroughTheOperatorsMatchFloat64() {
    assumeTrue(Winograd.supported(), engine.convolutionKernel());
    // without a graph Conv2d's backward takes the two Winograd gradient ops instead of the fused
    // kernel; with one (R1's double backward) the recorded ops, also on Winograd
    Float64Check.assertFloat32MatchesFloat64(new Rng(17), TOL, WinogradTest::convGradients);
  }

  /**
   * Gradients of {@code sum(conv2d(x, w, b) * r)} and, as a transposed convolution, of {@code x}
   * and {@code w}.
   */
  private static Tensor[] convGradients(Rng rng, DType type, DataFormat f, boolean graph) {
    Tensor x = Tensor.leaf(rng.normalArray(type, 0, 1, f.shape(16, 32, 8, 8)), true);
    Tensor w = Tensor.leaf(rng.normalArray(type, 0, 0.1, 48, 32, 3, 3), true);
    Tensor b = Tensor.leaf(rng.normalArray(type, 0, 1, 48), true);
    Tensor r = Tensor.leaf(rng.normalArray(type, 0, 1, f.shape(16, 48, 8, 8)), true);
    Tensor y = Conv.conv2d(x, w, b, 1, 1, f).mul(r).sum();
    List<Tensor> g = Autograd.grad(List.of(y), List.of(x, w, b), null, graph);
    Tensor t = Conv.transpose(r, w, null, 1, 1, 0, 0, f).mul(x).sum();
    List<Tensor> gt = Autograd.grad(List.of(t), List.of(r, w), null, graph);
    Tensor[] out = {g.get(0), g.get(1), g.get(2), gt.get(0), gt.get(1)};
    for (int i = 0; i < out.length; i++) {
      out[i] = Tensor.of(out[i].data().castTo(DataType.DOUBLE));
    }
    return out;
  }

  @Test
  void theKernelsTakeTheWinogradKernelWhereItAppliesAndOnlyWhenTheBackendSays() {
    assumeTrue(Winograd.supported(), engine.convolutionKernel());
    Rng rng = new Rng(13);
    DataFormat f = DataFormat.NHWC;
    INDArray x = smallInput(rng);
    INDArray w = smallWeight(rng);
    INDArray b = rng.normalArray(DType.FLOAT32, 0, 1, 32);
    ConvGeometry geo = new ConvGeometry(1, 1, f);
    INDArray direct = Kernels.alloc(DataType.FLOAT, x.shape());
    Kernels.custom("conv2d", new INDArray[] {x, w, b}, new INDArray[] {direct}, geo.args(3, 3));
    long before = engine.stats().winogradCalls();
    INDArray viaKernel = ConvKernels.conv2d(x, w, b, geo);
    assertEquals(before + 1, engine.stats().winogradCalls(), "counted on this test's engine");
    TensorAssert.assertClose(
        Tensor.of(wino.conv2d(x, w, b, geo)), Tensor.of(viaKernel), 0, "conv2d kernel");
    assertTrue(
        viaKernel.sub(direct).amaxNumber().doubleValue() > 0,
        "the kernel ran Winograd, not libnd4j's direct kernel");
    INDArray tViaKernel = ConvKernels.convTranspose2d(x, w, b, geo, 0, 0);
    INDArray tWino = wino.convTranspose2d(x, w, geo);
    INDArray bias = b.reshape(1, 1, 1, 32);
    TensorAssert.assertClose(
        Tensor.of(tWino.add(bias)), Tensor.of(tViaKernel), 0, "conv_transpose2d kernel with bias");
    try (Engine off = Engine.start(Backend.cpu().withWinograd(false).withOneDnn(false))) {
      assertNull(off.winograd());
      TensorAssert.assertClose(
          Tensor.of(direct), Tensor.of(ConvKernels.conv2d(x, w, b, geo)), 0, "Winograd off");
      assertEquals(0, off.stats().winogradCalls());
    }
  }

  @Test
  void everythingElseGoesToLibnd4j() {
    assumeTrue(Winograd.supported(), engine.convolutionKernel());
    Rng rng = new Rng(14);
    DataFormat f = DataFormat.NHWC;
    INDArray x = smallInput(rng);
    INDArray w = smallWeight(rng);
    ConvGeometry geo = new ConvGeometry(1, 1, f);
    assertNotNull(wino.conv2d(x, w, null, geo), "the eligible case");
    assertNull(wino.conv2d(x, w, null, new ConvGeometry(2, 1, f)), "stride 2");
    assertNull(wino.conv2d(x, w, null, new ConvGeometry(1, 0, f)), "padding 0");
    assertNull(
        wino.conv2d(x, rng.normalArray(DType.FLOAT32, 0, 1, 32, 32, 1, 1), null, geo),
        "1x1 kernel");
    assertNull(
        wino.conv2d(x.castTo(DataType.DOUBLE), w.castTo(DataType.DOUBLE), null, geo), "float64");
    assertNull(
        wino.conv2d(rng.normalArray(DType.FLOAT32, 0, 1, f.shape(64, 32, 4, 8)), w, null, geo),
        "4 rows");
    assertNull(
        wino.conv2d(rng.normalArray(DType.FLOAT32, 0, 1, f.shape(15, 32, 8, 8)), w, null, geo),
        "960 positions");
    INDArray w16 = rng.normalArray(DType.FLOAT32, 0, 0.1, 16, 32, 3, 3);
    assertNull(wino.conv2d(x, w16, null, geo), "16 output channels");
    INDArray second =
        x.get(
            NDArrayIndex.interval(1, 2),
            NDArrayIndex.all(),
            NDArrayIndex.all(),
            NDArrayIndex.all());
    assertNull(wino.conv2d(second, w, null, geo), "a view that starts inside its buffer");
    assertNull(wino.conv2d(x.permute(0, 2, 1, 3), w, null, geo), "a permuted view");
    // channel counts that are no multiple of oneDNN's block of 16: whichever kernel takes them
    INDArray x33 = rng.normalArray(DType.FLOAT32, 0, 1, f.shape(16, 33, 8, 8));
    INDArray w33 = rng.normalArray(DType.FLOAT32, 0, 0.1, 129, 33, 3, 3);
    INDArray y33 = ConvKernels.conv2d(x33, w33, null, geo);
    INDArray e33 =
        ConvKernels.conv2d(x33.castTo(DataType.DOUBLE), w33.castTo(DataType.DOUBLE), null, geo);
    TensorAssert.assertClose(Tensor.of(e33), Tensor.of(y33), TOL, "33 to 129 channels");
  }

  @Test
  void plansDroppedFromTheCacheAreMadeAgain() {
    assumeTrue(Winograd.supported(), engine.convolutionKernel());
    Rng rng = new Rng(15);
    DataFormat f = DataFormat.NHWC;
    INDArray w = smallWeight(rng);
    ConvGeometry geo = new ConvGeometry(1, 1, f);
    INDArray x1 = smallInput(rng);
    INDArray first = wino.conv2d(x1, w, null, geo);
    for (int n = 17; n <= 16 + DnnConv.PLANS + 1; n++) {
      assertNotNull(
          wino.conv2d(rng.normalArray(DType.FLOAT32, 0, 1, f.shape(n, 32, 8, 8)), w, null, geo));
    }
    INDArray again = wino.conv2d(x1, w, null, geo);
    assertEquals(
        0.0,
        again.sub(first).amaxNumber().doubleValue(),
        "batch 16 after its plan was dropped and made again");
  }

  /** 16 NHWC maps of 32 channels, 8x8: the smallest the Winograd kernel takes. */
  private static INDArray smallInput(Rng rng) {
    return rng.normalArray(DType.FLOAT32, 0, 1, DataFormat.NHWC.shape(16, 32, 8, 8));
  }

  private static INDArray smallWeight(Rng rng) {
    return rng.normalArray(DType.FLOAT32, 0, 0.1, 32, 32, 3, 3);
  }
}
