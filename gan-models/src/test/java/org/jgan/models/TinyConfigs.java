package org.jgan.models;

import org.jgan.core.kernels.DataFormat;
import org.jgan.models.dcgan.DcganConfig;
import org.jgan.models.progressive.ProgressiveConfig;
import org.jgan.models.stylegan.StyleGanConfig;
import org.jgan.models.stylegan2.StyleGan2Config;
import org.jgan.models.vanilla.VanillaConfig;

/** Tiny configurations of every family at 32x32, for fast tests. */
public final class TinyConfigs {
  private TinyConfigs() {}

  /** Vanilla GAN on 1x32x32 images. */
  public static VanillaConfig vanilla() {
    return new VanillaConfig(8, 16, 2, 1, 32, 0);
  }

  /** DCGAN at 32x32, 4 base channels. */
  public static DcganConfig dcgan() {
    return new DcganConfig(8, 1, 32, 4, 4, 0);
  }

  /** Progressive GAN at 32x32, channels 16 at 4x4 down to 2 at 32x32. */
  public static ProgressiveConfig progressive() {
    return new ProgressiveConfig(8, 1, 32, 64, 16, 4, 0);
  }

  /** StyleGAN at 32x32. */
  public static StyleGanConfig styleGan() {
    return new StyleGanConfig(8, 8, 2, 1, 32, 64, 16, 4, 0);
  }

  /** StyleGAN2 at 32x32, unconditional, not progressive. */
  public static StyleGan2Config styleGan2() {
    return new StyleGan2Config(8, 8, 2, 0.01, 1, 32, 64, 16, 0, false, 4, 1, 2, 0, DataFormat.NHWC);
  }
}
