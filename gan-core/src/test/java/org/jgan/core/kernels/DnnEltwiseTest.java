package org.jgan.core.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jgan.core.autograd.Autograd;
import org.jgan.core.autograd.GradMode;
import org.jgan.core.nn.Functional;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.InPlace;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.testing.TensorAssert;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The fused bias, noise and leaky ReLU ({@link Functional#biasLeakyRelu}): exact on a hand-computed
 * case; in float32 on oneDNN's primitives within float32 rounding of the float64 composition of
 * separate ops (values and the gradients of the input, bias and noise), for the layouts and shapes
 * the families use; in place equal to out of place; bad shapes refused by name.
 */
class DnnEltwiseTest {
  /** Float32 rounding, with the bias and noise gradients' sums over up to 2,048 terms. */
  private static final double TOL = 1e-5;

  private static final double GAIN = Math.sqrt(2);

  private Engine engine;

  @BeforeEach
  void freshEngine() {
    engine = Engine.start(Backend.cpu());
  }

  @AfterEach
  void close() {
    engine.close();
  }

  @Test
  void handComputedWithBiasAndNoise() {
    // x [1, 2, 1, 2] NCHW, bias per channel, noise per pixel
    Tensor x = Tensor.of(new double[] {1, -3, -1, 0.5}, 1, 2, 1, 2);
    Tensor b = Tensor.of(new double[] {0.5, -1}, 2);
    Tensor n = Tensor.of(new double[] {-2, 1}, 1, 1, 1, 2);
    // z = {1 + 0.5 - 2, -3 + 0.5 + 1, -1 - 1 - 2, 0.5 - 1 + 1} = {-0.5, -1.5, -4, 0.5}
    double[] expected = {-0.1 * GAIN, -0.3 * GAIN, -0.8 * GAIN, 0.5 * GAIN};
    for (DType t : DType.values()) {
      Tensor y = Functional.biasLeakyRelu(x.to(t), b.to(t), n.to(t), 0.2, GAIN, DataFormat.NCHW);
      assertArrayEquals(expected, y.toDoubleArray(), t == DType.FLOAT64 ? 1e-15 : 1e-6, t.name());
    }
  }

  @Test
  void float32OnOneDnnMatchesTheComposedOpsInFloat64() {
    assumeTrue(DnnConv.REASON == null, DnnConv.REASON);
    Rng rng = new Rng(7);
    record Case(long[] shape, DataFormat format, boolean bias, boolean noise) {}
    List<Case> cases =
        List.of(
            new Case(new long[] {4, 8, 8, 32}, DataFormat.NHWC, true, true),
            new Case(new long[] {4, 8, 8, 32}, DataFormat.NHWC, true, false),
            new Case(new long[] {4, 8, 8, 32}, DataFormat.NHWC, false, true),
            new Case(new long[] {4, 32, 8, 8}, DataFormat.NCHW, true, true),
            new Case(new long[] {4, 32, 8, 8}, DataFormat.NCHW, true, false),
            new Case(new long[] {4, 32, 8, 8}, DataFormat.NCHW, false, true),
            new Case(new long[] {4, 32, 8, 8}, DataFormat.NCHW, false, false),
            new Case(new long[] {16, 100}, DataFormat.NCHW, true, false),
            new Case(new long[] {5, 7, 3, 1}, DataFormat.NHWC, true, true));
    for (Case c : cases) {
      String where =
          c.format()
              + " "
              + Arrays.toString(c.shape())
              + " bias "
              + c.bias()
              + " noise "
              + c.noise();
      int axis = c.shape().length == 4 ? c.format().channelAxis() : 1;
      long[] noiseShape = c.shape().clone();
      noiseShape[axis] = 1;
      Tensor x = Tensor.of(rng.normalArray(DType.FLOAT32, 0, 1, c.shape()));
      Tensor b = c.bias() ? Tensor.of(rng.normalArray(DType.FLOAT32, 0, 1, c.shape()[axis])) : null;
      Tensor n = c.noise() ? Tensor.of(rng.normalArray(DType.FLOAT32, 0, 1, noiseShape)) : null;
      Tensor g = Tensor.of(rng.normalArray(DType.FLOAT32, 0, 1, c.shape()));
      List<Tensor> fused = valueAndGrads(x, b, n, g, c.format(), true);
      List<Tensor> composed =
          valueAndGrads(
              x.to(DType.FLOAT64),
              b == null ? null : b.to(DType.FLOAT64),
              n == null ? null : n.to(DType.FLOAT64),
              g.to(DType.FLOAT64),
              c.format(),
              false);
      for (int i = 0; i < fused.size(); i++) {
        TensorAssert.assertClose(composed.get(i), fused.get(i), TOL, where + " output " + i);
      }
    }
  }

  /** The output, then the gradients of x, bias and noise (as present) for the cotangent g. */
  private static List<Tensor> valueAndGrads(
      Tensor x, Tensor b, Tensor n, Tensor g, DataFormat f, boolean fused) {
    Tensor xl = Tensor.leaf(x.data(), true);
    Tensor bl = b == null ? null : Tensor.leaf(b.data(), true);
    Tensor nl = n == null ? null : Tensor.leaf(n.data(), true);
    Tensor y;
    if (fused) {
      y = Functional.biasLeakyRelu(xl, bl, nl, 0.2, GAIN, f);
    } else {
      Tensor z = nl == null ? xl : xl.add(nl);
      if (bl != null) {
        z =
            z.add(
                bl.reshape(
                    xl.rank() == 4 ? f.channelShape(bl.numel()) : new long[] {1, bl.numel()}));
      }
      y = z.leakyRelu(0.2).mul(GAIN);
    }
    List<Tensor> wrt = new ArrayList<>(List.of(xl));
    if (bl != null) {
      wrt.add(bl);
    }
    if (nl != null) {
      wrt.add(nl);
    }
    List<Tensor> out = new ArrayList<>(List.of(y));
    out.addAll(Autograd.grad(List.of(y), wrt, List.of(g), false));
    return out;
  }

  @Test
  void theSharedShapesRunOnOneDnn() {
    assumeTrue(DnnConv.REASON == null, DnnConv.REASON);
    DnnEltwise dnn = engine.oneDnnEltwise();
    Rng rng = new Rng(3);
    INDArray x = rng.normalArray(DType.FLOAT32, 0, 1, 2, 4, 4, 16);
    INDArray b = rng.normalArray(DType.FLOAT32, 0, 1, 1, 1, 1, 16);
    INDArray n = rng.normalArray(DType.FLOAT32, 0, 1, 2, 4, 4, 1);
    assertNotNull(dnn.biasLeakyRelu(x, b, n, 3, 0.2, GAIN, false), "NHWC bias + noise");
    assertNotNull(dnn.biasLeakyRelu(x, null, null, 3, 0.2, GAIN, false), "plain");
    assertNotNull(dnn.leakyReluGrad(x, x, 0.2, GAIN), "backward");
    // float64 is not for oneDNN: the callers take libnd4j's ops
    assertNull(dnn.biasLeakyRelu(x.castTo(DataType.DOUBLE), null, null, 3, 0.2, 1, false));
  }

  @Test
  void inPlaceEqualsOutOfPlace() {
    Rng rng = new Rng(11);
    for (DataFormat f : DataFormat.values()) {
      Tensor x = Tensor.of(rng.normalArray(DType.FLOAT32, 0, 1, f.shape(3, 16, 5, 6)));
      Tensor b = Tensor.of(rng.normalArray(DType.FLOAT32, 0, 1, 16));
      Tensor n = Tensor.of(rng.normalArray(DType.FLOAT32, 0, 1, f.shape(3, 1, 5, 6)));
      Tensor expected;
      Tensor target;
      try (GradMode.Guard off = GradMode.disabled()) {
        expected = Functional.biasLeakyRelu(x, b, n, 0.2, GAIN, f);
        target = x.mul(1.0);
        assertSame(target, InPlace.biasLeakyRelu(target, b, n, 0.2, GAIN, f));
      }
      TensorAssert.assertClose(expected, target, 1e-7, f + " in place");
    }
  }

  @Test
  void aNoiseOfAnotherShapeIsAddedFirst() {
    Rng rng = new Rng(12);
    for (DataFormat f : DataFormat.values()) {
      Tensor x = Tensor.of(rng.normalArray(DType.FLOAT64, 0, 1, f.shape(2, 4, 3, 5)));
      Tensor b = Tensor.of(rng.normalArray(DType.FLOAT64, 0, 1, 4));
      for (long[] shape : new long[][] {f.shape(1, 1, 3, 5), f.shape(2, 4, 3, 5)}) {
        Tensor n = Tensor.of(rng.normalArray(DType.FLOAT64, 0, 1, shape));
        Tensor expected = x.add(n).add(b.reshape(f.channelShape(4))).leakyRelu(0.2, GAIN);
        TensorAssert.assertClose(
            expected,
            Functional.biasLeakyRelu(x, b, n, 0.2, GAIN, f),
            1e-15,
            f + " noise " + Arrays.toString(shape));
        Tensor target = x.mul(1.0);
        InPlace.biasLeakyRelu(target, b, n, 0.2, GAIN, f);
        TensorAssert.assertClose(expected, target, 1e-15, f + " in place");
      }
    }
  }

  @Test
  void badShapesAndSlopesAreRefusedByName() {
    Tensor x = Tensor.zeros(DType.FLOAT32, 2, 3, 4, 4);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Functional.biasLeakyRelu(
                    x, Tensor.zeros(DType.FLOAT32, 4), null, 0.2, 1, DataFormat.NCHW));
    assertTrue(e.getMessage().contains("bias [3]"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Functional.biasLeakyRelu(
                    x, null, Tensor.zeros(DType.FLOAT32, 3, 1, 4, 4), 0.2, 1, DataFormat.NCHW));
    assertTrue(e.getMessage().contains("noise that broadcasts"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Functional.biasLeakyRelu(
                    x, Tensor.zeros(DType.FLOAT32, 3), null, 1.5, 1, DataFormat.NCHW));
    assertTrue(e.getMessage().contains("0 <= alpha <= 1"), e.getMessage());
  }
}
