package org.jgan.train.ema;

import java.util.Map;
import org.jgan.core.autograd.GradMode;
import org.jgan.core.kernels.Kernels;
import org.jgan.core.nn.Buffer;
import org.jgan.core.nn.Parameter;
import org.jgan.models.Generator;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An exponential moving average of the generator's weights (StyleGAN2-ADA's {@code G_ema}), the
 * network that samples and metrics use. With a half-life of {@code emaKimg} thousand images and a
 * ramp-up {@code r} (the half-life is at most {@code r} times the images seen so far):
 *
 * <pre>
 *   ema_nimg = min(emaKimg * 1000, imagesSeen * r)      (no cap when r = 0)
 *   beta     = 0.5 ^ (batch / max(ema_nimg, 1e-8))
 *   theta_ema &lt;- theta + beta (theta_ema - theta);  buffers copied
 * </pre>
 */
public final class GeneratorEma {
  private final Generator ema;
  private final double emaKimg;
  private final double rampup;

  /**
   * An average held in {@code ema}, a generator of the same architecture (its weights are
   * overwritten with the source's now).
   */
  public GeneratorEma(Generator source, Generator ema, double emaKimg, double rampup) {
    this.ema = ema;
    this.emaKimg = emaKimg;
    this.rampup = rampup;
    ema.loadStateDict(source.stateDict());
    ema.eval();
    for (Parameter p : ema.parameters()) {
      p.setRequiresGrad(false);
    }
  }

  /** The averaged generator. */
  public Generator generator() {
    return ema;
  }

  /** The decay {@code beta} for a step of {@code batch} images after {@code imagesSeen} images. */
  public double beta(long imagesSeen, int batch) {
    double emaNimg = emaKimg * 1000;
    if (rampup > 0) {
      emaNimg = Math.min(emaNimg, imagesSeen * rampup);
    }
    return Math.pow(0.5, batch / Math.max(emaNimg, 1e-8));
  }

  /** Moves the average towards {@code source} after a step. */
  public void update(Generator source, long imagesSeen, int batch) {
    double beta = beta(imagesSeen, batch);
    try (GradMode.Guard g = GradMode.disabled()) {
      Map<String, Parameter> src = source.namedParameters();
      for (Map.Entry<String, Parameter> e : ema.namedParameters().entrySet()) {
        INDArray t = e.getValue().value().data();
        INDArray s = src.get(e.getKey()).value().data();
        // theta_ema = theta + beta (theta_ema - theta) = beta theta_ema + (1 - beta) theta
        INDArray scaled = Kernels.mulScalar(s, 1 - beta);
        t.muli(beta).addi(scaled);
        Kernels.free(scaled);
      }
      Map<String, Buffer> bufs = source.namedBuffers();
      for (Map.Entry<String, Buffer> e : ema.namedBuffers().entrySet()) {
        e.getValue().assign(bufs.get(e.getKey()).value());
      }
    }
  }
}
