package org.jgan.models.blocks;

import org.jgan.core.kernels.Shapes;
import org.jgan.core.nn.Module;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;

/**
 * The projection output of a conditional discriminator (Miyato and Koyama 2018, as in
 * StyleGAN2-ADA's {@code DiscriminatorEpilogue} with {@code cmap}): features {@code h [N, F]} are
 * projected to {@code cmapDim}, the label is embedded by a label-only mapping network, and
 *
 * <pre>
 *   out = sum_j out_j(h) cmap_j(c) / sqrt(cmapDim)        [N, 1]
 * </pre>
 */
public final class ProjectionHead extends Module {
  private final int cmapDim;
  private final EqualizedLinear out;
  private final MappingNetwork labelMap;

  /**
   * A projection head from {@code features} with {@code labelCount} classes; the label mapping has
   * {@code mappingLayers} layers with learning-rate multiplier {@code lrMul}.
   */
  public ProjectionHead(
      int features, int labelCount, int cmapDim, int mappingLayers, double lrMul, Rng rng) {
    this.cmapDim = cmapDim;
    this.out = child("out", new EqualizedLinear(features, cmapDim, Act.LINEAR, rng));
    this.labelMap =
        child(
            "mapping",
            new MappingNetwork(0, labelCount, cmapDim, 0, mappingLayers, lrMul, Double.NaN, rng));
  }

  /** The label embedding {@code cmap(c) [N, cmapDim]}. */
  public Tensor embed(int[] labels) {
    return labelMap.forward(null, labels, 1.0, -1, false);
  }

  /** {@code h [N, features]} and labels to logits {@code [N, 1]}. */
  public Tensor forward(Tensor h, int[] labels) {
    if (labels == null || labels.length != h.size(0)) {
      throw new IllegalArgumentException(
          "ProjectionHead: need one label per sample ("
              + h.size(0)
              + "), got "
              + (labels == null ? "none" : labels.length));
    }
    Shapes.check(h.shape(), "ProjectionHead input", h.size(0), -1);
    return out.forward(h).mul(embed(labels)).sum(true, 1).mul(1.0 / Math.sqrt(cmapDim));
  }
}
