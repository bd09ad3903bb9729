package org.jgan.core.nn;

import org.jgan.core.tensor.Tensor;

/**
 * Flattens every axis from {@code startDim} on (default 1: {@code [N, C, H, W]} to {@code [N,
 * CHW]}).
 */
public final class Flatten extends Layer {
  private final int startDim;

  /** Flattens from axis 1. */
  public Flatten() {
    this(1);
  }

  /** Flattens from {@code startDim}. */
  public Flatten(int startDim) {
    this.startDim = startDim;
  }

  @Override
  public Tensor forward(Tensor x) {
    return x.flatten(startDim);
  }
}
