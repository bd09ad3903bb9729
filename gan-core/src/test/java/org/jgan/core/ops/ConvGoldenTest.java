package org.jgan.core.ops;

import java.util.List;
import org.jgan.core.autograd.Autograd;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.testing.Golden;
import org.jgan.core.testing.TensorAssert;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Convolutions against PyTorch 1.13 float64 values (golden/README.md). */
class ConvGoldenTest {
  private static final double TOL = 1e-10;

  @ParameterizedTest
  @ValueSource(strings = {"conv2d_s1p1", "conv2d_s2p0", "conv2d_s2p1_k4", "conv_transpose2d_s2p1_k4"})
  void valuesAndGradientsMatchPyTorch(String name) {
    Golden c = Golden.load(name);
    Tensor x = c.leaf("x");
    Tensor w = c.leaf("w");
    Tensor b = c.leaf("b");
    int stride = (int) c.meta("stride");
    int padding = (int) c.meta("padding");
    Tensor y = name.startsWith("conv_transpose")
        ? Conv.transpose(x, w, b, stride, padding, 0, 0)
        : Conv.conv2d(x, w, b, stride, padding);
    TensorAssert.assertClose(c.get("y"), y, TOL, name + " y");
    for (boolean createGraph : new boolean[] {false, true}) {
      Tensor yy = name.startsWith("conv_transpose")
          ? Conv.transpose(x, w, b, stride, padding, 0, 0)
          : Conv.conv2d(x, w, b, stride, padding);
      List<Tensor> g = Autograd.grad(List.of(yy), List.of(x, w, b), List.of(c.get("g")), createGraph);
      TensorAssert.assertClose(c.get("dx"), g.get(0), TOL, name + " dx");
      TensorAssert.assertClose(c.get("dw"), g.get(1), TOL, name + " dw");
      TensorAssert.assertClose(c.get("db"), g.get(2), TOL, name + " db");
    }
  }
}
