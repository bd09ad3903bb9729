package org.jgan.train.data;

import org.jgan.core.tensor.Tensor;

/**
 * A minibatch: samples {@code [N, C, H, W]} in [-1, 1] (or points {@code [N, d]}) and, for labelled
 * data, one class index per sample (else null).
 */
public record Batch(Tensor x, int[] labels) {}
