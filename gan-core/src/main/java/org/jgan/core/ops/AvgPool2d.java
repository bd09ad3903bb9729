package org.jgan.core.ops;

import org.jgan.core.autograd.Autograd;
import org.jgan.core.autograd.Node;
import org.jgan.core.autograd.Op;
import org.jgan.core.kernels.DataFormat;
import org.jgan.core.kernels.Kernels;
import org.jgan.core.tensor.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code scale} times the average over non-overlapping {@code k x k} windows of {@code x [N, C, H,
 * W]} (H and W multiples of k; {@code [N, H, W, C]} in the NHWC format), on libnd4j's {@code
 * avgpool2d} (oneDNN for float32). Its gradient is {@link AvgPool2dSpread}, the adjoint, whose own
 * gradient is this op again, so the pair is closed under differentiation.
 */
public final class AvgPool2d extends Op {
  private final int k;
  private final double scale;
  private final DataFormat format;

  /** Average pooling of NCHW maps by {@code k}, multiplied by {@code scale}. */
  public AvgPool2d(int k, double scale) {
    this(k, scale, DataFormat.NCHW);
  }

  /** Average pooling by {@code k} of maps in {@code format}, multiplied by {@code scale}. */
  public AvgPool2d(int k, double scale, DataFormat format) {
    this.k = k;
    this.scale = scale;
    this.format = format;
  }

  @Override
  public String name() {
    return "avg_pool2d";
  }

  @Override
  public INDArray forward(INDArray... in) {
    long[] s = in[0].shape();
    DataFormat f = format;
    long[] outShape = f.shape(s[0], f.channels(s), s[f.heightAxis()] / k, s[f.widthAxis()] / k);
    INDArray out = Kernels.alloc(in[0].dataType(), outShape);
    // kernel, stride, padding, dilation, same-mode off, divisor mode 0, data format
    Kernels.custom(
        "avgpool2d",
        new INDArray[] {in[0]},
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
        f.nd4jCode());
    if (scale != 1.0) {
      out.muli(scale);
    }
    return out;
  }

  @Override
  public Tensor[] backward(Node n, Tensor g) {
    return new Tensor[] {
      Autograd.apply(new AvgPool2dSpread(k, scale, n.input(0).shape(), format), g)
    };
  }
}
