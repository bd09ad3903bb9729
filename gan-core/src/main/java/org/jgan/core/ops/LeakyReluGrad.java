package org.jgan.core.ops;

import org.jgan.core.autograd.Autograd;
import org.jgan.core.autograd.Node;
import org.jgan.core.autograd.Op;
import org.jgan.core.kernels.Kernels;
import org.jgan.core.tensor.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code g * gain * (y > 0 ? 1 : alpha)}: the backward of {@link LeakyRelu} from its output {@code
 * y}, a constant here. Linear in {@code g} with the same mask, so its own gradient is this op again
 * (and a gradient of a gradient, R1 through a leaky ReLU, needs nothing more).
 */
final class LeakyReluGrad extends Op {
  private final INDArray y;
  private final double alpha;
  private final double gain;

  /** The gradient through a leaky ReLU whose output was {@code y}. */
  LeakyReluGrad(INDArray y, double alpha, double gain) {
    this.y = y;
    this.alpha = alpha;
    this.gain = gain;
  }

  @Override
  public String name() {
    return "leaky_relu_grad";
  }

  @Override
  public INDArray forward(INDArray... in) {
    return Kernels.leakyReluGrad(in[0], y, alpha, gain);
  }

  @Override
  public Tensor[] backward(Node n, Tensor g) {
    return new Tensor[] {Autograd.apply(new LeakyReluGrad(y, alpha, gain), g)};
  }
}
