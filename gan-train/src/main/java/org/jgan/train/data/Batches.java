package org.jgan.train.data;

import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;

/**
 * Minibatches drawn without replacement in a seeded random order, epoch after epoch, with optional
 * horizontal flips. The order of epoch {@code e} and the flips are derived from {@code (seed, e)},
 * so the whole state is {@code (epoch, position)} and a resumed run sees the same batches.
 */
public final class Batches {
  private final Dataset data;
  private final long seed;
  private final boolean xflip;
  private long epoch;
  private int position;
  private int[] order;
  private Rng flips;

  /** Batches of {@code data} in an order fixed by {@code seed}. */
  public Batches(Dataset data, long seed, boolean xflip) {
    this.data = data;
    this.seed = seed;
    this.xflip = xflip;
    restore(0, 0);
  }

  /** The dataset. */
  public Dataset data() {
    return data;
  }

  /** The next {@code n} samples (wrapping into the next epoch). */
  public Batch next(int n, DType type) {
    int[] idx = new int[n];
    boolean[] flip = xflip ? new boolean[n] : null;
    for (int k = 0; k < n; k++) {
      if (position == order.length) {
        restore(epoch + 1, 0);
      }
      idx[k] = order[position++];
      if (xflip) {
        flip[k] = flips.nextDouble() < 0.5;
      }
    }
    return data.batch(idx, flip, type);
  }

  /** Current epoch. */
  public long epoch() {
    return epoch;
  }

  /** Position within the epoch. */
  public int position() {
    return position;
  }

  /** Moves to {@code (epoch, position)}, as saved in a checkpoint. */
  public void restore(long epoch, int position) {
    if (position < 0 || position > data.size()) {
      throw new IllegalArgumentException(
          "batch position " + position + " outside [0, " + data.size() + "]");
    }
    this.epoch = epoch;
    Rng r = new Rng(seed).split(epoch);
    this.order = r.permutation(data.size());
    this.flips = r.split(1);
    for (int i = 0; i < position && xflip; i++) {
      flips.nextDouble();
    }
    this.position = position;
  }
}
