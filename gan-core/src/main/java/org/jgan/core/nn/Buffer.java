package org.jgan.core.nn;

import org.jgan.core.kernels.Kernels;
import org.jgan.core.kernels.Shapes;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Non-trained state of a {@link Module} that is saved with it: running statistics of batch norm,
 * the tracked {@code w_avg} of a mapping network, fixed noise. Owns its array.
 */
public final class Buffer {
  private Tensor value;

  /** A buffer initialised with a copy of {@code init}. */
  public Buffer(Tensor init) {
    this.value = Tensor.of(Kernels.copy(init.data()));
  }

  /** The current value (a constant tensor). */
  public Tensor value() {
    return value;
  }

  /** Shape of the value. */
  public long[] shape() {
    return value.shape();
  }

  /**
   * Copies {@code source} into the buffer in place.
   *
   * @throws IllegalArgumentException when the shapes differ
   */
  public void copyFrom(INDArray source, String name) {
    Shapes.checkEqual(name, value.shape(), source.shape());
    value.data().assign(source);
  }

  /** Copies a tensor's values into the buffer in place. */
  public void assign(Tensor source) {
    copyFrom(source.data(), "buffer");
  }

  /**
   * Lets gradients reach the value ({@code on}: it becomes a leaf that requires a gradient, over
   * the same array) or stops them again: for code that fits a buffer by gradient descent, as a
   * projector fits a generator's constant noise. The buffer is never trained otherwise.
   */
  public void requireGrad(boolean on) {
    value = on ? Tensor.leaf(value.data(), true) : Tensor.of(value.data());
  }

  /**
   * Puts {@code replacement} (of any shape; the buffer owns it from now on) in place of the value
   * and returns the array it held, which the caller owns and must put back with another swap: for
   * code that fits a copy per sample, as a batched projector fits one noise map per image.
   */
  public INDArray swap(INDArray replacement) {
    INDArray old = value.data();
    value = Tensor.of(replacement);
    return old;
  }

  /** Converts the value to another element type. */
  public void to(DType type) {
    if (type != value.dtype()) {
      INDArray old = value.data();
      value = Tensor.of(Kernels.copy(old, type.nd4j()));
      Kernels.free(old);
    }
  }
}
