package org.jgan.core.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jgan.core.autograd.Autograd;
import org.jgan.core.autograd.GradMode;
import org.jgan.core.kernels.DataFormat;
import org.jgan.core.nn.Functional;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.testing.LeakCheck;
import org.jgan.core.testing.TensorAssert;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The NHWC convolutions compute exactly what the NCHW ones do on the same maps, rearranged: in
 * float32 on oneDNN (the path the networks take) as well as float64, forward and every gradient,
 * through the fused backward kernels and the recorded composite ones.
 */
class DataFormatTest {
  private static final DataFormat C = DataFormat.NCHW;
  private static final DataFormat L = DataFormat.NHWC;

  @AfterEach
  void noLeak() {
    LeakCheck.assertNoOpenScope();
  }

  @Test
  void axesAndShapes() {
    assertArrayEquals(new long[] {2, 3, 4, 5}, C.shape(2, 3, 4, 5));
    assertArrayEquals(new long[] {2, 4, 5, 3}, L.shape(2, 3, 4, 5));
    assertArrayEquals(new long[] {1, 1, 1, 7}, L.channelShape(7));
    assertArrayEquals(new long[] {6, 7, 1, 1}, C.sampleChannelShape(6, 7));
    assertArrayEquals(new int[] {0, 1, 2}, L.nonChannelAxes());
    assertEquals(3, L.channels(new long[] {2, 4, 5, 3}));
  }

  @Test
  void convertMovesTheChannelAxis() {
    Tensor x = Tensor.of(new Rng(1).normalArray(DType.FLOAT32, 0, 1, 2, 3, 4, 5));
    Tensor y = Functional.relayout(x, C, L);
    assertArrayEquals(new long[] {2, 4, 5, 3}, y.shape());
    assertEquals(x.data().getDouble(1, 2, 3, 4), y.data().getDouble(1, 3, 4, 2), 0.0);
    assertTrue(
        y.data().ordering() == 'c' && y.data().stride(3) == 1, "converted tensor is row-major");
    TensorAssert.assertClose(x, Functional.relayout(y, L, C), 0.0, "round trip");
    assertSame(x, Functional.relayout(x, C, C));
    // One channel: the same memory, a reshape.
    Tensor grey = Tensor.of(new Rng(2).normalArray(DType.FLOAT32, 0, 1, 2, 1, 3, 3));
    Tensor g = Functional.relayout(grey, C, L);
    assertArrayEquals(new long[] {2, 3, 3, 1}, g.shape());
    assertEquals(grey.data().getDouble(1, 0, 2, 1), g.data().getDouble(1, 2, 1, 0), 0.0);
    assertThrows(
        IllegalArgumentException.class,
        () -> Functional.relayout(Tensor.zeros(DType.FLOAT32, 2, 3), C, L));
  }

  @Test
  void shapeErrorsNameTheLayout() {
    Tensor x = Tensor.zeros(DType.FLOAT32, 1, 5, 5, 3);
    Tensor w = Tensor.zeros(DType.FLOAT32, 4, 5, 3, 3);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Conv.conv2d(x, w, null, 1, 1, L));
    assertTrue(
        e.getMessage().contains("NHWC") && e.getMessage().contains("3 channels"), e.getMessage());
  }

  @Test
  void float32ConvolutionsMatchAcrossLayouts() {
    for (int[] geo : new int[][] {{3, 1, 1}, {4, 2, 1}, {1, 1, 0}, {3, 2, 0}}) {
      int k = geo[0];
      int stride = geo[1];
      int pad = geo[2];
      compare(DType.FLOAT32, 3, 16, 8, 9, k, stride, pad, 2e-6);
    }
    compare(DType.FLOAT64, 2, 5, 4, 7, 3, 1, 1, 1e-12);
  }

  @Test
  void averagePoolingMatchesAcrossLayouts() {
    Rng rng = new Rng(3);
    Tensor x = Tensor.leaf(rng.normalArray(DType.FLOAT32, 0, 1, 3, 5, 8, 6), true);
    Tensor xl = Tensor.leaf(Functional.relayout(x, C, L).detach().data(), true);
    Tensor y = Functional.avgPool2d(x, 2);
    Tensor yl = Functional.avgPool2d(xl, 2, L);
    TensorAssert.assertClose(Functional.relayout(y, C, L), yl, 1e-6, "avg pool");
    Tensor gy = Tensor.of(rng.normalArray(DType.FLOAT32, 0, 1, y.shape()));
    Tensor g =
        Autograd.grad(List.of(Functional.avgPool2d(x, 2)), List.of(x), List.of(gy), false).get(0);
    Tensor gl =
        Autograd.grad(
                List.of(Functional.avgPool2d(xl, 2, L)),
                List.of(xl),
                List.of(Functional.relayout(gy, C, L)),
                false)
            .get(0);
    TensorAssert.assertClose(Functional.relayout(g, C, L), gl, 1e-6, "avg pool gradient");
  }

  /**
   * conv2d, conv_transpose2d and the weight gradient, with all their gradients, in both layouts.
   */
  private static void compare(
      DType t, int n, int cin, int cout, int size, int k, int stride, int pad, double tol) {
    Rng rng = new Rng(7 + k + stride);
    Tensor x = Tensor.leaf(rng.normalArray(t, 0, 1, n, cin, size, size), true);
    Tensor w = Tensor.leaf(rng.normalArray(t, 0, 0.2, cout, cin, k, k), true);
    Tensor b = Tensor.leaf(rng.normalArray(t, 0, 1, cout), true);
    Tensor xl = Tensor.leaf(Functional.relayout(x, C, L).detach().data(), true);
    String what = t + " k" + k + " s" + stride + " p" + pad;

    Tensor y = Conv.conv2d(x, w, b, stride, pad);
    Tensor yl = Conv.conv2d(xl, w, b, stride, pad, L);
    TensorAssert.assertClose(Functional.relayout(y, C, L), yl, tol, "conv2d " + what);
    Tensor gy = Tensor.of(rng.normalArray(t, 0, 1, y.shape()));
    Tensor gyl = Functional.relayout(gy, C, L);
    for (boolean record : new boolean[] {false, true}) {
      List<Tensor> g =
          Autograd.grad(
              List.of(Conv.conv2d(x, w, b, stride, pad)), List.of(x, w, b), List.of(gy), record);
      List<Tensor> gl =
          Autograd.grad(
              List.of(Conv.conv2d(xl, w, b, stride, pad, L)),
              List.of(xl, w, b),
              List.of(gyl),
              record);
      TensorAssert.assertClose(
          Functional.relayout(g.get(0), C, L),
          gl.get(0),
          tol,
          "conv2d dx " + what + " recorded " + record);
      TensorAssert.assertClose(
          g.get(1), gl.get(1), tol, "conv2d dw " + what + " recorded " + record);
      TensorAssert.assertClose(
          g.get(2), gl.get(2), tol, "conv2d db " + what + " recorded " + record);
    }

    try (GradMode.Guard off = GradMode.disabled()) {
      Tensor wt = Tensor.of(rng.normalArray(t, 0, 0.2, cin, cout, k, k));
      TensorAssert.assertClose(
          Functional.relayout(Conv.transpose(x, wt, b, stride, pad, 0, 0), C, L),
          Conv.transpose(xl, wt, b, stride, pad, 0, 0, L),
          tol,
          "conv_transpose2d " + what);
      if (stride > 1) {
        TensorAssert.assertClose(
            Functional.relayout(Conv.transpose(x, wt, b, stride, pad, 1, 1), C, L),
            Conv.transpose(xl, wt, b, stride, pad, 1, 1, L),
            tol,
            "conv_transpose2d output padding " + what);
      }
      TensorAssert.assertClose(
          Conv.weightGrad(x, gy, stride, pad, k, k),
          Conv.weightGrad(xl, gyl, stride, pad, k, k, L),
          tol,
          "conv2d weight grad " + what);
    }
  }
}
