package org.jgan.core.ops;

import org.jgan.core.autograd.Autograd;
import org.jgan.core.autograd.Node;
import org.jgan.core.autograd.Op;
import org.jgan.core.tensor.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code scale} times the average over non-overlapping {@code k x k} windows of {@code x [N, C, H,
 * W]} (H and W multiples of k), on libnd4j's {@code avgpool2d} (oneDNN for float32). Its gradient is
 * {@link AvgPool2dSpread}, the adjoint, whose own gradient is this op again, so the pair is closed
 * under differentiation.
 */
public final class AvgPool2d extends Op {
  private final int k;
  private final double scale;

  /** Average pooling by {@code k}, multiplied by {@code scale}. */
  public AvgPool2d(int k, double scale) {
    this.k = k;
    this.scale = scale;
  }

  @Override
  public String name() {
    return "avg_pool2d";
  }

  @Override
  public INDArray forward(INDArray... in) {
    long[] s = in[0].shape();
    INDArray out = Kernels.alloc(in[0].dataType(), s[0], s[1], s[2] / k, s[3] / k);
    // kernel, stride, padding, dilation, same-mode off, divisor mode 0, NCHW
    Kernels.custom("avgpool2d", new INDArray[] {in[0]}, new INDArray[] {out}, k, k, k, k, 0, 0, 1, 1, 0, 0, 0);
    if (scale != 1.0) {
      out.muli(scale);
    }
    return out;
  }

  @Override
  public Tensor[] backward(Node n, Tensor g) {
    return new Tensor[] {Autograd.apply(new AvgPool2dSpread(k, scale, n.input(0).shape()), g)};
  }
}
