package org.jgan.core.nn;

import java.util.function.UnaryOperator;
import org.jgan.core.tensor.Tensor;

/** Parameter-free activation layers: ReLU, leaky ReLU, sigmoid, tanh, identity. */
public final class Activation extends Layer {
  private final String name;
  private final UnaryOperator<Tensor> f;

  private Activation(String name, UnaryOperator<Tensor> f) {
    this.name = name;
    this.f = f;
  }

  /** {@code max(x, 0)}. */
  public static Activation relu() {
    return new Activation("relu", Tensor::relu);
  }

  /** {@code x > 0 ? x : alpha x}. */
  public static Activation leakyRelu(double alpha) {
    return new Activation("leaky_relu(" + alpha + ")", x -> x.leakyRelu(alpha));
  }

  /** Logistic sigmoid. */
  public static Activation sigmoid() {
    return new Activation("sigmoid", Tensor::sigmoid);
  }

  /** Hyperbolic tangent. */
  public static Activation tanh() {
    return new Activation("tanh", Tensor::tanh);
  }

  /** The identity. */
  public static Activation identity() {
    return new Activation("identity", x -> x);
  }

  @Override
  public Tensor forward(Tensor x) {
    return f.apply(x);
  }

  @Override
  public String toString() {
    return name;
  }
}
