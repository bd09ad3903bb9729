package org.jgan.core.nn;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.testing.TensorAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every layer passes float64 finite-difference checks with respect to its input and parameters. */
class LayerGradientTest {
  static Stream<Arguments> layers() {
    Rng rng = new Rng(11);
    return Stream.of(
        Arguments.of("Linear", new Linear(5, 3, rng), new long[] {4, 5}),
        Arguments.of("Linear no bias", new Linear(5, 3, false, rng), new long[] {4, 5}),
        Arguments.of("Conv2d s2 p1", new Conv2d(2, 3, 3, 2, 1, true, rng), new long[] {2, 2, 6, 6}),
        Arguments.of(
            "ConvTranspose2d k4 s2 p1",
            new ConvTranspose2d(3, 2, 4, 2, 1, true, rng),
            new long[] {2, 3, 3, 3}),
        Arguments.of("BatchNorm2d (train)", BatchNorm.of2d(3), new long[] {4, 3, 2, 2}),
        Arguments.of("BatchNorm1d (train)", BatchNorm.of1d(3), new long[] {5, 3}),
        Arguments.of(
            "Sequential conv-lrelu-flatten-linear",
            new Sequential(
                new Conv2d(1, 2, 3, 1, 1, true, rng),
                Activation.leakyRelu(0.2),
                new Flatten(),
                new Linear(2 * 4 * 4, 1, rng)),
            new long[] {2, 1, 4, 4}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("layers")
  void gradientsMatchFiniteDifferences(String name, Layer layer, long[] inputShape) {
    layer.to(DType.FLOAT64);
    Tensor x = Tensor.leaf(new Rng(3).normalArray(DType.FLOAT64, 0, 1, inputShape), true);
    List<Tensor> inputs = new ArrayList<>();
    inputs.add(x);
    for (Parameter p : layer.parameters()) {
      inputs.add(p.value());
    }
    TensorAssert.assertGradients(xs -> List.of(layer.forward(xs.get(0))), inputs, 1e-6);
    TensorAssert.assertSecondOrder(xs -> List.of(layer.forward(xs.get(0))), inputs, 1e-6);
  }

  @Test
  void embeddingGradientScattersIntoLookedUpRows() {
    Embedding e = new Embedding(4, 3, new Rng(1));
    e.to(DType.FLOAT64);
    int[] idx = {2, 0, 2};
    TensorAssert.assertGradients(xs -> List.of(e.forward(idx)), List.of(e.weight().value()), 1e-6);
    e.forward(idx).sum().backward();
    // rows 0 and 2 were used (2 twice), rows 1 and 3 not
    TensorAssert.assertClose(
        Tensor.of(new double[] {1, 1, 1, 0, 0, 0, 2, 2, 2, 0, 0, 0}, 4, 3),
        e.weight().grad(),
        0,
        "embedding grad");
  }
}
