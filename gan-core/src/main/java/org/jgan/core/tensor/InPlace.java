package org.jgan.core.tensor;

import java.util.Arrays;
import org.jgan.core.autograd.GradMode;
import org.jgan.core.autograd.Profiler;
import org.jgan.core.kernels.Backend;
import org.jgan.core.kernels.DataFormat;
import org.jgan.core.kernels.Engine;
import org.jgan.core.kernels.Kernels;
import org.jgan.core.kernels.Shapes;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Element-wise updates that overwrite a tensor's own array, for paths that record no graph
 * (inference, or a generator's forward inside a discriminator step). An op that writes a fresh
 * array streams three arrays through memory (two reads and the write of a new one); updating in
 * place streams one, read and written (docs/benchmarks.md measures the four passes after a
 * modulated convolution).
 *
 * <p>The caller must own the target: a result it has just computed and handed to no one. A tensor
 * that a graph saved, a parameter or a caller's input must never be a target; {@link #allowed} only
 * says that no graph is being recorded, not who else holds the array.
 *
 * <p>A backend without in-place updates ({@link Backend#inPlace()} false) makes {@link #allowed}
 * answer false, so that callers take their out-of-place ops (for comparing the two, or ruling the
 * updates out when hunting a wrong value).
 */
public final class InPlace {
  private InPlace() {}

  /**
   * True when no op on these tensors records a graph (gradients are off, or none of them requires
   * one), the condition for updating their results in place.
   */
  public static boolean allowed(Tensor... involved) {
    return Engine.current().backend().inPlace() && !recording(involved);
  }

  private static boolean recording(Tensor... involved) {
    if (GradMode.isEnabled()) {
      for (Tensor t : involved) {
        if (t != null && t.requiresGrad()) {
          return true;
        }
      }
    }
    return false;
  }

  /** {@code target *= b}, {@code b} broadcast to {@code target}'s shape; returns {@code target}. */
  public static Tensor mul(Tensor target, Tensor b) {
    INDArray t = checked("mul", target, b);
    Profiler.run("mul_", new Tensor[] {target, b}, () -> Kernels.mulInPlace(t, b.data()));
    return target;
  }

  /** {@code target += b}, {@code b} broadcast to {@code target}'s shape; returns {@code target}. */
  public static Tensor add(Tensor target, Tensor b) {
    INDArray t = checked("add", target, b);
    Profiler.run("add_", new Tensor[] {target, b}, () -> Kernels.addInPlace(t, b.data()));
    return target;
  }

  /**
   * {@code target = max(target, alpha target)}, the leaky ReLU for {@code 0 <= alpha <= 1} (one
   * temporary array for {@code alpha target}); returns {@code target}.
   */
  public static Tensor leakyRelu(Tensor target, double alpha) {
    if (!(alpha >= 0 && alpha <= 1)) {
      throw new IllegalArgumentException("in-place leaky ReLU needs 0 <= alpha <= 1, got " + alpha);
    }
    INDArray t = checked("leaky_relu", target, null);
    Profiler.run(
        "leaky_relu_", new Tensor[] {target}, () -> Kernels.leakyReluNoMask(t, alpha, true));
    return target;
  }

  /**
   * {@code target = gain * lrelu(target + bias + noise, alpha)}: {@link
   * org.jgan.core.nn.Functional#biasLeakyRelu} in place ({@code bias [C]} and {@code noise}, one
   * value per pixel, may be null); returns {@code target}.
   */
  public static Tensor biasLeakyRelu(
      Tensor target, Tensor bias, Tensor noise, double alpha, double gain, DataFormat format) {
    if (!(alpha >= 0 && alpha <= 1 && gain > 0)) {
      throw new IllegalArgumentException(
          "in-place leaky ReLU needs 0 <= alpha <= 1 and gain > 0, got alpha "
              + alpha
              + ", gain "
              + gain);
    }
    int axis = target.rank() == 4 ? format.channelAxis() : 1;
    Tensor b =
        bias == null
            ? null
            : bias.reshape(
                target.rank() == 4
                    ? format.channelShape(bias.numel())
                    : new long[] {1, bias.numel()});
    INDArray t = checked("bias_leaky_relu", target, b);
    long[] perPixel = target.shape();
    perPixel[axis] = 1;
    Tensor n = noise;
    if (n != null && !Arrays.equals(n.shape(), perPixel)) {
      add(target, n); // one map for the batch, or one per channel: added on its own
      n = null;
    } else if (n != null) {
      checked("bias_leaky_relu", target, n);
    }
    INDArray bd = b == null ? null : b.data();
    INDArray nd = n == null ? null : n.data();
    Profiler.run(
        "bias_leaky_relu_",
        new Tensor[] {target, b, n},
        () -> Kernels.biasLeakyRelu(t, bd, nd, axis, alpha, gain, true));
    return target;
  }

  private static INDArray checked(String op, Tensor target, Tensor b) {
    if (recording(target, b)) {
      throw new IllegalStateException(
          "in-place "
              + op
              + " while a graph is recorded (gradients are on and the"
              + " target or its operand requires one): use the out-of-place op");
    }
    INDArray t = target.data();
    if (b != null) {
      if (b.dtype() != target.dtype()) {
        throw new IllegalArgumentException(
            "in-place " + op + ": operand is " + b.dtype() + ", target " + target.dtype());
      }
      long[] shape = t.shape();
      long[] joint = Shapes.broadcast(shape, b.shape());
      if (!Arrays.equals(joint, shape)) {
        throw new IllegalArgumentException(
            "in-place "
                + op
                + ": operand "
                + Shapes.str(b.shape())
                + " would broadcast the target "
                + Shapes.str(shape)
                + " to "
                + Shapes.str(joint)
                + "; the target's shape must not grow");
      }
    }
    return t;
  }
}
