package org.jgan.models.blocks;

import org.jgan.core.kernels.DataFormat;
import org.jgan.core.nn.Functional;
import org.jgan.core.nn.Module;
import org.jgan.core.nn.Parameter;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;

/**
 * The learned constant that starts StyleGAN's synthesis network, {@code [C, r, r]}: initialised to
 * ones in StyleGAN, to {@code N(0, 1)} in StyleGAN2.
 */
public final class ConstantInput extends Module {
  private final Parameter value;

  /** A constant of {@code channels x size x size}; {@code rng} null means ones. */
  public ConstantInput(int channels, int size, Rng rng) {
    this.value =
        param(
            "const",
            rng == null
                ? Tensor.ones(DType.FLOAT32, channels, size, size)
                : rng.normal(DType.FLOAT32, channels, size, size));
  }

  /** The constant repeated over a batch: {@code [n, C, r, r]}. */
  public Tensor forward(long n) {
    return forward(n, DataFormat.NCHW);
  }

  /** The constant repeated over a batch in {@code format}: {@code [n, r, r, C]} for NHWC. */
  public Tensor forward(long n, DataFormat format) {
    long[] s = value.value().shape();
    Tensor one = Functional.relayout(value.value().unsqueeze(0), DataFormat.NCHW, format);
    return one.expand(format.shape(n, s[0], s[1], s[2]));
  }
}
