package org.jgan.core.ops;

import org.jgan.core.autograd.GradMode;
import org.jgan.core.autograd.Node;
import org.jgan.core.autograd.Op;
import org.jgan.core.tensor.Shapes;
import org.jgan.core.tensor.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Transposed 2-D convolution (PyTorch {@code conv_transpose2d}), the adjoint of {@link Conv2d}:
 * {@code x [N, I, H, W]}, {@code w [I, O, kH, kW]}, optional {@code b [O]}, output {@code [N, O,
 * (H - 1) s - 2p + kH + outputPadding, ...]}. Output padding keeps that many more rows and
 * columns at the bottom and right (padding crops {@code p - outputPadding} there), as in PyTorch.
 * In the {@link DataFormat#NHWC} layout input and output are {@code [N, H, W, C]}; the weight
 * keeps its layout. With stride 1, padding 1 and a 3x3 float32 weight it runs as oneDNN's Winograd
 * backward-data kernel where available ({@link Winograd}).
 *
 * <pre>
 *   dx = conv2d(g, w)
 *   dw = conv2dWeightGrad(g, x)
 *   db = sum over N, H, W of g
 * </pre>
 */
public final class ConvTranspose2d extends Op {
  private final ConvGeometry geo;
  private final int outPadH;
  private final int outPadW;

  /** Transposed NCHW convolution; {@code outPadH, outPadW} must be below the stride. */
  public ConvTranspose2d(int stride, int padding, int outPadH, int outPadW) {
    this(stride, padding, outPadH, outPadW, DataFormat.NCHW);
  }

  /** Transposed convolution in the given format; {@code outPadH, outPadW} must be below the stride. */
  public ConvTranspose2d(int stride, int padding, int outPadH, int outPadW, DataFormat format) {
    this.geo = new ConvGeometry(stride, padding, format);
    if (outPadH < 0 || outPadW < 0 || (outPadH > 0 && outPadH >= stride) || (outPadW > 0 && outPadW >= stride)) {
      throw new IllegalArgumentException(
          "conv_transpose2d: output padding (" + outPadH + ", " + outPadW + ") must be >= 0 and"
              + " smaller than the stride " + stride);
    }
    this.outPadH = outPadH;
    this.outPadW = outPadW;
  }

  @Override
  public String name() {
    return "conv_transpose2d";
  }

  @Override
  public INDArray forward(INDArray... in) {
    INDArray x = in[0];
    INDArray w = in[1];
    ConvGeometry.checkRank4("conv_transpose2d", geo.layout("input"), x);
    ConvGeometry.checkRank4("conv_transpose2d", "weight [I, O, kH, kW]", w);
    Binary.checkTypes("conv_transpose2d", x, w);
    if (geo.channels(x) != w.size(0)) {
      throw new IllegalArgumentException(
          "conv_transpose2d: " + geo.format() + " input " + Shapes.str(x.shape()) + " has " + geo.channels(x)
              + " channels, weight " + Shapes.str(w.shape()) + " expects " + w.size(0));
    }
    ConvGeometry.checkBias("conv_transpose2d", in, w.size(1));
    long ho = geo.transposedOut(geo.height(x), w.size(2));
    long wo = geo.transposedOut(geo.width(x), w.size(3));
    if (ho < 1 || wo < 1) {
      throw new IllegalArgumentException(
          "conv_transpose2d: padding " + geo.padding() + " leaves no output for input "
              + Shapes.str(x.shape()) + " and kernel " + Shapes.str(w.shape()));
    }
    DataFormat f = geo.format();
    boolean padded = outPadH > 0 || outPadW > 0;
    if (!padded) {
      INDArray out = Winograd.convTranspose2d(x, w, geo);
      if (out == null) {
        out = Kernels.alloc(x.dataType(), f.shape(x.size(0), w.size(1), ho, wo));
        Kernels.custom("deconv2d", in, new INDArray[] {out}, geo.args(w.size(2), w.size(3)));
      } else if (in.length > 2) {
        Nd4j.exec(new AddOp(new INDArray[] {out, in[2].reshape(f.channelShape(w.size(1)))}, new INDArray[] {out}));
      }
      return out;
    }
    // Output padding keeps rows/columns that symmetric padding would crop at the bottom/right:
    // compute the uncropped transposed convolution and cut [p, p + size) out of it.
    ConvGeometry full = geo.withPadding(0);
    long fh = full.transposedOut(geo.height(x), w.size(2));
    long fw = full.transposedOut(geo.width(x), w.size(3));
    INDArray uncropped = Kernels.alloc(x.dataType(), f.shape(x.size(0), w.size(1), fh, fw));
    Kernels.custom("deconv2d", new INDArray[] {x, w}, new INDArray[] {uncropped}, full.args(w.size(2), w.size(3)));
    long p = geo.padding();
    long oh = ho + outPadH;
    long ow = wo + outPadW;
    long rows = Math.min(fh - p, oh); // with p < outputPadding the last rows get no contribution
    long cols = Math.min(fw - p, ow);
    INDArray out = Kernels.full(x.dataType(), 0.0, f.shape(x.size(0), w.size(1), oh, ow));
    out.get(window(f, 0, rows, 0, cols)).assign(uncropped.get(window(f, p, p + rows, p, p + cols)));
    Kernels.free(uncropped);
    if (in.length > 2) {
      Nd4j.exec(new AddOp(new INDArray[] {out, in[2].reshape(f.channelShape(w.size(1)))}, new INDArray[] {out}));
    }
    return out;
  }

  /** Rows {@code [r0, r1)} and columns {@code [c0, c1)} of every map, in layout {@code f}. */
  private static INDArrayIndex[] window(DataFormat f, long r0, long r1, long c0, long c1) {
    INDArrayIndex[] idx = {NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all()};
    idx[f.heightAxis()] = NDArrayIndex.interval(r0, r1);
    idx[f.widthAxis()] = NDArrayIndex.interval(c0, c1);
    return idx;
  }

  @Override
  public Tensor[] backward(Node n, Tensor g) {
    Tensor x = n.input(0);
    Tensor w = n.input(1);
    Tensor[] grads = new Tensor[n.inputCount()];
    boolean padded = outPadH > 0 || outPadW > 0;
    if (!GradMode.isEnabled() && !padded && n.needsGrad(0) && n.needsGrad(1) && !Winograd.takes(g.data(), w.data(), geo)) {
      INDArray gx = Kernels.alloc(x.data().dataType(), x.shape());
      INDArray gw = Kernels.alloc(w.data().dataType(), w.shape());
      Kernels.custom(
          "deconv2d_bp",
          new INDArray[] {x.data(), w.data(), g.data()},
          new INDArray[] {gx, gw},
          geo.args(w.size(2), w.size(3)));
      grads[0] = Tensor.owned(gx);
      grads[1] = Tensor.owned(gw);
    } else {
      if (n.needsGrad(0)) {
        grads[0] = Conv.conv2d(g, w, null, geo.stride(), geo.padding(), geo.format());
      }
      if (n.needsGrad(1)) {
        grads[1] = Conv.weightGrad(g, x, geo.stride(), geo.padding(), w.size(2), w.size(3), geo.format());
      }
    }
    if (n.inputCount() > 2 && n.needsGrad(2)) {
      grads[2] = g.sum(false, geo.format().nonChannelAxes());
    }
    return grads;
  }
}
