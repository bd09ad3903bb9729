package org.jgan.train.data;

import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;

/**
 * Minibatches drawn without replacement in a seeded random order, epoch after epoch, with optional
 * horizontal flips. The order of epoch {@code e} and the flips are derived from {@code (seed, e)},
 * so the whole state is {@code (epoch, position)} and a resumed run sees the same batches.
 *
 * <p>For data read from files ({@link ImageSource#prefetch}), the next batch of the same size is
 * decoded on a background thread while the caller trains on this one; what is returned, and the
 * state saved, are the same as without it.
 */
public final class Batches {
  private final Dataset data;
  private final long seed;
  private final boolean xflip;
  private final Executor decoder;
  // what the caller has consumed: the state a checkpoint saves
  private long epoch;
  private int position;
  // where the next plan starts (ahead of the consumed state while a batch is prefetched)
  private long planEpoch;
  private int planPosition;
  private int[] order;
  private Rng flips;
  private Pending pending;

  /** A planned batch: its samples and flips, the state after it, and its decoding. */
  private record Pending(
      int[] indices,
      boolean[] flip,
      long epochAfter,
      int positionAfter,
      CompletableFuture<float[]> pixels) {}

  /** Batches of {@code data} in an order fixed by {@code seed}. */
  public Batches(Dataset data, long seed, boolean xflip) {
    this.data = data;
    this.seed = seed;
    this.xflip = xflip;
    this.decoder =
        data instanceof ImageSource s && s.prefetch()
            ? new ThreadPoolExecutor(
                0,
                1,
                5,
                TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(),
                r -> {
                  Thread t = new Thread(r, "jgan-data-" + data.name());
                  t.setDaemon(true);
                  return t;
                })
            : null;
    restore(0, 0);
  }

  /** The dataset. */
  public Dataset data() {
    return data;
  }

  /** The next {@code n} samples (wrapping into the next epoch). */
  public Batch next(int n, DType type) {
    if (decoder == null) {
      Pending p = plan(n, null);
      epoch = p.epochAfter();
      position = p.positionAfter();
      return data.batch(p.indices(), p.flip(), type);
    }
    ImageSource source = (ImageSource) data;
    if (pending == null || pending.indices().length != n) {
      restore(epoch, position); // a batch of another size was planned: plan again from here
      pending = plan(n, source);
    }
    Pending p = pending;
    pending = plan(n, source); // the one after, decoded while the caller works on this one
    float[] pixels;
    try {
      pixels = p.pixels().join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof UncheckedIOException u) {
        throw u;
      }
      throw e;
    }
    epoch = p.epochAfter();
    position = p.positionAfter();
    return source.batchOf(p.indices(), pixels, type);
  }

  /** The next {@code n} samples from the plan cursor, decoding them in the background if asked. */
  private Pending plan(int n, ImageSource source) {
    int[] idx = new int[n];
    boolean[] flip = xflip ? new boolean[n] : null;
    for (int k = 0; k < n; k++) {
      if (planPosition == order.length) {
        startEpoch(planEpoch + 1);
      }
      idx[k] = order[planPosition++];
      if (xflip) {
        flip[k] = flips.nextDouble() < 0.5;
      }
    }
    CompletableFuture<float[]> pixels = null;
    if (source != null) {
      pixels =
          CompletableFuture.supplyAsync(
              () -> {
                float[] out = source.buffer(n);
                try {
                  source.decodeInto(idx, flip, out);
                } catch (DatasetException e) {
                  throw new UncheckedIOException(e);
                }
                return out;
              },
              decoder);
    }
    return new Pending(idx, flip, planEpoch, planPosition, pixels);
  }

  private void startEpoch(long e) {
    Rng r = new Rng(seed).split(e);
    this.order = r.permutation(data.size());
    this.flips = r.split(1);
    this.planEpoch = e;
    this.planPosition = 0;
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
    if (pending != null && pending.pixels() != null) {
      pending.pixels().cancel(false);
    }
    pending = null;
    this.epoch = epoch;
    this.position = position;
    startEpoch(epoch);
    for (int i = 0; i < position && xflip; i++) {
      flips.nextDouble();
    }
    this.planPosition = position;
  }
}
