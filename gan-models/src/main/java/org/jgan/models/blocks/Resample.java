package org.jgan.models.blocks;

/** Whether a convolution also changes the resolution (by 2, with a FIR filter). */
public enum Resample {
  /** Same resolution. */
  NONE,
  /** Twice the resolution: transposed convolution, then the FIR filter (gain 4). */
  UP,
  /** Half the resolution: the FIR filter, then a stride-2 convolution. */
  DOWN
}
