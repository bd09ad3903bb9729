package org.jgan.models.blocks;

import org.jgan.core.kernels.Shapes;
import org.jgan.core.nn.Module;
import org.jgan.core.nn.Parameter;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;

/**
 * Fully connected layer with the equalised learning rate (Karras et al. 2018; StyleGAN2-ADA {@code
 * FullyConnectedLayer}):
 *
 * <pre>
 *   stored:  W ~ N(0, 1) / lrMul   [out, in],   b = biasInit   [out]
 *   used:    y = act(x (W lrMul / sqrt(in))^T + b lrMul) * gain(act)
 * </pre>
 *
 * Scaling at run time instead of at initialisation gives every weight the same effective learning
 * rate under Adam; {@code lrMul} (0.01 in the mapping network) slows a layer down.
 */
public final class EqualizedLinear extends Module {
  private final int in;
  private final Act act;
  private final double weightGain;
  private final double lrMul;
  private final Parameter weight;
  private final Parameter bias;

  /** A layer with lrMul 1 and bias initialised to 0. */
  public EqualizedLinear(int in, int out, Act act, Rng rng) {
    this(in, out, act, 1.0, 0.0, rng);
  }

  /**
   * A layer with a learning-rate multiplier and bias initial value ({@code Double.NaN} for no
   * bias).
   */
  public EqualizedLinear(int in, int out, Act act, double lrMul, double biasInit, Rng rng) {
    if (in < 1 || out < 1 || !(lrMul > 0)) {
      throw new IllegalArgumentException(
          "EqualizedLinear: need in, out >= 1 and lrMul > 0, got "
              + in
              + ", "
              + out
              + ", "
              + lrMul);
    }
    this.in = in;
    this.act = act;
    this.lrMul = lrMul;
    this.weightGain = lrMul / Math.sqrt(in);
    this.weight = param("weight", rng.normal(DType.FLOAT32, 0, 1.0 / lrMul, out, in));
    this.bias =
        Double.isNaN(biasInit) ? null : param("bias", Tensor.full(DType.FLOAT32, biasInit, out));
  }

  /** The stored weight {@code [out, in]}. */
  public Parameter weight() {
    return weight;
  }

  /** The stored bias, or null. */
  public Parameter bias() {
    return bias;
  }

  /** The weight as used: {@code W lrMul / sqrt(in)}, {@code [out, in]}. */
  public Tensor effectiveWeight() {
    return weight.value().mul(weightGain);
  }

  /** {@code x [N, in]} to {@code [N, out]}. */
  public Tensor forward(Tensor x) {
    Shapes.check(x.shape(), "EqualizedLinear input", -1, in);
    // the weight gain rides in the product (forward and backward), not in a pass over the weight
    Tensor y = x.matmul(weight.value(), false, true, weightGain);
    Tensor b = bias == null ? null : lrMul == 1.0 ? bias.value() : bias.value().mul(lrMul);
    return act.apply(y, b, act.gain());
  }
}
