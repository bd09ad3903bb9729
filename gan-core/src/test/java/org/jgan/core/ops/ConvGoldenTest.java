package org.jgan.core.ops;

import java.util.List;
import org.jgan.core.autograd.Autograd;
import org.jgan.core.kernels.DataFormat;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.testing.Golden;
import org.jgan.core.testing.TensorAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Convolutions against PyTorch 1.13 float64 values (golden/README.md). */
class ConvGoldenTest {
  private static final double TOL = 1e-10;

  @ParameterizedTest
  @ValueSource(
      strings = {"conv2d_s1p1", "conv2d_s2p0", "conv2d_s2p1_k4", "conv_transpose2d_s2p1_k4"})
  void valuesAndGradientsMatchPyTorch(String name) {
    Golden c = Golden.load(name);
    Tensor x = c.leaf("x");
    Tensor w = c.leaf("w");
    Tensor b = c.leaf("b");
    int stride = (int) c.meta("stride");
    int padding = (int) c.meta("padding");
    Tensor y =
        name.startsWith("conv_transpose")
            ? Conv.transpose(x, w, b, stride, padding, 0, 0)
            : Conv.conv2d(x, w, b, stride, padding);
    TensorAssert.assertClose(c.get("y"), y, TOL, name + " y");
    for (boolean createGraph : new boolean[] {false, true}) {
      Tensor yy =
          name.startsWith("conv_transpose")
              ? Conv.transpose(x, w, b, stride, padding, 0, 0)
              : Conv.conv2d(x, w, b, stride, padding);
      List<Tensor> g =
          Autograd.grad(List.of(yy), List.of(x, w, b), List.of(c.get("g")), createGraph);
      TensorAssert.assertClose(c.get("dx"), g.get(0), TOL, name + " dx");
      TensorAssert.assertClose(c.get("dw"), g.get(1), TOL, name + " dw");
      TensorAssert.assertClose(c.get("db"), g.get(2), TOL, name + " db");
    }
  }

  @Test
  void oneInputChannel1x1IsTheSameConvolutionAsOneDnnComputes() {
    Rng rng = new Rng(3);
    Tensor x = Tensor.leaf(rng.normal(DType.FLOAT64, 3, 1, 5, 4).data(), true);
    Tensor w = Tensor.leaf(rng.normal(DType.FLOAT64, 6, 1, 1, 1).data(), true);
    Tensor b = Tensor.leaf(rng.normal(DType.FLOAT64, 6).data(), true);
    Tensor g = rng.normal(DType.FLOAT64, 3, 6, 5, 4);
    Tensor fast = Conv.conv2d(x, w, b, 1, 0); // the broadcast product
    Tensor kernel = Autograd.apply(new Conv2d(1, 0, DataFormat.NCHW), x, w, b); // oneDNN
    TensorAssert.assertClose(kernel, fast, TOL, "y");
    List<Tensor> gf = Autograd.grad(List.of(fast), List.of(x, w, b), List.of(g), false);
    List<Tensor> gk = Autograd.grad(List.of(kernel), List.of(x, w, b), List.of(g), false);
    for (int i = 0; i < 3; i++) {
      TensorAssert.assertClose(gk.get(i), gf.get(i), TOL, "gradient " + i);
    }
  }
}
