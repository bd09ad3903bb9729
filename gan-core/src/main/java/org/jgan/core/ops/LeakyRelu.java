package org.jgan.core.ops;

import java.util.Arrays;
import org.jgan.core.autograd.Autograd;
import org.jgan.core.autograd.Node;
import org.jgan.core.autograd.Op;
import org.jgan.core.kernels.Kernels;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.tensor.TensorScope;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code y = gain * lrelu(x + b + n, alpha)}: leaky ReLU ({@code z > 0 ? z : alpha z}) with a gain
 * (StyleGAN2's {@code sqrt(2)}), optionally after adding a per-channel bias {@code b} and a
 * per-pixel noise {@code n} in the same pass (StyleGAN2-ADA's {@code bias_act}). d/dz = {@code g m}
 * with {@code m = gain (z > 0 ? 1 : alpha)} (alpha at exactly 0, PyTorch's convention); the bias
 * and noise gradients are that summed over what they were broadcast along (by the engine). The mask
 * is piecewise constant, so the second derivative is 0.
 *
 * <p>For {@code 0 <= alpha <= 1} and {@code gain > 0} (every use in the library) {@code y} has
 * {@code z}'s sign, so the backward reads the mask from the output ({@link LeakyReluGrad}) and the
 * forward keeps nothing: one pass over memory on oneDNN ({@link Kernels#biasLeakyRelu}). Other
 * slopes (no bias or noise then) keep the mask from the forward, made only when {@code
 * forBackward}.
 */
public final class LeakyRelu extends Op {
  private final double alpha;
  private final double gain;
  private final int channelAxis;
  private final boolean bias;
  private final boolean noise;
  private final boolean forBackward;
  private INDArray mask;

  /**
   * Leaky ReLU with negative slope {@code alpha}, scaled by {@code gain}; {@code forBackward} false
   * promises that {@link #backward} will not be called (no graph is recorded).
   */
  public LeakyRelu(double alpha, double gain, boolean forBackward) {
    this(alpha, gain, -1, false, false, forBackward);
  }

  /**
   * The op on {@code x}, then (as present) a bias {@code [C]} broadcast along {@code channelAxis}
   * (given with {@code x}'s rank, size 1 elsewhere) and a noise (one value per pixel: {@code x}'s
   * shape with the channel axis 1), as inputs in that order.
   *
   * @throws IllegalArgumentException for a bias or noise with a slope outside {@code [0, 1]} or a
   *     gain that is not positive
   */
  public LeakyRelu(
      double alpha,
      double gain,
      int channelAxis,
      boolean bias,
      boolean noise,
      boolean forBackward) {
    if ((bias || noise) && !fromOutput(alpha, gain)) {
      throw new IllegalArgumentException(
          "leaky_relu with a bias or noise needs 0 <= alpha <= 1 and gain > 0, got alpha "
              + alpha
              + ", gain "
              + gain);
    }
    this.alpha = alpha;
    this.gain = gain;
    this.channelAxis = channelAxis;
    this.bias = bias;
    this.noise = noise;
    this.forBackward = forBackward;
  }

  private static boolean fromOutput(double alpha, double gain) {
    return alpha >= 0 && alpha <= 1 && gain > 0;
  }

  @Override
  public String name() {
    return bias || noise ? "bias_leaky_relu" : "leaky_relu";
  }

  @Override
  public INDArray forward(INDArray... in) {
    if (fromOutput(alpha, gain)) {
      for (int i = 1; i < in.length; i++) {
        Kernels.checkSameType(name(), in[0], in[i]);
      }
      INDArray b = bias ? in[1] : null;
      INDArray n = noise ? in[bias ? 2 : 1] : null;
      return Kernels.biasLeakyRelu(in[0], b, n, channelAxis, alpha, gain, false);
    }
    INDArray m = Kernels.leakyReluMask(in[0], alpha, gain);
    INDArray out = Kernels.mul(in[0], m);
    if (forBackward) {
      mask = m;
      TensorScope.register(mask);
    } else {
      Kernels.free(m);
    }
    return out;
  }

  @Override
  public Tensor[] backward(Node n, Tensor g) {
    if (!forBackward) {
      throw new IllegalStateException(
          "leaky_relu: created without a graph for the backward (forBackward = false)");
    }
    Tensor gz =
        mask != null
            ? g.mul(Tensor.of(mask))
            : Autograd.apply(new LeakyReluGrad(n.output().data(), alpha, gain), g);
    Tensor[] grads = new Tensor[1 + (bias ? 1 : 0) + (noise ? 1 : 0)];
    Arrays.fill(grads, gz);
    return grads;
  }
}
