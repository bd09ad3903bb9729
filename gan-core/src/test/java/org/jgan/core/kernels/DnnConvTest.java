package org.jgan.core.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import java.util.List;
import org.jgan.core.autograd.Autograd;
import org.jgan.core.autograd.Profiler;
import org.jgan.core.kernels.DnnConv.Algo;
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
 * oneDNN's direct convolutions, called with cached primitives, give the convolution, its input
 * gradient (the transposed convolution, output padding included) and its weight gradient to float32
 * rounding against libnd4j's kernels in float64, for the kernel sizes, strides, paddings and
 * channel counts the families use (DCGAN's 4x4 stride 2 with one image channel, 1x1, 3x3 on 4x4
 * maps, odd sizes that a strided convolution floors); the convolution kernels take them when the
 * backend says so and never otherwise.
 */
class DnnConvTest {
  private static final double TOL = 1e-5;

  /** {n, in, out, h, w, k, stride, padding}. */
  private static final int[][] CASES = {
    {8, 1, 64, 28, 28, 4, 2, 1},
    {8, 64, 128, 14, 14, 4, 2, 1},
    {8, 128, 1, 7, 7, 4, 2, 1},
    {4, 129, 128, 4, 4, 3, 1, 1},
    {4, 3, 64, 16, 16, 1, 1, 0},
    {3, 16, 24, 9, 7, 3, 2, 1},
    {2, 5, 7, 10, 11, 3, 3, 0},
  };

  private Engine engine;
  private DnnConv dnn;

  @BeforeEach
  void freshEngine() {
    engine = Engine.start(Backend.cpu());
    dnn = engine.oneDnn();
  }

  @AfterEach
  void close() {
    engine.close();
  }

  @Test
  void allThreeDirectionsMatchLibnd4jInFloat64() {
    assumeTrue(DnnConv.REASON == null, DnnConv.REASON);
    Rng rng = new Rng(31);
    for (DataFormat f : DataFormat.values()) {
      for (int[] c : CASES) {
        String where = f + " " + Arrays.toString(c);
        ConvGeometry geo = new ConvGeometry(c[6], c[7], f);
        INDArray x = rng.normalArray(DType.FLOAT32, 0, 1, f.shape(c[0], c[1], c[3], c[4]));
        INDArray w = rng.normalArray(DType.FLOAT32, 0, 0.1, c[2], c[1], c[5], c[5]);
        INDArray b = rng.normalArray(DType.FLOAT32, 0, 1, c[2]);
        INDArray y = dnn.forward(x, w, b, geo, Algo.DIRECT);
        assertNotNull(y, "forward " + where);
        INDArray y64 = ConvKernels.conv2d(dbl(x), dbl(w), dbl(b), geo);
        TensorAssert.assertClose(Tensor.of(y64), Tensor.of(y), TOL, "forward " + where);

        INDArray gy = rng.normalArray(DType.FLOAT32, 0, 1, y.shape());
        INDArray gx = dnn.backwardData(gy, w, geo, geo.height(x), geo.width(x), Algo.DIRECT);
        assertNotNull(gx, "backward data " + where);
        int padH = geo.outputPadding(geo.height(x), geo.height(gy), c[5]);
        int padW = geo.outputPadding(geo.width(x), geo.width(gy), c[5]);
        try (Engine reference = Engine.start(Backend.cpu().withOneDnn(false))) {
          INDArray gx64 = ConvKernels.convTranspose2d(dbl(gy), dbl(w), null, geo, padH, padW);
          TensorAssert.assertClose(Tensor.of(gx64), Tensor.of(gx), TOL, "backward data " + where);
        }
        INDArray gw = dnn.backwardWeights(x, gy, geo, c[5], c[5], Algo.DIRECT);
        assertNotNull(gw, "backward weights " + where);
        INDArray gw64 = ConvKernels.conv2dWeightGrad(dbl(x), dbl(gy), geo, c[5], c[5]);
        TensorAssert.assertClose(Tensor.of(gw64), Tensor.of(gw), TOL, "backward weights " + where);
        INDArray[] wb = dnn.backwardWeightsAndBias(x, gy, geo, c[5], c[5], Algo.DIRECT);
        assertNotNull(wb, "backward weights and bias " + where);
        TensorAssert.assertClose(Tensor.of(gw64), Tensor.of(wb[0]), TOL, "with bias " + where);
        TensorAssert.assertClose(
            Tensor.of(dbl(gy)).sum(false, f.nonChannelAxes()),
            Tensor.of(wb[1]),
            TOL,
            "bias gradient " + where);
      }
    }
  }

  @Test
  void gradientsOfTheStridedOperatorsMatchFloat64() {
    assumeTrue(DnnConv.REASON == null, DnnConv.REASON);
    Float64Check.assertFloat32MatchesFloat64(
        new Rng(32),
        TOL,
        (rng, type, f, graph) -> {
          long before = engine.stats().oneDnnCalls();
          Tensor[] g = gradients(rng, type, f, graph);
          if (type == DType.FLOAT32) {
            assertTrue(engine.stats().oneDnnCalls() > before, "the float32 pass ran on oneDNN");
          }
          return g;
        });
  }

  /**
   * Gradients of DCGAN's two strided operators: {@code sum(conv2d(x, w, b) * r)} (4x4, stride 2, 1
   * -> 16 channels) and {@code sum(conv_transpose2d(r, w, b) * x)} back to one channel.
   */
  private static Tensor[] gradients(Rng rng, DType type, DataFormat f, boolean graph) {
    Tensor x = Tensor.leaf(rng.normalArray(type, 0, 1, f.shape(4, 1, 12, 12)), true);
    Tensor w = Tensor.leaf(rng.normalArray(type, 0, 0.1, 16, 1, 4, 4), true);
    Tensor b = Tensor.leaf(rng.normalArray(type, 0, 1, 16), true);
    Tensor bt = Tensor.leaf(rng.normalArray(type, 0, 1, 1), true);
    Tensor r = Tensor.leaf(rng.normalArray(type, 0, 1, f.shape(4, 16, 6, 6)), true);
    Tensor y = Conv.conv2d(x, w, b, 2, 1, f).mul(r).sum();
    List<Tensor> g = Autograd.grad(List.of(y), List.of(x, w, b), null, graph);
    Tensor t = Conv.transpose(r, w, bt, 2, 1, 0, 0, f).mul(x).sum();
    List<Tensor> gt = Autograd.grad(List.of(t), List.of(r, w, bt), null, graph);
    Tensor[] out = {g.get(0), g.get(1), g.get(2), gt.get(0), gt.get(1), gt.get(2)};
    for (int i = 0; i < out.length; i++) {
      out[i] = Tensor.of(out[i].data().castTo(DataType.DOUBLE));
    }
    return out;
  }

  @Test
  void aConvolutionsBackwardTakesTheBiasGradientFromTheWeightGradientCall() {
    assumeTrue(DnnConv.REASON == null, DnnConv.REASON);
    Rng rng = new Rng(35);
    // DCGAN's strided 4x4 layer: dw and db from the one call inside conv2d's backward, no
    // separate weight-gradient op and no sum; a 1x1 layer keeps both
    assertEquals(List.of(), backwardOps(rng, 4, 2, 1));
    assertEquals(List.of("conv2d_weight_grad", "sum"), backwardOps(rng, 1, 1, 0));
  }

  /** The separate weight and bias gradient ops that {@code conv2d}'s backward (no graph) ran. */
  private static List<String> backwardOps(Rng rng, int k, int stride, int padding) {
    DataFormat f = DataFormat.NCHW;
    Tensor x = Tensor.leaf(rng.normalArray(DType.FLOAT32, 0, 1, f.shape(4, 16, 12, 12)), true);
    Tensor w = Tensor.leaf(rng.normalArray(DType.FLOAT32, 0, 0.1, 32, 16, k, k), true);
    Tensor b = Tensor.leaf(rng.normalArray(DType.FLOAT32, 0, 1, 32), true);
    Tensor y = Conv.conv2d(x, w, b, stride, padding, f).sum();
    try (Profiler p = Profiler.start(false)) {
      Autograd.grad(List.of(y), List.of(x, w, b), null, false);
      return p.report().stream()
          .map(Profiler.Entry::op)
          .filter(op -> op.equals("conv2d_weight_grad") || op.equals("sum"))
          .sorted()
          .toList();
    }
  }

  @Test
  void theKernelsTakeOneDnnOnlyWhenTheBackendSays() {
    assumeTrue(DnnConv.REASON == null, DnnConv.REASON);
    Rng rng = new Rng(33);
    ConvGeometry geo = new ConvGeometry(2, 1, DataFormat.NCHW);
    INDArray x = rng.normalArray(DType.FLOAT32, 0, 1, 8, 64, 14, 14);
    INDArray w = rng.normalArray(DType.FLOAT32, 0, 0.1, 128, 64, 4, 4);
    long before = engine.stats().oneDnnCalls();
    INDArray y = ConvKernels.conv2d(x, w, null, geo);
    assertEquals(before + 1, engine.stats().oneDnnCalls(), "counted on this test's engine");
    TensorAssert.assertClose(
        Tensor.of(dnn.forward(x, w, null, geo, Algo.DIRECT)), Tensor.of(y), 0, "conv2d kernel");
    try (Engine off = Engine.start(Backend.cpu().withOneDnn(false))) {
      assertNull(off.oneDnn());
      TensorAssert.assertClose(
          Tensor.of(y), Tensor.of(ConvKernels.conv2d(x, w, null, geo)), TOL, "libnd4j's kernel");
      assertEquals(0, off.stats().oneDnnCalls());
    }
  }

  @Test
  void viewsAndFloat64GoToLibnd4j() {
    assumeTrue(DnnConv.REASON == null, DnnConv.REASON);
    Rng rng = new Rng(34);
    ConvGeometry geo = new ConvGeometry(2, 1, DataFormat.NCHW);
    INDArray x = rng.normalArray(DType.FLOAT32, 0, 1, 2, 8, 8, 8);
    INDArray w = rng.normalArray(DType.FLOAT32, 0, 0.1, 4, 8, 4, 4);
    assertNotNull(dnn.forward(x, w, null, geo, Algo.DIRECT));
    assertNull(dnn.forward(dbl(x), dbl(w), null, geo, Algo.DIRECT), "float64");
    INDArray second =
        x.get(
            NDArrayIndex.interval(1, 2),
            NDArrayIndex.all(),
            NDArrayIndex.all(),
            NDArrayIndex.all());
    assertNull(dnn.forward(second, w, null, geo, Algo.DIRECT), "a view inside its buffer");
    assertNull(dnn.forward(x.permute(0, 2, 1, 3), w, null, geo, Algo.DIRECT), "permuted");
    assertTrue(DnnConv.dense(rng.normalArray(DType.FLOAT32, 0, 1, 4, 1, 3, 3)), "a 1-channel map");
    // the default DCGAN discriminator's head: oneDNN has only its naive reference kernel for it
    INDArray h = rng.normalArray(DType.FLOAT32, 0, 1, 64, 64, 7, 7);
    INDArray w1 = rng.normalArray(DType.FLOAT32, 0, 0.1, 1, 64, 7, 7);
    ConvGeometry valid = new ConvGeometry(1, 0, DataFormat.NCHW);
    assertNull(dnn.forward(h, w1, null, valid, Algo.DIRECT), "only a reference kernel");
    assertEquals(1, ConvKernels.conv2d(h, w1, null, valid).size(1), "libnd4j takes it");
    assertFalse(DnnConv.dense(x.permute(0, 2, 1, 3)), "permuted");
  }

  private static INDArray dbl(INDArray a) {
    return a.castTo(DataType.DOUBLE);
  }
}
