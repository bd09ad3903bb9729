package org.jgan.train.reg;

import java.util.function.Function;
import org.jgan.core.autograd.Autograd;
import org.jgan.core.tensor.Tensor;

/**
 * StyleGAN2's path-length regularisation: the Jacobian of the synthesis network with respect to
 * {@code w}, applied to random image-space directions, should have a constant length.
 *
 * <pre>
 *   y     ~ N(0, I) / sqrt(H W)
 *   g     = d sum(G(ws) y) / d ws                       [N, numWs, wDim]
 *   a_n   = sqrt(mean_over_ws sum_wDim g^2)
 *   m     = a_mean + decay (mean_n a_n - a_mean)         (decay 0.01; m keeps its gradient)
 *   L_pl  = weight mean_n (a_n - m)^2                    (weight 2)
 *   a_mean &lt;- detach(m)
 * </pre>
 *
 * It runs on {@code N / batchShrink} samples (2) every 4 minibatches in StyleGAN2, its loss then
 * multiplied by the interval (lazy regularisation). The running mean is part of the training state.
 */
public final class PathLengthPenalty {
  private final double weight;
  private final double decay;
  private double mean;

  /** A penalty with the given weight (2) and decay (0.01), running mean starting at 0. */
  public PathLengthPenalty(double weight, double decay) {
    this.weight = weight;
    this.decay = decay;
  }

  /** The running mean of path lengths. */
  public double mean() {
    return mean;
  }

  /** Restores the running mean (from a checkpoint). */
  public void setMean(double mean) {
    this.mean = mean;
  }

  /** One evaluation: the loss, with the running mean updated. */
  public Result compute(Function<Tensor, Tensor> synthesis, Tensor ws, Tensor y) {
    Tensor w = ws.requiresGrad() ? ws : Tensor.leaf(ws.data(), true);
    Tensor img = synthesis.apply(w);
    Tensor g = Autograd.grad(img.mul(y).sum(), w, true);
    Tensor lengths = g.square().sum(false, 2).mean(false, 1).sqrt();
    Tensor m = lengths.mean().sub(mean).mul(decay).add(mean);
    mean = m.item();
    Tensor loss = lengths.sub(m).square().mean().mul(weight);
    return new Result(loss, lengths);
  }

  /**
   * The penalty's value and the per-sample path lengths.
   *
   * @param loss {@code weight mean (a - m)^2}, differentiable to the generator's parameters
   * @param lengths {@code a [N]}
   */
  public record Result(Tensor loss, Tensor lengths) {}
}
