package org.jgan.models.blocks;

import org.jgan.core.autograd.Autograd;
import org.jgan.core.autograd.Node;
import org.jgan.core.autograd.Op;
import org.jgan.core.kernels.DataFormat;
import org.jgan.core.kernels.Kernels;
import org.jgan.core.kernels.Shapes;
import org.jgan.core.tensor.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A FIR filter applied to every channel alike, with symmetric zero padding and a stride: libnd4j's
 * {@code depthwise_conv2d} with the 2-D kernel repeated over channels (oneDNN in float32, faster
 * than the two matrix products of {@link Fir#separable} and their layout copies;
 * docs/benchmarks.md). Its gradient is the same op on the reversed filter (stride 1), or, strided,
 * the transposed separable form; either is differentiable again.
 */
final class FirConv extends Op {
  private final Fir fir;
  private final double gain;
  private final int k;
  private final int stride;
  private final int pad;
  private final DataFormat format;

  /** {@code fir} times {@code gain} (the 2-D gain), with the given stride and padding. */
  FirConv(Fir fir, double gain, int stride, int pad, DataFormat format) {
    this.fir = fir;
    this.gain = gain;
    this.k = fir.size();
    this.stride = stride;
    this.pad = pad;
    this.format = format;
  }

  @Override
  public String name() {
    return "fir_conv";
  }

  private int[] args() {
    // kH, kW, sH, sW, pH, pW, dH, dW, same mode off, data format, weight format 0 = [kH, kW, C, 1]
    return new int[] {k, k, stride, stride, pad, pad, 1, 1, 0, format.nd4jCode(), 0};
  }

  private long outSize(long in) {
    return (in + 2L * pad - k) / stride + 1;
  }

  @Override
  public INDArray forward(INDArray... in) {
    INDArray x = in[0];
    long[] s = x.shape();
    if (s.length != 4) {
      throw new IllegalArgumentException(
          "FIR: expected " + format + " maps of rank 4, got " + Shapes.str(s));
    }
    long c = s[format.channelAxis()];
    long ho = outSize(s[format.heightAxis()]);
    long wo = outSize(s[format.widthAxis()]);
    if (ho < 1 || wo < 1) {
      throw new IllegalArgumentException(
          "FIR: input " + Shapes.str(s) + " leaves no output with padding " + pad);
    }
    INDArray w = fir.depthwiseWeight(x.dataType(), c, gain);
    INDArray out = Kernels.alloc(x.dataType(), format.shape(s[0], c, ho, wo));
    Kernels.custom("depthwise_conv2d", new INDArray[] {x, w}, new INDArray[] {out}, args());
    return out;
  }

  @Override
  public Tensor[] backward(Node n, Tensor g) {
    if (stride == 1) {
      // The transpose of correlating with K after padding p is correlating with K flipped after
      // padding k - 1 - p: the same op on the reversed filter, and its gradient is this op again.
      return new Tensor[] {
        Autograd.apply(new FirConv(fir.reversed(), gain, 1, k - 1 - pad, format), g)
      };
    }
    // Strided: the transpose inserts zeros, which a depthwise convolution cannot; the matrix
    // products of the separable form (differentiable again) take it.
    return new Tensor[] {fir.transposed(g, n.input(0).shape(), stride, pad, gain, format)};
  }
}
