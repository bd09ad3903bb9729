package org.jgan.core.ops;

import org.jgan.core.autograd.Node;
import org.jgan.core.autograd.Op;
import org.jgan.core.kernels.Kernels;
import org.jgan.core.tensor.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Reverses the order of elements along the given axes (e.g. a kernel's spatial axes, turning a
 * correlation into a convolution); the gradient is flipped back.
 */
public final class Flip extends Op {
  private final int[] axes;

  /** Flips along {@code axes} (non-negative). */
  public Flip(int... axes) {
    this.axes = axes.clone();
  }

  @Override
  public String name() {
    return "flip";
  }

  @Override
  public INDArray forward(INDArray... in) {
    INDArray x = in[0];
    long[] s = x.shape();
    boolean trailing = axes.length > 0;
    long m = 1;
    for (int i = 0; i < axes.length; i++) {
      trailing &= axes[i] == s.length - axes.length + i;
      m *= s[axes[i]];
    }
    INDArray out = Kernels.alloc(x.dataType(), s);
    if (trailing && m <= 1024 && m > 1) {
      // Reversing all trailing axes reverses each row of the [rows, m] view: one GEMM with the
      // exchange matrix, far faster than libnd4j's generic "reverse" (~60x on conv weights).
      INDArray exchange = Kernels.full(x.dataType(), 0.0, m, m);
      for (long i = 0; i < m; i++) {
        exchange.putScalar(new long[] {i, m - 1 - i}, 1.0);
      }
      INDArray rows = x.reshape('c', x.length() / m, m);
      Kernels.custom(
          "matmul",
          new INDArray[] {rows, exchange},
          new INDArray[] {out.reshape('c', x.length() / m, m)},
          0,
          0);
      Kernels.free(exchange);
      return out;
    }
    Kernels.custom("reverse", new INDArray[] {x}, new INDArray[] {out}, axes);
    return out;
  }

  @Override
  public Tensor[] backward(Node n, Tensor g) {
    return new Tensor[] {g.flip(axes)};
  }
}
