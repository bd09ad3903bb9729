package org.jgan.core.kernels;

import org.jgan.core.kernels.DnnConv.Algo;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Where 3x3, stride-1, padding-1 convolutions of float32 maps run on oneDNN's Winograd kernels
 * ({@code F(4x4, 3x3)}, {@code jit_wino_4x3}, called through {@link DnnConv}): libnd4j's own oneDNN
 * calls always ask for the direct algorithm. Winograd multiplies 4 times less (36 products for a
 * 4x4 tile of outputs instead of 144) and pays with transforms of input, weight and output;
 * docs/benchmarks.md measures the gain on the StyleGAN2 shapes. The results differ from the direct
 * algorithm's by rounding only (about {@code 3e-6} of the largest output).
 *
 * <p>Three directions use it: a convolution's forward, its input gradient (the stride-1 transposed
 * convolution, oneDNN's backward-data primitive) and its weight gradient (the backward-weights
 * primitive); {@link ConvKernels} asks here first. Where the Winograd kernels take a convolution,
 * its two gradients run as two separate Winograd calls rather than libnd4j's fused backward kernel,
 * which measured slower. Everything else goes elsewhere (the caller gets {@code null}): other
 * kernel sizes, strides or paddings, float64 (so the finite-difference checks test libnd4j's
 * kernels and the tests of this class compare the two), maps under 8x8, fewer than {@value
 * #MIN_CHANNELS} channels or {@value #MIN_POSITIONS} positions (no faster there), channel counts
 * oneDNN's Winograd kernel does not take, arrays that are not dense C-ordered buffers from offset
 * 0, and machines where the kernel or the native library is missing ({@link #status}). One instance
 * per {@link Engine} whose backend turns Winograd on.
 */
final class Winograd {
  /** Smallest height and width sent to the Winograd kernel: below 8x8 it is not faster. */
  static final int MIN_SIZE = 8;

  /**
   * Fewest input and output channels sent to the Winograd kernel: at 16 channels its transforms
   * cost more than they save (docs/benchmarks.md).
   */
  static final int MIN_CHANNELS = 32;

  /**
   * Fewest positions {@code N H W} sent to the Winograd kernel: below, the call's fixed costs
   * decide (docs/benchmarks.md).
   */
  static final int MIN_POSITIONS = 1024;

  private final DnnConv dnn;

  /** The Winograd policy over {@code dnn}'s primitives. */
  Winograd(DnnConv dnn) {
    this.dnn = dnn;
  }

  /** Whether oneDNN's Winograd kernel loaded and runs on this machine (AVX-512). */
  static boolean supported() {
    return DnnConv.winogradSupported();
  }

  /**
   * One line for logs and benchmarks: which kernel runs 3x3 convolutions, or why not Winograd.
   *
   * @param on whether the backend asks for Winograd
   * @param oneDnn whether the backend runs the other convolutions on oneDNN's cached primitives
   */
  static String status(boolean on, boolean oneDnn) {
    String direct = oneDnn && DnnConv.REASON == null ? "oneDNN direct" : "libnd4j direct";
    if (!on) {
      return direct + " (Winograd off in the backend)";
    }
    if (!supported()) {
      return direct + " (oneDNN Winograd unavailable: " + DnnConv.winogradReason() + ")";
    }
    return "oneDNN Winograd (" + DnnConv.winogradImpl() + ") for 3x3 stride 1";
  }

  /**
   * {@code conv2d(x, w) + b} for {@code x} in the geometry's format, {@code w [O, I, 3, 3]}, {@code
   * b [O]} or null; null when this shape or array is not for the Winograd kernel (see the class
   * comment).
   */
  INDArray conv2d(INDArray x, INDArray w, INDArray b, ConvGeometry geo) {
    if (!isWeight(w) || !eligible(x, geo, w.size(1), w.size(0))) {
      return null;
    }
    return dnn.forward(x, w, b, geo, Algo.WINOGRAD);
  }

  /**
   * The transposed convolution (stride 1, padding 1) of {@code x} with {@code w [I, O, 3, 3]},
   * without bias: the input gradient of a convolution whose weight is {@code w}; null when not for
   * the Winograd kernel.
   */
  INDArray convTranspose2d(INDArray x, INDArray w, ConvGeometry geo) {
    // the convolution whose input gradient this is maps w.size(1) channels to w.size(0)
    if (!isWeight(w) || !eligible(x, geo, w.size(1), w.size(0))) {
      return null;
    }
    return dnn.backwardData(x, w, geo, geo.height(x), geo.width(x), Algo.WINOGRAD);
  }

  /**
   * The weight gradient {@code [O, I, 3, 3]} of a 3x3 convolution (stride 1, padding 1) with input
   * {@code x} and output gradient {@code gy}; null when not for the Winograd kernel.
   */
  INDArray weightGrad(INDArray x, INDArray gy, ConvGeometry geo) {
    return weightGradEligible(x, gy, geo)
        ? dnn.backwardWeights(x, gy, geo, 3, 3, Algo.WINOGRAD)
        : null;
  }

  /**
   * {@link #weightGrad} and the bias gradient from one Winograd call, {@code {dW, db}}; null when
   * not for the Winograd kernel.
   */
  INDArray[] weightAndBiasGrad(INDArray x, INDArray gy, ConvGeometry geo) {
    return weightGradEligible(x, gy, geo)
        ? dnn.backwardWeightsAndBias(x, gy, geo, 3, 3, Algo.WINOGRAD)
        : null;
  }

  /** Whether the weight gradient of {@code x} and {@code gy} is for the Winograd kernel. */
  boolean weightGradEligible(INDArray x, INDArray gy, ConvGeometry geo) {
    return gy.rank() == 4
        && eligible(x, geo, geo.channels(x), geo.channels(gy))
        && gy.size(0) == x.size(0)
        && geo.height(gy) == geo.height(x)
        && geo.width(gy) == geo.width(x);
  }

  /**
   * True when a 3x3 convolution of {@code x} with {@code w [O, I, 3, 3]} runs on the Winograd
   * kernel: then its gradients do too, and the callers take the separate gradient ops (two Winograd
   * calls) over libnd4j's fused {@code conv2d_bp}.
   */
  boolean takes(INDArray x, INDArray w, ConvGeometry geo) {
    return isWeight(w)
        && eligible(x, geo, w.size(1), w.size(0))
        && dnn.hasForward(x, w, geo, Algo.WINOGRAD);
  }

  /**
   * What every direction asks of the convolution: stride 1, padding 1, float32 maps of at least
   * {@value #MIN_SIZE} square, {@value #MIN_CHANNELS} channels each way and {@value #MIN_POSITIONS}
   * positions, on a machine with the kernel.
   */
  private static boolean eligible(INDArray x, ConvGeometry geo, long in, long out) {
    return supported()
        && geo.stride() == 1
        && geo.padding() == 1
        && x.rank() == 4
        && x.dataType() == DataType.FLOAT
        && geo.height(x) >= MIN_SIZE
        && geo.width(x) >= MIN_SIZE
        && in >= MIN_CHANNELS
        && out >= MIN_CHANNELS
        && x.size(0) * geo.height(x) * geo.width(x) >= MIN_POSITIONS;
  }

  private static boolean isWeight(INDArray w) {
    return w.rank() == 4 && w.size(2) == 3 && w.size(3) == 3;
  }
}
