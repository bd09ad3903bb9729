package org.jgan.train.loop;

/**
 * Progressive growing's schedule (Karras et al. 2018): the start resolution trains stably for
 * {@code phaseImages}; each higher resolution fades in over {@code phaseImages} (alpha rising
 * linearly from 0 to 1) and then trains stably for {@code phaseImages}, up to the final resolution.
 */
public record ProgressiveSchedule(int startResolution, int finalResolution, long phaseImages) {
  /** Validates the schedule. */
  public ProgressiveSchedule {
    if (startResolution < 4
        || Integer.bitCount(startResolution) != 1
        || finalResolution < startResolution
        || Integer.bitCount(finalResolution) != 1) {
      throw new IllegalArgumentException(
          "progressive schedule: resolutions must be powers of two with 4 <= start <= final, got "
              + startResolution
              + " and "
              + finalResolution);
    }
    if (phaseImages < 1) {
      throw new IllegalArgumentException(
          "progressive schedule: phaseImages must be >= 1, got " + phaseImages);
    }
  }

  /** The stage resolution after {@code images} images. */
  public int resolution(long images) {
    if (images < phaseImages) {
      return startResolution;
    }
    long k = (images - phaseImages) / (2 * phaseImages) + 1;
    long r = (long) startResolution << Math.min(k, 20);
    return (int) Math.min(r, finalResolution);
  }

  /** The fade-in weight of the newest block after {@code images} images. */
  public double alpha(long images) {
    if (images < phaseImages
        || resolution(images) == finalResolution && images >= imagesToReachFinal()) {
      return 1.0;
    }
    long within = (images - phaseImages) % (2 * phaseImages);
    return Math.min(1.0, within / (double) phaseImages);
  }

  /** Images until the final resolution is fully faded in. */
  public long imagesToReachFinal() {
    int steps = Integer.numberOfTrailingZeros(finalResolution / startResolution);
    return phaseImages + (2L * steps - 1) * phaseImages;
  }
}
