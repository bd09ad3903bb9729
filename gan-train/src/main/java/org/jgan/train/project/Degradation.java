package org.jgan.train.project;

import org.jgan.core.kernels.Shapes;
import org.jgan.core.nn.Functional;
import org.jgan.core.tensor.Tensor;
import org.jgan.models.blocks.Fir;

/**
 * A known, differentiable way an image was observed: restoration through a generator fits {@code
 * degrade(G(w))} to the observation and returns {@code G(w)}. Images are {@code [N, C, H, W]} in
 * [-1, 1].
 */
public interface Degradation {
  /** The observation of {@code image}. */
  Tensor apply(Tensor image);

  /** Nothing lost (denoising: the generator cannot draw the noise, so fitting it removes it). */
  static Degradation identity() {
    return x -> x;
  }

  /**
   * Only the pixels where {@code known [1, 1, H, W]} is 1 are observed (inpainting): the others are
   * zero in the observation and in the fit alike, so they do not count.
   */
  static Degradation mask(Tensor known) {
    Shapes.check(known.shape(), "inpainting mask", 1, 1, -1, -1);
    return x -> x.mul(known.to(x.dtype()));
  }

  /**
   * Average pooling by {@code factor} (super-resolution: the observation is the low-resolution
   * image, the library's own down-sampling).
   */
  static Degradation downsample(int factor) {
    if (factor < 2) {
      throw new IllegalArgumentException("down-sampling factor must be >= 2, got " + factor);
    }
    return x -> Functional.avgPool2d(x, factor);
  }

  /** Gaussian blur with taps {@code [1, 4, 6, 4, 1] / 16} per axis, zero padding 2 (a baseline). */
  static Tensor blur(Tensor x) {
    return new Fir(1, 4, 6, 4, 1).filter(x, 2, 2, 1.0);
  }
}
