package org.jgan.core.kernels;

/**
 * Memory layout of a batch of feature maps: channels second ({@code NCHW}, PyTorch's default and
 * the library's) or channels last ({@code NHWC}, PyTorch's {@code channels_last}). Weights keep
 * PyTorch's {@code [O, I, kH, kW]} in both.
 *
 * <p>oneDNN computes convolutions in a blocked channels-inner layout; libnd4j hands it NCHW arrays
 * with the layout left open, so every NCHW call reorders its input and output (a fifth of a 3x3
 * convolution's time on the StyleGAN2 shapes, docs/benchmarks.md), while NHWC arrays go in as they
 * are. Networks that keep their activations NHWC from layer to layer save that, as long as the
 * element-wise ops between the convolutions broadcast along the last axis; which layout a network
 * uses inside is part of its config ({@code StyleGan2Config.layout}). {@code Functional.relayout}
 * converts a tensor between the two.
 */
public enum DataFormat {
  /** {@code [N, C, H, W]}. */
  NCHW(1, 2, 3),
  /** {@code [N, H, W, C]}. */
  NHWC(3, 1, 2);

  private final int c;
  private final int h;
  private final int w;

  DataFormat(int c, int h, int w) {
    this.c = c;
    this.h = h;
    this.w = w;
  }

  /** The channel axis: 1 or 3. */
  public int channelAxis() {
    return c;
  }

  /** The height axis: 2 or 1. */
  public int heightAxis() {
    return h;
  }

  /** The width axis: 3 or 2. */
  public int widthAxis() {
    return w;
  }

  /**
   * The shape of a batch of {@code n} maps of {@code ch} channels, {@code ht x wd}, in this layout.
   */
  public long[] shape(long n, long ch, long ht, long wd) {
    long[] s = new long[4];
    s[0] = n;
    s[c] = ch;
    s[h] = ht;
    s[w] = wd;
    return s;
  }

  /**
   * The shape that broadcasts a vector {@code [C]} over channels: {@code [1, C, 1, 1]} or {@code
   * [1, 1, 1, C]}.
   */
  public long[] channelShape(long ch) {
    return shape(1, ch, 1, 1);
  }

  /**
   * The shape that broadcasts {@code [N, C]} per sample and channel: {@code [N, C, 1, 1]} or {@code
   * [N, 1, 1, C]}.
   */
  public long[] sampleChannelShape(long n, long ch) {
    return shape(n, ch, 1, 1);
  }

  /**
   * The axes other than the channel's (a per-channel sum, as for a bias gradient): {@code {0, 2,
   * 3}} or {@code {0, 1, 2}}.
   */
  public int[] nonChannelAxes() {
    return this == NCHW ? new int[] {0, 2, 3} : new int[] {0, 1, 2};
  }

  /** The channel count of a tensor of shape {@code shape} in this layout. */
  public long channels(long[] shape) {
    return shape[c];
  }

  /** The axes by name, for messages: {@code "[N, C, H, W]"} or {@code "[N, H, W, C]"}. */
  public String axes() {
    return this == NCHW ? "[N, C, H, W]" : "[N, H, W, C]";
  }

  /** libnd4j's {@code dataFormat} argument of its 2-D convolution, pooling and depthwise ops. */
  public int nd4jCode() {
    return this == NCHW ? 0 : 1;
  }
}
