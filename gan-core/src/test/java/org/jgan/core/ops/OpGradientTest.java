package org.jgan.core.ops;

import java.util.List;
import java.util.stream.Stream;
import org.jgan.core.autograd.Autograd;
import org.jgan.core.kernels.DataFormat;
import org.jgan.core.nn.Functional;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.testing.LeakCheck;
import org.jgan.core.testing.TensorAssert;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The op table: every primitive (and the composites built on them) passes a float64
 * finite-difference check of its first and second derivatives, on random shapes and values,
 * including broadcasting and convolutions with stride 2 and padding 0/1.
 */
class OpGradientTest {
  private static long[] s(long... d) {
    return d;
  }

  static Stream<OpSpec> ops() {
    return Stream.of(
        new OpSpec("add", x -> x.get(0).add(x.get(1)), OpSpec.shapes(s(3, 4), s(3, 4)), "normal"),
        new OpSpec(
            "add broadcast [2,3,4]+[3,1]",
            x -> x.get(0).add(x.get(1)),
            OpSpec.shapes(s(2, 3, 4), s(3, 1)),
            "normal"),
        new OpSpec(
            "sub broadcast [4]-[2,1,4]",
            x -> x.get(0).sub(x.get(1)),
            OpSpec.shapes(s(4), s(2, 1, 4)),
            "normal"),
        new OpSpec(
            "mul broadcast [2,3,1,5]*[3,4,1]",
            x -> x.get(0).mul(x.get(1)),
            OpSpec.shapes(s(2, 3, 1, 5), s(3, 4, 1)),
            "normal"),
        new OpSpec(
            "div broadcast",
            x -> x.get(0).div(x.get(1)),
            OpSpec.shapes(s(2, 3), s(1, 3)),
            "positive"),
        new OpSpec(
            "add/mul scalar", x -> x.get(0).mul(-1.7).add(0.3), OpSpec.shapes(s(5)), "normal"),
        new OpSpec("neg", x -> x.get(0).neg(), OpSpec.shapes(s(2, 3)), "normal"),
        new OpSpec("exp", x -> x.get(0).exp(), OpSpec.shapes(s(2, 3)), "normal"),
        new OpSpec("log", x -> x.get(0).log(), OpSpec.shapes(s(2, 3)), "positive"),
        new OpSpec("sqrt", x -> x.get(0).sqrt(), OpSpec.shapes(s(2, 3)), "positive"),
        new OpSpec("rsqrt", x -> x.get(0).rsqrt(), OpSpec.shapes(s(2, 3)), "positive"),
        new OpSpec("pow 3", x -> x.get(0).pow(3), OpSpec.shapes(s(2, 3)), "normal"),
        new OpSpec("pow -1.5", x -> x.get(0).pow(-1.5), OpSpec.shapes(s(2, 3)), "positive"),
        new OpSpec("abs", x -> x.get(0).abs(), OpSpec.shapes(s(2, 3)), "awayFromZero"),
        new OpSpec("square", x -> x.get(0).square(), OpSpec.shapes(s(2, 3)), "normal"),
        new OpSpec("relu", x -> x.get(0).relu(), OpSpec.shapes(s(3, 4)), "awayFromZero"),
        new OpSpec(
            "leaky relu", x -> x.get(0).leakyRelu(0.2), OpSpec.shapes(s(3, 4)), "awayFromZero"),
        new OpSpec(
            "leaky relu with gain",
            x -> x.get(0).leakyRelu(0.2, Math.sqrt(2)),
            OpSpec.shapes(s(3, 4)),
            "awayFromZero"),
        // the inputs scaled so that x + b + n stays away from the kink (|10 x| >= 2 > |0.4 (b +
        // n)|)
        new OpSpec(
            "bias leaky relu NCHW + bias + noise",
            x ->
                Functional.biasLeakyRelu(
                    x.get(0).mul(10),
                    x.get(1).mul(0.4),
                    x.get(2).mul(0.4),
                    0.2,
                    Math.sqrt(2),
                    DataFormat.NCHW),
            OpSpec.shapes(s(2, 3, 4, 5), s(3), s(2, 1, 4, 5)),
            "awayFromZero"),
        new OpSpec(
            "bias leaky relu NHWC + bias + noise",
            x ->
                Functional.biasLeakyRelu(
                    x.get(0).mul(10),
                    x.get(1).mul(0.4),
                    x.get(2).mul(0.4),
                    0.2,
                    Math.sqrt(2),
                    DataFormat.NHWC),
            OpSpec.shapes(s(2, 4, 5, 3), s(3), s(2, 4, 5, 1)),
            "awayFromZero"),
        new OpSpec(
            "bias leaky relu [N, C] + bias",
            x ->
                Functional.biasLeakyRelu(
                    x.get(0).mul(10), x.get(1).mul(0.4), null, 0.1, 1.0, DataFormat.NCHW),
            OpSpec.shapes(s(4, 3), s(3)),
            "awayFromZero"),
        new OpSpec(
            "bias leaky relu NHWC + noise",
            x ->
                Functional.biasLeakyRelu(
                    x.get(0).mul(10), null, x.get(1).mul(0.4), 0.2, 2.0, DataFormat.NHWC),
            OpSpec.shapes(s(2, 3, 3, 4), s(2, 3, 3, 1)),
            "awayFromZero"),
        new OpSpec("sigmoid", x -> x.get(0).sigmoid(), OpSpec.shapes(s(3, 4)), "normal"),
        new OpSpec("tanh", x -> x.get(0).tanh(), OpSpec.shapes(s(3, 4)), "normal"),
        new OpSpec("softplus", x -> x.get(0).mul(3).softplus(), OpSpec.shapes(s(3, 4)), "normal"),
        new OpSpec("sum all", x -> x.get(0).sum(), OpSpec.shapes(s(2, 3, 4)), "normal"),
        new OpSpec(
            "sum axes 0,2 keep",
            x -> x.get(0).sum(true, 0, 2),
            OpSpec.shapes(s(2, 3, 4)),
            "normal"),
        new OpSpec(
            "sum axis -1", x -> x.get(0).sum(false, -1), OpSpec.shapes(s(2, 3, 4)), "normal"),
        new OpSpec("mean axis 1", x -> x.get(0).mean(true, 1), OpSpec.shapes(s(2, 3, 4)), "normal"),
        new OpSpec(
            "variance axes 2,3",
            x -> x.get(0).variance(false, false, 2, 3),
            OpSpec.shapes(s(2, 3, 2, 3)),
            "normal"),
        new OpSpec("reshape", x -> x.get(0).reshape(4, -1), OpSpec.shapes(s(2, 3, 4)), "normal"),
        new OpSpec(
            "permute",
            x -> x.get(0).permute(2, 0, 1).mul(x.get(1)),
            OpSpec.shapes(s(2, 3, 4), s(4, 2, 3)),
            "normal"),
        new OpSpec("expand", x -> x.get(0).expand(2, 3, 4), OpSpec.shapes(s(3, 1)), "normal"),
        new OpSpec("slice", x -> x.get(0).slice(1, 1, 3), OpSpec.shapes(s(2, 4, 3)), "normal"),
        new OpSpec("pad", x -> x.get(0).pad(2, 1, 2), OpSpec.shapes(s(2, 2, 3)), "normal"),
        new OpSpec(
            "flip axes 2,3",
            x -> x.get(0).flip(2, 3).mul(x.get(1)),
            OpSpec.shapes(s(2, 2, 3, 4), s(2, 2, 3, 4)),
            "normal"),
        new OpSpec(
            "concat",
            x -> Tensor.concat(1, x.get(0), x.get(1)),
            OpSpec.shapes(s(2, 1, 3), s(2, 2, 3)),
            "normal"),
        new OpSpec(
            "stack",
            x -> Tensor.stack(0, x.get(0), x.get(1)),
            OpSpec.shapes(s(2, 3), s(2, 3)),
            "normal"),
        new OpSpec(
            "matmul", x -> x.get(0).matmul(x.get(1)), OpSpec.shapes(s(3, 4), s(4, 2)), "normal"),
        new OpSpec(
            "matmul A^T B^T",
            x -> x.get(0).matmul(x.get(1), true, true),
            OpSpec.shapes(s(4, 3), s(2, 4)),
            "normal"),
        new OpSpec(
            "matmul A B^T",
            x -> x.get(0).matmul(x.get(1), false, true),
            OpSpec.shapes(s(3, 4), s(5, 4)),
            "normal"),
        new OpSpec(
            "matmul alpha A B^T",
            x -> x.get(0).matmul(x.get(1), false, true, -0.37),
            OpSpec.shapes(s(3, 4), s(5, 4)),
            "normal"),
        new OpSpec(
            "matmul alpha A^T B",
            x -> x.get(0).matmul(x.get(1), true, false, 2.5),
            OpSpec.shapes(s(4, 3), s(4, 2)),
            "normal"),
        new OpSpec(
            "conv2d s1 p1 + bias",
            x -> Conv.conv2d(x.get(0), x.get(1), x.get(2), 1, 1),
            OpSpec.shapes(s(2, 3, 5, 5), s(4, 3, 3, 3), s(4)),
            "normal"),
        new OpSpec(
            "conv2d s2 p0",
            x -> Conv.conv2d(x.get(0), x.get(1), null, 2, 0),
            OpSpec.shapes(s(2, 2, 6, 7), s(3, 2, 3, 3)),
            "normal"),
        new OpSpec(
            "conv2d s2 p1 k4",
            x -> Conv.conv2d(x.get(0), x.get(1), x.get(2), 2, 1),
            OpSpec.shapes(s(2, 2, 8, 8), s(3, 2, 4, 4), s(3)),
            "normal"),
        new OpSpec(
            "conv2d 1x1",
            x -> Conv.conv2d(x.get(0), x.get(1), null, 1, 0),
            OpSpec.shapes(s(2, 3, 4, 4), s(2, 3, 1, 1)),
            "normal"),
        new OpSpec(
            "conv2d 1x1 one input channel + bias",
            x -> Conv.conv2d(x.get(0), x.get(1), x.get(2), 1, 0),
            OpSpec.shapes(s(2, 1, 4, 3), s(3, 1, 1, 1), s(3)),
            "normal"),
        new OpSpec(
            "conv_transpose2d s2 p1 k4",
            x -> Conv.transpose(x.get(0), x.get(1), x.get(2), 2, 1, 0, 0),
            OpSpec.shapes(s(2, 3, 3, 3), s(3, 2, 4, 4), s(2)),
            "normal"),
        new OpSpec(
            "conv_transpose2d s2 outpad 1",
            x -> Conv.transpose(x.get(0), x.get(1), x.get(2), 2, 1, 1, 1),
            OpSpec.shapes(s(1, 2, 3, 3), s(2, 2, 3, 3), s(2)),
            "normal"),
        new OpSpec(
            "conv2d weight grad s2 p1",
            x -> Conv.weightGrad(x.get(0), x.get(1), 2, 1, 3, 3),
            OpSpec.shapes(s(2, 2, 7, 7), s(2, 3, 4, 4)),
            "normal"),
        new OpSpec(
            "conv2d NHWC s1 p1 + bias",
            x -> Conv.conv2d(x.get(0), x.get(1), x.get(2), 1, 1, DataFormat.NHWC),
            OpSpec.shapes(s(2, 5, 4, 3), s(4, 3, 3, 3), s(4)),
            "normal"),
        new OpSpec(
            "conv2d NHWC s2 p1 k4 + bias",
            x -> Conv.conv2d(x.get(0), x.get(1), x.get(2), 2, 1, DataFormat.NHWC),
            OpSpec.shapes(s(2, 8, 7, 2), s(3, 2, 4, 4), s(3)),
            "normal"),
        new OpSpec(
            "conv2d NHWC 1x1 one input channel + bias",
            x -> Conv.conv2d(x.get(0), x.get(1), x.get(2), 1, 0, DataFormat.NHWC),
            OpSpec.shapes(s(2, 4, 3, 1), s(3, 1, 1, 1), s(3)),
            "normal"),
        new OpSpec(
            "conv_transpose2d NHWC s2 p1 k4 + bias",
            x -> Conv.transpose(x.get(0), x.get(1), x.get(2), 2, 1, 0, 0, DataFormat.NHWC),
            OpSpec.shapes(s(2, 3, 4, 3), s(3, 2, 4, 4), s(2)),
            "normal"),
        new OpSpec(
            "conv_transpose2d NHWC s2 outpad 1 + bias",
            x -> Conv.transpose(x.get(0), x.get(1), x.get(2), 2, 1, 1, 1, DataFormat.NHWC),
            OpSpec.shapes(s(1, 3, 2, 2), s(2, 3, 3, 3), s(3)),
            "normal"),
        new OpSpec(
            "conv2d weight grad NHWC s2 p1",
            x -> Conv.weightGrad(x.get(0), x.get(1), 2, 1, 3, 3, DataFormat.NHWC),
            OpSpec.shapes(s(2, 7, 6, 2), s(2, 4, 3, 3)),
            "normal"),
        new OpSpec(
            "NCHW to NHWC and back",
            x ->
                Functional.relayout(
                    Functional.relayout(x.get(0), DataFormat.NCHW, DataFormat.NHWC).mul(x.get(1)),
                    DataFormat.NHWC,
                    DataFormat.NCHW),
            OpSpec.shapes(s(2, 3, 2, 4), s(2, 2, 4, 3)),
            "normal"),
        new OpSpec(
            "contiguous after permute",
            x -> x.get(0).permute(1, 0).contiguous().reshape(-1),
            OpSpec.shapes(s(3, 4)),
            "normal"),
        new OpSpec(
            "avg pool 2",
            x -> Functional.avgPool2d(x.get(0), 2),
            OpSpec.shapes(s(2, 2, 4, 6)),
            "normal"),
        new OpSpec(
            "avg pool 2 NHWC",
            x -> Functional.avgPool2d(x.get(0), 2, DataFormat.NHWC),
            OpSpec.shapes(s(2, 4, 6, 3)),
            "normal"),
        new OpSpec(
            "nearest upsample 2",
            x -> Functional.upsampleNearest2d(x.get(0), 2),
            OpSpec.shapes(s(2, 2, 3, 2)),
            "normal"),
        new OpSpec(
            "avg pool 3",
            x -> Functional.avgPool2d(x.get(0), 3),
            OpSpec.shapes(s(1, 2, 6, 3)),
            "normal"),
        new OpSpec(
            "nearest upsample 3",
            x -> Functional.upsampleNearest2d(x.get(0), 3),
            OpSpec.shapes(s(1, 2, 2, 1)),
            "normal"),
        new OpSpec(
            "chain (x*y).tanh().sum(1)",
            x -> x.get(0).mul(x.get(1)).tanh().sum(false, 1),
            OpSpec.shapes(s(3, 4), s(3, 4)),
            "normal"));
  }

  @AfterEach
  void noLeak() {
    LeakCheck.assertNoOpenScope();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ops")
  void firstDerivativesMatchFiniteDifferences(OpSpec op) {
    List<Tensor> in = op.inputs(42);
    TensorAssert.assertGradients(op.asListFunction(), in, 1e-6);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ops")
  void recordedGradientsEqualPlainOnes(OpSpec op) {
    // createGraph = true takes the composite backward (conv2dTranspose, conv2dWeightGrad), false
    // may take a fused kernel: both must give the same first derivatives.
    List<Tensor> in = op.inputs(3);
    Tensor y = op.f().apply(in);
    Tensor g = Tensor.of(new Rng(5).normalArray(DType.FLOAT64, 0, 1, y.shape()));
    List<Tensor> plain = Autograd.grad(List.of(y), in, List.of(g), true);
    List<Tensor> fused = Autograd.grad(List.of(op.f().apply(in)), in, List.of(g), false);
    for (int i = 0; i < in.size(); i++) {
      TensorAssert.assertClose(plain.get(i), fused.get(i), 1e-12, op.name() + " input " + i);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ops")
  void secondDerivativesMatchFiniteDifferences(OpSpec op) {
    List<Tensor> in = op.inputs(7);
    TensorAssert.assertSecondOrder(op.asListFunction(), in, 1e-6);
  }
}
