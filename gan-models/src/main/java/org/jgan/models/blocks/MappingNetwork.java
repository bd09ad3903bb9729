package org.jgan.models.blocks;

import java.util.ArrayList;
import java.util.List;
import org.jgan.core.autograd.GradMode;
import org.jgan.core.kernels.Shapes;
import org.jgan.core.nn.Buffer;
import org.jgan.core.nn.Embedding;
import org.jgan.core.nn.Module;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;

/**
 * The mapping network {@code z -> w} of StyleGAN (StyleGAN2-ADA {@code MappingNetwork}):
 *
 * <pre>
 *   x  = normalize_2nd_moment(z)                               (pixel norm)
 *   x  = concat(x, normalize_2nd_moment(embed(onehot(c))))     (conditional only; embed: linear)
 *   w  = num_layers x equalised linear + lrelu, lr multiplier 0.01
 *   training:   w_avg &lt;- w_avg + (1 - 0.995) (mean_batch w - w_avg)
 *   truncation: w'_i = w_avg + psi (w_i - w_avg) for layers i &lt; cutoff (all if cutoff &lt; 0)
 * </pre>
 *
 * The output is broadcast to {@code [N, numWs, wDim]}, one latent per synthesis layer. With {@code
 * zDim = 0} the network maps labels alone (a conditional discriminator's label embedding).
 */
public final class MappingNetwork extends Module {
  private final int zDim;
  private final int labelCount;
  private final int wDim;
  private final int numWs;
  private final double wAvgBeta;
  private final EqualizedLinear embed;
  private final List<EqualizedLinear> layers = new ArrayList<>();
  private final Buffer wAvg;

  /**
   * A mapping network.
   *
   * @param zDim latent size (0: labels only)
   * @param labelCount number of classes (0: unconditional)
   * @param wDim output size, also the hidden and embedding size
   * @param numWs how many copies of {@code w} the output holds (0: return {@code [N, wDim]})
   * @param numLayers fully connected layers (8 in the papers)
   * @param lrMul learning-rate multiplier of those layers (0.01)
   * @param wAvgBeta decay of the tracked average {@code w_avg} (0.995; NaN: no tracking)
   */
  public MappingNetwork(
      int zDim,
      int labelCount,
      int wDim,
      int numWs,
      int numLayers,
      double lrMul,
      double wAvgBeta,
      Rng rng) {
    if (zDim == 0 && labelCount == 0) {
      throw new IllegalArgumentException(
          "MappingNetwork: needs a latent (zDim > 0) or labels (labelCount > 0)");
    }
    if (numLayers < 1 || wDim < 1) {
      throw new IllegalArgumentException("MappingNetwork: needs numLayers >= 1 and wDim >= 1");
    }
    this.zDim = zDim;
    this.labelCount = labelCount;
    this.wDim = wDim;
    this.numWs = numWs;
    this.wAvgBeta = wAvgBeta;
    this.embed =
        labelCount > 0
            ? child("embed", new EqualizedLinear(labelCount, wDim, Act.LINEAR, rng))
            : null;
    int in = zDim + (labelCount > 0 ? wDim : 0);
    for (int i = 0; i < numLayers; i++) {
      layers.add(child("fc" + i, new EqualizedLinear(in, wDim, Act.LRELU, lrMul, 0.0, rng)));
      in = wDim;
    }
    this.wAvg = Double.isNaN(wAvgBeta) ? null : buffer("w_avg", Tensor.zeros(DType.FLOAT32, wDim));
  }

  /** Number of per-layer latents the output is broadcast to. */
  public int numWs() {
    return numWs;
  }

  /** Size of {@code w}. */
  public int wDim() {
    return wDim;
  }

  /** The tracked average {@code w_avg [wDim]}. */
  public Tensor wAvg() {
    if (wAvg == null) {
      throw new IllegalStateException("this mapping network does not track w_avg");
    }
    return wAvg.value();
  }

  /**
   * Maps latents (and labels) to {@code w}.
   *
   * @param z {@code [N, zDim]}, or null when {@code zDim = 0}
   * @param labels class indices (length N), or null when unconditional
   * @param psi truncation (1 = none, 0 = always {@code w_avg})
   * @param cutoff truncate only the first {@code cutoff} latents (negative: all)
   * @param updateWAvg track the average of this batch's {@code w} (training)
   * @return {@code [N, numWs, wDim]}, or {@code [N, wDim]} when {@code numWs = 0}
   */
  public Tensor forward(Tensor z, int[] labels, double psi, int cutoff, boolean updateWAvg) {
    Tensor x = null;
    if (zDim > 0) {
      Shapes.check(z.shape(), "MappingNetwork z", -1, zDim);
      x = PixelNorm.apply(z);
    }
    if (labelCount > 0) {
      if (labels == null) {
        throw new IllegalArgumentException(
            "MappingNetwork: this network is conditional; pass labels");
      }
      Tensor c =
          Embedding.oneHot(
              labels, labelCount, x != null ? x.dtype() : embed.weight().value().dtype());
      Tensor y = PixelNorm.apply(embed.forward(c));
      x = x == null ? y : Tensor.concat(1, x, y);
    } else if (labels != null) {
      throw new IllegalArgumentException(
          "MappingNetwork: this network is unconditional; labels must be null");
    }
    for (EqualizedLinear l : layers) {
      x = l.forward(x);
    }
    if (updateWAvg && wAvg != null) {
      try (GradMode.Guard g = GradMode.disabled()) {
        Tensor avg = wAvg.value();
        wAvg.assign(avg.add(x.detach().mean(false, 0).to(avg.dtype()).sub(avg).mul(1 - wAvgBeta)));
      }
    }
    if (numWs == 0) {
      return psi == 1.0 ? x : truncate(x, psi);
    }
    long n = x.size(0);
    Tensor ws = x.unsqueeze(1).expand(n, numWs, wDim);
    return psi == 1.0 ? ws : truncate(ws, psi, cutoff);
  }

  private Tensor truncate(Tensor w, double psi) {
    Tensor avg = wAvg().to(w.dtype());
    return avg.add(w.sub(avg).mul(psi));
  }

  /**
   * {@code w_avg + psi (ws - w_avg)} for the first {@code cutoff} latents of {@code [N, numWs,
   * wDim]}.
   */
  public Tensor truncate(Tensor ws, double psi, int cutoff) {
    int c = cutoff < 0 || cutoff > numWs ? numWs : cutoff;
    Tensor t = truncate(ws.slice(1, 0, c), psi);
    return c == numWs ? t : Tensor.concat(1, t, ws.slice(1, c, numWs));
  }
}
