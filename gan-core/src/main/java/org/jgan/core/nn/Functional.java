package org.jgan.core.nn;

import java.util.Arrays;
import org.jgan.core.autograd.Autograd;
import org.jgan.core.autograd.GradMode;
import org.jgan.core.kernels.DataFormat;
import org.jgan.core.kernels.Shapes;
import org.jgan.core.ops.AvgPool2d;
import org.jgan.core.ops.AvgPool2dSpread;
import org.jgan.core.ops.Conv;
import org.jgan.core.ops.LeakyRelu;
import org.jgan.core.ops.MaxPool2d;
import org.jgan.core.tensor.Tensor;

/**
 * Composite functions built from the primitive ops (PyTorch's {@code torch.nn.functional}); their
 * gradients, of any order, follow from the primitives'. Pooling and nearest-neighbour up-sampling
 * are one op pair ({@code AvgPool2d} and its adjoint {@code AvgPool2dSpread}).
 */
public final class Functional {
  private Functional() {}

  /** {@code x [N, in] @ w[out, in]^T + b [out]} (b may be null). */
  public static Tensor linear(Tensor x, Tensor w, Tensor b) {
    if (x.rank() != 2 || x.size(1) != w.size(1)) {
      throw new IllegalArgumentException(
          "linear: expected input [N, " + w.size(1) + "], got " + Shapes.str(x.shape()));
    }
    Tensor y = x.matmul(w, false, true);
    return b == null ? y : y.add(b);
  }

  /**
   * {@code gain * lrelu(x + b + n, alpha)} in one op (StyleGAN2-ADA's {@code bias_act} with the
   * leaky ReLU): {@code x} {@code [N, C]} or maps in {@code format}, {@code bias [C]} and {@code
   * noise} either of them null. A noise of one value per pixel ({@code [N, 1, H, W]}, or {@code [N,
   * H, W, 1]} for NHWC) joins the op; one of another shape that broadcasts to {@code x} (one map
   * for the batch, one per channel) is added before it; {@code 0 <= alpha <= 1}, {@code gain > 0}.
   * One pass over memory on oneDNN where the composition {@code
   * x.add(noise).add(bias).leakyRelu(alpha, gain)} makes seven, with the same values and gradients
   * of every order.
   */
  public static Tensor biasLeakyRelu(
      Tensor x, Tensor bias, Tensor noise, double alpha, double gain, DataFormat format) {
    int axis = x.rank() == 4 ? format.channelAxis() : 1;
    if (noise != null && !perPixel(x, noise, axis)) {
      // a noise of another shape (one map for the whole batch, one per channel) is added first
      return biasLeakyRelu(addNoise(x, noise), bias, null, alpha, gain, format);
    }
    Tensor[] in = biasActInputs("biasLeakyRelu", x, bias, noise, format);
    boolean record = GradMode.isEnabled() && anyRequiresGrad(in);
    return Autograd.apply(
        new LeakyRelu(alpha, gain, axis, bias != null, noise != null, record), in);
  }

  /**
   * The inputs of {@link #biasLeakyRelu}, checked: {@code x}, the bias reshaped to broadcast along
   * the channel axis, the noise.
   */
  private static Tensor[] biasActInputs(
      String what, Tensor x, Tensor bias, Tensor noise, DataFormat format) {
    if (x.rank() != 2 && x.rank() != 4) {
      throw new IllegalArgumentException(
          what + ": expected [N, C] or maps of rank 4, got " + Shapes.str(x.shape()));
    }
    int axis = x.rank() == 4 ? format.channelAxis() : 1;
    long c = x.size(axis);
    Tensor[] in = new Tensor[1 + (bias != null ? 1 : 0) + (noise != null ? 1 : 0)];
    int i = 0;
    in[i++] = x;
    if (bias != null) {
      if (bias.rank() != 1 || bias.size(0) != c) {
        throw new IllegalArgumentException(
            what + ": expected a bias [" + c + "], got " + Shapes.str(bias.shape()));
      }
      in[i++] = bias.reshape(x.rank() == 4 ? format.channelShape(c) : new long[] {1, c});
    }
    if (noise != null) {
      in[i] = noise;
    }
    return in;
  }

  /** Whether {@code noise} has one value per pixel of {@code x}: its shape with the channel 1. */
  private static boolean perPixel(Tensor x, Tensor noise, int channelAxis) {
    long[] expected = x.shape();
    expected[channelAxis] = 1;
    return Arrays.equals(noise.shape(), expected);
  }

  /** {@code x + noise} for a noise that broadcasts to {@code x}'s shape; refused otherwise. */
  private static Tensor addNoise(Tensor x, Tensor noise) {
    long[] joint = null;
    try {
      joint = Shapes.broadcast(x.shape(), noise.shape());
    } catch (IllegalArgumentException e) {
      // reported below
    }
    if (joint == null || !Arrays.equals(joint, x.shape())) {
      throw new IllegalArgumentException(
          "biasLeakyRelu: expected a noise that broadcasts to the input "
              + Shapes.str(x.shape())
              + " (one value per pixel, or per map), got "
              + Shapes.str(noise.shape()));
    }
    return x.add(noise);
  }

  private static boolean anyRequiresGrad(Tensor[] in) {
    for (Tensor t : in) {
      if (t.requiresGrad()) {
        return true;
      }
    }
    return false;
  }

  /** {@code conv2d} with stride and zero padding; see {@link Conv#conv2d}. */
  public static Tensor conv2d(Tensor x, Tensor w, Tensor b, int stride, int padding) {
    return Conv.conv2d(x, w, b, stride, padding);
  }

  /** {@code conv_transpose2d}; see {@link Conv#transpose}. */
  public static Tensor convTranspose2d(
      Tensor x, Tensor w, Tensor b, int stride, int padding, int outputPadding) {
    return Conv.transpose(x, w, b, stride, padding, outputPadding, outputPadding);
  }

  /**
   * Average pooling with a {@code k x k} window and stride {@code k}: {@code x [N, C, H, W]} to
   * {@code [N, C, H/k, W/k]}; H and W must be multiples of k.
   */
  public static Tensor avgPool2d(Tensor x, int k) {
    return avgPool2d(x, k, DataFormat.NCHW);
  }

  /** {@link #avgPool2d(Tensor, int)} for maps in {@code format} ({@code [N, H, W, C]} for NHWC). */
  public static Tensor avgPool2d(Tensor x, int k, DataFormat format) {
    long[] s = x.shape();
    if (k < 1
        || s.length != 4
        || s[format.heightAxis()] % k != 0
        || s[format.widthAxis()] % k != 0) {
      throw new IllegalArgumentException(
          "avgPool2d("
              + k
              + "): expected "
              + format.axes()
              + " with H and W multiples of "
              + k
              + ", got "
              + Shapes.str(s));
    }
    return Autograd.apply(new AvgPool2d(k, 1.0, format), x);
  }

  /**
   * Max pooling of {@code x [N, C, H, W]} with a {@code k x k} window, {@code stride} and {@code
   * padding}, as PyTorch's {@code max_pool2d} (padding never wins a window; once differentiable).
   */
  public static Tensor maxPool2d(Tensor x, int k, int stride, int padding) {
    return Autograd.apply(new MaxPool2d(k, stride, padding), x);
  }

  /**
   * Nearest-neighbour up-sampling by an integer factor: each pixel becomes an {@code s x s} block.
   */
  public static Tensor upsampleNearest2d(Tensor x, int s) {
    long[] d = x.shape();
    if (d.length != 4 || s < 1) {
      throw new IllegalArgumentException(
          "upsampleNearest2d("
              + s
              + "): expected [N, C, H, W] and a factor of at least 1, got "
              + Shapes.str(d));
    }
    return Autograd.apply(
        new AvgPool2dSpread(s, s * s, new long[] {d[0], d[1], d[2] * s, d[3] * s}), x);
  }

  /**
   * Batch normalisation with given statistics: {@code (x - mean) / sqrt(var + eps) * gamma + beta},
   * statistics and affine parameters broadcast over axis 1.
   */
  public static Tensor normalize(
      Tensor x, Tensor mean, Tensor var, Tensor gamma, Tensor beta, double eps) {
    long[] bshape = new long[x.rank()];
    Arrays.fill(bshape, 1);
    bshape[1] = x.size(1);
    Tensor y = x.sub(mean.reshape(bshape)).mul(var.reshape(bshape).add(eps).rsqrt());
    if (gamma != null) {
      y = y.mul(gamma.reshape(bshape));
    }
    if (beta != null) {
      y = y.add(beta.reshape(bshape));
    }
    return y;
  }

  /**
   * {@code x} in layout {@code from} ({@code [N, C, H, W]} or {@code [N, H, W, C]}) rearranged into
   * layout {@code to} (differentiable). A copy, except where the moved axis has size 1 (a
   * one-channel image, or 1x1 maps): then both layouts are the same memory and the result is a
   * reshaped view.
   */
  public static Tensor relayout(Tensor x, DataFormat from, DataFormat to) {
    if (x.rank() != 4) {
      throw new IllegalArgumentException(
          "expected a rank-4 " + from + " tensor to convert to " + to + ", got rank " + x.rank());
    }
    if (to == from) {
      return x;
    }
    long[] s = x.shape();
    long c = s[from.channelAxis()];
    long hw = s[from.heightAxis()] * s[from.widthAxis()];
    long[] out = to.shape(s[0], c, s[from.heightAxis()], s[from.widthAxis()]);
    if (c == 1 || hw == 1) {
      return x.reshape(out);
    }
    // As a batch of 2-D transposes, [N, C, HW] <-> [N, HW, C]: ND4J copies those several times
    // faster than the same data seen as a 4-D permutation.
    Tensor flat = from == DataFormat.NCHW ? x.reshape(s[0], c, hw) : x.reshape(s[0], hw, c);
    return transposeLast(flat).reshape(out);
  }

  /** {@code [B, P, Q]} to {@code [B, Q, P]}, row-major (a copy). */
  public static Tensor transposeLast(Tensor x) {
    return x.permute(0, 2, 1).contiguous();
  }

  /** Numerically stable {@code log(1 + e^x)}. */
  public static Tensor softplus(Tensor x) {
    return x.softplus();
  }
}
