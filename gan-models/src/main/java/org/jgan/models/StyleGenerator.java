package org.jgan.models;

import org.jgan.core.kernels.Shapes;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.models.blocks.MappingNetwork;
import org.jgan.models.blocks.NoiseMode;

/**
 * A style-based generator (StyleGAN, StyleGAN2): a mapping network {@code z -> w}, broadcast to one
 * latent per synthesis layer ({@code ws [N, numWs, wDim]}), and a synthesis network driven by the
 * {@code ws}. Style mixing takes the first latents from one {@code ws} and the rest from another
 * ({@link #mix}); truncation pulls latents towards {@code w_avg}.
 */
public abstract class StyleGenerator extends Generator {
  /** A style-based generator of the family and sizes {@code config} states. */
  protected StyleGenerator(ModelConfig config) {
    super(config);
  }

  /** The mapping network. */
  public abstract MappingNetwork mappingNetwork();

  /**
   * Latents per image (synthesis layers plus the last toRGB), as the mapping network emits them.
   */
  public int numWs() {
    return mappingNetwork().numWs();
  }

  /** Size of {@code w}. */
  public int wDim() {
    return mappingNetwork().wDim();
  }

  /**
   * {@code z} (and labels) to {@code ws [N, numWs, wDim]}.
   *
   * @param updateWAvg track the batch average of {@code w} (the main training call only)
   */
  public Tensor mapping(Tensor z, int[] labels, double psi, int cutoff, boolean updateWAvg) {
    return mapping(z, labels, psi, cutoff, updateWAvg, false);
  }

  /**
   * {@code z} (and labels) to {@code ws [N, numWs, wDim]}, truncated as {@code sampling} says (to
   * the tracked average or each sample's class centre); the average is not updated.
   */
  public Tensor mapping(Tensor z, int[] labels, Sampling sampling) {
    return mapping(
        z,
        labels,
        sampling.truncationPsi(),
        sampling.truncationCutoff(),
        false,
        sampling.classCentres());
  }

  private Tensor mapping(
      Tensor z, int[] labels, double psi, int cutoff, boolean updateWAvg, boolean classCentres) {
    Shapes.check(z.shape(), getClass().getSimpleName() + " z", -1, zDim());
    checkLabels(labels, z.size(0));
    return mappingNetwork().forward(z, labels, psi, cutoff, updateWAvg, classCentres);
  }

  /**
   * The effective weight of the first synthesis layer's style affine, {@code [styles, wDim]}: the
   * map from {@code w} to that layer's styles (used by closed-form factorisation).
   */
  public abstract Tensor firstStyleWeight();

  /** Images from {@code ws [N, numWs, wDim]}. */
  public abstract Tensor synthesis(Tensor ws, NoiseMode noiseMode, Rng rng);

  @Override
  public Tensor forward(Tensor z, int[] labels, Sampling sampling) {
    return synthesis(mapping(z, labels, sampling), sampling.noiseMode(), sampling.rng());
  }

  /**
   * Style mixing: latents {@code 0..crossover-1} from {@code ws1}, the rest from {@code ws2}, so
   * that the coarse layers follow one source and the fine layers the other.
   */
  public static Tensor mix(Tensor ws1, Tensor ws2, int crossover) {
    long n = ws1.size(1);
    if (crossover <= 0) {
      return ws2;
    }
    if (crossover >= n) {
      return ws1;
    }
    return Tensor.concat(1, ws1.slice(1, 0, crossover), ws2.slice(1, crossover, n));
  }

  /** Checks {@code ws} has the expected shape. */
  protected final void checkWs(Tensor ws) {
    Shapes.check(ws.shape(), getClass().getSimpleName() + " ws", -1, numWs(), wDim());
  }
}
