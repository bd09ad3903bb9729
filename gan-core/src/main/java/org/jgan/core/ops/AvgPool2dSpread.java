package org.jgan.core.ops;

import org.jgan.core.autograd.Autograd;
import org.jgan.core.autograd.Node;
import org.jgan.core.autograd.Op;
import org.jgan.core.kernels.DataFormat;
import org.jgan.core.kernels.Kernels;
import org.jgan.core.tensor.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The adjoint of {@link AvgPool2d}: every value of {@code g [N, C, H/k, W/k]} spread over its
 * {@code k x k} window of {@code [N, C, H, W]}, times {@code scale / k^2} (with {@code scale = k^2}
 * this is nearest-neighbour up-sampling). On libnd4j's {@code avgpool2d_bp}; the gradient is {@link
 * AvgPool2d} with the same scale.
 */
public final class AvgPool2dSpread extends Op {
  private final int k;
  private final double scale;
  private final long[] shape;
  private final DataFormat format;

  /**
   * Spreads to {@code shape} ({@code [N, C, H, W]}) from windows of {@code k}, times {@code scale /
   * k^2}.
   */
  public AvgPool2dSpread(int k, double scale, long[] shape) {
    this(k, scale, shape, DataFormat.NCHW);
  }

  /**
   * Spreads to {@code shape}, in {@code format}, from windows of {@code k}, times {@code scale /
   * k^2}.
   */
  public AvgPool2dSpread(int k, double scale, long[] shape, DataFormat format) {
    this.k = k;
    this.scale = scale;
    this.shape = shape.clone();
    this.format = format;
  }

  @Override
  public String name() {
    return "avg_pool2d_spread";
  }

  @Override
  public INDArray forward(INDArray... in) {
    INDArray out = Kernels.alloc(in[0].dataType(), shape);
    // avgpool2d_bp reads only the shape of its first input (the pooled array), so the output serves
    Kernels.custom(
        "avgpool2d_bp",
        new INDArray[] {out, in[0]},
        new INDArray[] {out},
        k,
        k,
        k,
        k,
        0,
        0,
        1,
        1,
        0,
        0,
        format.nd4jCode());
    if (scale != 1.0) {
      out.muli(scale);
    }
    return out;
  }

  @Override
  public Tensor[] backward(Node n, Tensor g) {
    return new Tensor[] {Autograd.apply(new AvgPool2d(k, scale, format), g)};
  }
}
