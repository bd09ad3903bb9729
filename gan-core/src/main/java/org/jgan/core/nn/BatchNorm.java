package org.jgan.core.nn;

import org.jgan.core.autograd.GradMode;
import org.jgan.core.kernels.Shapes;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Tensor;

/**
 * Batch normalisation over axis 1 (PyTorch's {@code BatchNorm1d} for {@code [N, C]} or {@code [N,
 * C, L]}, {@code BatchNorm2d} for {@code [N, C, H, W]}).
 *
 * <p>Training: normalise with the batch mean and biased variance over all axes but 1, and update
 * the buffers {@code running_mean}, {@code running_var} (the latter with the unbiased variance)
 * with momentum 0.1. Evaluation: normalise with the running statistics. Then scale by {@code
 * weight} (init 1) and shift by {@code bias} (init 0). Built from primitives, so it is
 * differentiable to any order.
 */
public final class BatchNorm extends Layer {
  private final int channels;
  private final int rank;
  private final double eps;
  private final double momentum;
  private final Parameter weight;
  private final Parameter bias;
  private final Buffer runningMean;
  private final Buffer runningVar;

  private BatchNorm(int channels, int rank, double eps, double momentum) {
    this.channels = channels;
    this.rank = rank;
    this.eps = eps;
    this.momentum = momentum;
    this.weight = param("weight", Tensor.ones(DType.FLOAT32, channels));
    this.bias = param("bias", Tensor.zeros(DType.FLOAT32, channels));
    this.runningMean = buffer("running_mean", Tensor.zeros(DType.FLOAT32, channels));
    this.runningVar = buffer("running_var", Tensor.ones(DType.FLOAT32, channels));
  }

  /** {@code BatchNorm1d(channels)} with eps 1e-5, momentum 0.1, for {@code [N, C]} inputs. */
  public static BatchNorm of1d(int channels) {
    return new BatchNorm(channels, 2, 1e-5, 0.1);
  }

  /** {@code BatchNorm2d(channels)} with eps 1e-5, momentum 0.1, for {@code [N, C, H, W]} inputs. */
  public static BatchNorm of2d(int channels) {
    return new BatchNorm(channels, 4, 1e-5, 0.1);
  }

  @Override
  public Tensor forward(Tensor x) {
    if (x.size(1) != channels || (rank == 4 ? x.rank() != 4 : x.rank() < 2 || x.rank() > 3)) {
      throw new IllegalArgumentException(
          "BatchNorm"
              + (rank == 4 ? "2d" : "1d")
              + "("
              + channels
              + "): expected input "
              + (rank == 4
                  ? "[N, " + channels + ", H, W]"
                  : "[N, " + channels + "] or [N, " + channels + ", L]")
              + ", got "
              + Shapes.str(x.shape()));
    }
    int[] axes = new int[x.rank() - 1];
    axes[0] = 0;
    for (int i = 2; i < x.rank(); i++) {
      axes[i - 1] = i;
    }
    if (!isTraining()) {
      return Functional.normalize(
          x, runningMean.value(), runningVar.value(), weight.value(), bias.value(), eps);
    }
    long n = x.numel() / channels;
    if (n < 2) {
      throw new IllegalArgumentException(
          "BatchNorm in training mode needs more than one value per channel, got input "
              + Shapes.str(x.shape()));
    }
    Tensor mean = x.mean(false, axes);
    Tensor var = x.variance(false, false, axes);
    try (GradMode.Guard g = GradMode.disabled()) {
      Tensor m = runningMean.value();
      Tensor v = runningVar.value();
      runningMean.assign(m.mul(1 - momentum).add(mean.detach().mul(momentum)));
      runningVar.assign(v.mul(1 - momentum).add(var.detach().mul(momentum * n / (n - 1.0))));
    }
    return Functional.normalize(x, mean, var, weight.value(), bias.value(), eps);
  }
}
