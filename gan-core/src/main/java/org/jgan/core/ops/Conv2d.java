package org.jgan.core.ops;

import org.jgan.core.autograd.GradMode;
import org.jgan.core.autograd.Node;
import org.jgan.core.autograd.Op;
import org.jgan.core.tensor.Shapes;
import org.jgan.core.tensor.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * 2-D cross-correlation (PyTorch {@code conv2d}) on oneDNN: {@code x [N, I, H, W]}, {@code w [O,
 * I, kH, kW]}, optional {@code b [O]}, output {@code [N, O, (H + 2p - kH) / s + 1, ...]}; in the
 * {@link DataFormat#NHWC} layout input and output are {@code [N, H, W, C]}; the weight keeps its
 * layout.
 *
 * <pre>
 *   dx = conv2dTranspose(g, w)          (output padding restores H, W)
 *   dw = conv2dWeightGrad(x, g)
 *   db = sum over N, H, W of g
 * </pre>
 *
 * Both backward ops are differentiable again ({@code conv2d_gradfix}). When no graph of the
 * gradient is recorded and both {@code dx} and {@code dw} are needed, one fused {@code conv2d_bp}
 * kernel computes them. Float32 3x3 convolutions with stride 1 and padding 1 run on oneDNN's
 * Winograd kernels where they are available ({@link Winograd}), forward and both gradients (then
 * as the two separate gradient ops, faster than the fused kernel); everything else on libnd4j's.
 */
public final class Conv2d extends Op {
  private final ConvGeometry geo;

  /** Convolution with the given stride and zero padding, NCHW. */
  public Conv2d(int stride, int padding) {
    this(stride, padding, DataFormat.NCHW);
  }

  /** Convolution with the given stride, zero padding and data format. */
  public Conv2d(int stride, int padding, DataFormat format) {
    this.geo = new ConvGeometry(stride, padding, format);
  }

  @Override
  public String name() {
    return "conv2d";
  }

  @Override
  public INDArray forward(INDArray... in) {
    INDArray x = in[0];
    INDArray w = in[1];
    ConvGeometry.checkRank4("conv2d", geo.layout("input"), x);
    ConvGeometry.checkRank4("conv2d", "weight [O, I, kH, kW]", w);
    Binary.checkTypes("conv2d", x, w);
    if (geo.channels(x) != w.size(1)) {
      throw new IllegalArgumentException(
          "conv2d: " + geo.format() + " input " + Shapes.str(x.shape()) + " has " + geo.channels(x)
              + " channels, weight " + Shapes.str(w.shape()) + " expects " + w.size(1));
    }
    ConvGeometry.checkBias("conv2d", in, w.size(0));
    long ho = geo.convOut(geo.height(x), w.size(2));
    long wo = geo.convOut(geo.width(x), w.size(3));
    if (ho < 1 || wo < 1) {
      throw new IllegalArgumentException(
          "conv2d: input " + Shapes.str(x.shape()) + " is smaller than kernel " + Shapes.str(w.shape())
              + " with padding " + geo.padding());
    }
    INDArray out = Winograd.conv2d(x, w, in.length > 2 ? in[2] : null, geo);
    if (out == null) {
      out = Kernels.alloc(x.dataType(), geo.format().shape(x.size(0), w.size(0), ho, wo));
      Kernels.custom("conv2d", in, new INDArray[] {out}, geo.args(w.size(2), w.size(3)));
    }
    return out;
  }

  @Override
  public Tensor[] backward(Node n, Tensor g) {
    Tensor x = n.input(0);
    Tensor w = n.input(1);
    boolean bias = n.inputCount() > 2;
    Tensor[] grads = new Tensor[n.inputCount()];
    int outPadH = geo.outputPadding(geo.height(x), geo.height(g), w.size(2));
    int outPadW = geo.outputPadding(geo.width(x), geo.width(g), w.size(3));
    if (!GradMode.isEnabled() && n.needsGrad(0) && n.needsGrad(1) && !Winograd.takes(x.data(), w.data(), geo)) {
      // One fused kernel for dx, dw (and db): no graph of the gradient is being recorded. Where the
      // Winograd kernels take this convolution, its two separate gradients are faster.
      INDArray gx = Kernels.alloc(x.data().dataType(), x.shape());
      INDArray gw = Kernels.alloc(w.data().dataType(), w.shape());
      INDArray[] ins = bias ? new INDArray[] {x.data(), w.data(), n.input(2).data(), g.data()}
          : new INDArray[] {x.data(), w.data(), g.data()};
      INDArray[] outs = bias ? new INDArray[] {gx, gw, Kernels.alloc(g.data().dataType(), w.size(0))}
          : new INDArray[] {gx, gw};
      Kernels.custom("conv2d_bp", ins, outs, geo.args(w.size(2), w.size(3)));
      grads[0] = Tensor.owned(gx);
      grads[1] = Tensor.owned(gw);
      if (bias) {
        grads[2] = Tensor.owned(outs[2]);
        return grads;
      }
    } else {
      if (n.needsGrad(0)) {
        grads[0] = Conv.transpose(g, w, null, geo.stride(), geo.padding(), outPadH, outPadW, geo.format());
      }
      if (n.needsGrad(1)) {
        grads[1] = Conv.weightGrad(x, g, geo.stride(), geo.padding(), w.size(2), w.size(3), geo.format());
      }
    }
    if (bias && n.needsGrad(2)) {
      grads[2] = g.sum(false, geo.format().nonChannelAxes());
    }
    return grads;
  }
}
