package org.jgan.models.blocks;

import java.util.ArrayList;
import java.util.Arrays;
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
 *               or towards the centre of the sample's class instead of w_avg (conditional)
 * </pre>
 *
 * The output is broadcast to {@code [N, numWs, wDim]}, one latent per synthesis layer. With {@code
 * zDim = 0} the network maps labels alone (a conditional discriminator's label embedding).
 */
public final class MappingNetwork extends Module {
  /** How many latents of a fixed draw give each class centre. */
  public static final int CENTRE_SAMPLES = 4096;

  /** The seed of the latents that give the class centres. */
  private static final long CENTRE_SEED = 0x63656e747265L;

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
    return forward(z, labels, psi, cutoff, updateWAvg, false);
  }

  /**
   * {@link #forward(Tensor, int[], double, int, boolean)}, truncating towards each sample's class
   * centre ({@link #classCentres}) instead of {@code w_avg} when {@code classCentres} is set: the
   * tracked average lies between the classes, so pulling a conditional sample towards it blurs its
   * class; the centre of its own class keeps it.
   *
   * @throws IllegalArgumentException for class centres of an unconditional network (psi below 1)
   */
  public Tensor forward(
      Tensor z, int[] labels, double psi, int cutoff, boolean updateWAvg, boolean classCentres) {
    Tensor x = map(z, labels);
    if (updateWAvg && wAvg != null) {
      try (GradMode.Guard g = GradMode.disabled()) {
        Tensor avg = wAvg.value();
        wAvg.assign(avg.add(x.detach().mean(false, 0).to(avg.dtype()).sub(avg).mul(1 - wAvgBeta)));
      }
    }
    Tensor centre = psi == 1.0 ? null : classCentres ? classCentres(labels) : wAvg();
    if (numWs == 0) {
      return psi == 1.0 ? x : truncate(x, centre, psi);
    }
    long n = x.size(0);
    Tensor ws = x.unsqueeze(1).expand(n, numWs, wDim);
    if (psi == 1.0) {
      return ws;
    }
    return truncate(ws, classCentres ? centre.unsqueeze(1) : centre, psi, cutoff);
  }

  /**
   * The centre of each label's class in {@code w}: the mean of {@code w} over {@link
   * #CENTRE_SAMPLES} latents of a fixed draw (the same for every class and every call), {@code [N,
   * wDim]} with one row per label. Computed without a graph.
   */
  public Tensor classCentres(int[] labels) {
    if (labels == null || labelCount == 0 || zDim == 0) {
      throw new IllegalArgumentException(
          "MappingNetwork: truncation towards class centres needs a conditional network with a"
              + " latent, and labels; this one has "
              + labelCount
              + " classes and zDim "
              + zDim);
    }
    DType type = layers.get(0).weight().value().dtype();
    Tensor[] rows = new Tensor[labels.length];
    Tensor[] byClass = new Tensor[labelCount];
    try (GradMode.Guard off = GradMode.disabled()) {
      Tensor z = new Rng(CENTRE_SEED).normal(type, CENTRE_SAMPLES, zDim);
      for (int i = 0; i < labels.length; i++) {
        int c = labels[i];
        if (c < 0 || c >= labelCount) {
          throw new IllegalArgumentException(
              "MappingNetwork: label " + c + " at " + i + " is outside [0, " + labelCount + ")");
        }
        if (byClass[c] == null) {
          int[] same = new int[CENTRE_SAMPLES];
          Arrays.fill(same, c);
          byClass[c] = map(z, same).mean(true, 0); // [1, wDim]
        }
        rows[i] = byClass[c];
      }
      return Tensor.concat(0, rows);
    }
  }

  /** {@code [N, wDim]}: the layers applied to the normalised latent and label embedding. */
  private Tensor map(Tensor z, int[] labels) {
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
    return x;
  }

  /** {@code centre + psi (w - centre)}, the centre broadcast over {@code w}. */
  private static Tensor truncate(Tensor w, Tensor centre, double psi) {
    Tensor c = centre.to(w.dtype());
    return c.add(w.sub(c).mul(psi));
  }

  /**
   * {@code w_avg + psi (ws - w_avg)} for the first {@code cutoff} latents of {@code [N, numWs,
   * wDim]}.
   */
  public Tensor truncate(Tensor ws, double psi, int cutoff) {
    return truncate(ws, wAvg(), psi, cutoff);
  }

  /**
   * {@code centre + psi (ws - centre)} for the first {@code cutoff} latents of {@code [N, numWs,
   * wDim]}; {@code centre} broadcasts against them ({@code [wDim]} or {@code [N, 1, wDim]}).
   */
  private Tensor truncate(Tensor ws, Tensor centre, double psi, int cutoff) {
    int c = cutoff < 0 || cutoff > numWs ? numWs : cutoff;
    Tensor t = truncate(ws.slice(1, 0, c), centre, psi);
    return c == numWs ? t : Tensor.concat(1, t, ws.slice(1, c, numWs));
  }
}
