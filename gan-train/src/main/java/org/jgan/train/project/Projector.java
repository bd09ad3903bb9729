package org.jgan.train.project;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.jgan.core.autograd.Autograd;
import org.jgan.core.autograd.GradMode;
import org.jgan.core.kernels.Kernels;
import org.jgan.core.kernels.Shapes;
import org.jgan.core.nn.Buffer;
import org.jgan.core.nn.Functional;
import org.jgan.core.nn.Module;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.tensor.TensorScope;
import org.jgan.models.StyleGenerator;
import org.jgan.models.blocks.NoiseMode;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Finds the latent of a target image (Abdal et al. 2019; Karras et al. 2020, as
 * stylegan2-ada-pytorch's {@code projector.py} does it): starting from the average {@code w}, Adam
 * on {@code w} ({@code W}: one latent for every layer) or on one latent per layer ({@code W+}) and
 * on the generator's constant noise maps, minimising
 *
 * <pre>
 *   |f(G(w)) - f(target)|^2  +  pixelWeight mean((G(w) - target)^2)  +  noiseWeight R(noise)
 * </pre>
 *
 * where {@code f} is a feature network the caller chooses (a perceptual distance; identity for
 * pixels only) and {@code R} sums, for each noise map and each of its halvings down to 8x8, the
 * squared mean autocorrelation at shift one along each axis (so that the maps stay noise and do not
 * carry the image). The schedule is ADA's: the learning rate ramps up over the first 5% of the
 * steps and down with a cosine over the last 25%; Gaussian noise of {@code 0.05 w_std} times {@code
 * max(0, 1 - t / 0.75)^2} is added to {@code w} in each step; after each step every noise map is
 * renormalised to mean 0 and variance 1. The generator's noise buffers are restored when the
 * projection ends; the fitted maps are in the result.
 */
public final class Projector {
  /**
   * The settings of a projection.
   *
   * @param steps optimisation steps (ADA: 1000)
   * @param learningRate Adam's peak learning rate (0.1)
   * @param wPlus one latent per layer ({@code W+}) instead of one for all ({@code W})
   * @param pixelWeight weight of the mean squared pixel error
   * @param noiseWeight weight of the noise regulariser (1e5)
   * @param samples latents for the average {@code w} and its spread (10,000)
   * @param seed seeds those latents and the noise added to {@code w}
   */
  public record Settings(
      int steps,
      double learningRate,
      boolean wPlus,
      double pixelWeight,
      double noiseWeight,
      int samples,
      long seed) {
    /** Validates the values. */
    public Settings {
      if (steps < 1 || !(learningRate > 0) || pixelWeight < 0 || noiseWeight < 0 || samples < 2) {
        throw new IllegalArgumentException(
            "projection needs steps >= 1, learningRate > 0, weights >= 0 and samples >= 2, got "
                + this);
      }
    }

    /** ADA's settings: 1000 steps, learning rate 0.1, W, noise weight 1e5, 10,000 samples. */
    public static Settings ada(double pixelWeight) {
      return new Settings(1000, 0.1, false, pixelWeight, 1e5, 10_000, 0);
    }
  }

  /**
   * What a projection found, for a batch of {@code B} targets.
   *
   * @param ws the latents {@code [B, numWs, wDim]} (in {@code W} all rows of an image are the same)
   * @param noise the fitted noise maps {@code [B, H, W]}, in the order of the generator's noise
   *     buffers
   * @param image the reconstructions {@code [B, C, H, W]} from {@code ws} and {@code noise}
   * @param losses the loss of every step (summed over the batch)
   * @param frames the reconstructions every {@code frameEvery} steps (for an animation)
   */
  public record Result(
      Tensor ws, List<Tensor> noise, Tensor image, double[] losses, List<Tensor> frames) {}

  private Projector() {}

  /**
   * Projects {@code target [1, C, H, W]} (in [-1, 1], the generator's size and channels) into
   * {@code g}; {@code label} is the class for a conditional generator (ignored otherwise), {@code
   * features} the perceptual feature map (differentiable; identity for none), {@code frameEvery}
   * how often to keep a frame (0: none). Runs in float32 or float64 as {@code g} does.
   */
  public static Result project(
      StyleGenerator g,
      Tensor target,
      int label,
      UnaryOperator<Tensor> features,
      Settings s,
      int frameEvery) {
    long[] shape = g.sampleShape();
    Shapes.check(target.shape(), "projection target", 1, shape[0], shape[1], shape[2]);
    return project(g, target, Degradation.identity(), new int[] {label}, features, s, frameEvery);
  }

  /**
   * Restoration through the generator: fits {@code degrade(G(w))} to {@code observed} (the degraded
   * images, {@code [B, C, h, w]} as {@code degrade} makes them) and returns {@code G(w)}; {@code
   * features} sees the degraded images. The {@code B} images are projected at once but each on its
   * own: its own latent, noise maps, average {@code w} (of its class, {@code labels[i]}, for a
   * conditional generator; {@code labels} may be null otherwise) and loss, which only sum.
   * Otherwise as {@link #project(StyleGenerator, Tensor, int, UnaryOperator, Settings, int)}.
   */
  public static Result project(
      StyleGenerator g,
      Tensor observed,
      Degradation degrade,
      int[] labels,
      UnaryOperator<Tensor> features,
      Settings s,
      int frameEvery) {
    int batch = (int) observed.size(0);
    if (g.labelCount() > 0 && (labels == null || labels.length != batch)) {
      throw new IllegalArgumentException(
          "a conditional generator needs one label per image: "
              + batch
              + " images, "
              + (labels == null ? "no" : labels.length)
              + " labels");
    }
    int[] classes = g.labelCount() > 0 ? labels.clone() : null;
    g.eval();
    List<Buffer> noiseBuffers = noiseBuffers(g);
    List<INDArray> saved = new ArrayList<>();
    DType type = g.dtype();
    Rng rng = new Rng(s.seed());
    INDArray wOpt = null;
    Adam adam = null;
    try (TensorScope outer = TensorScope.open()) {
      // each image fits its own copy of every noise map: [B, H, W] in place of the buffer's [H, W]
      for (Buffer b : noiseBuffers) {
        INDArray map = b.value().data();
        INDArray copies = Kernels.full(map.dataType(), 0.0, batch, map.size(0), map.size(1));
        for (int i = 0; i < batch; i++) {
          copies.slice(i).assign(map); // a view of image i's map
        }
        saved.add(b.swap(copies));
      }
      Tensor t = observed.to(type);
      // the average w and its spread, from s.samples() latents (per class for a conditional g)
      Tensor wAvg;
      Tensor wStd;
      try (GradMode.Guard off = GradMode.disabled();
          TensorScope scope = TensorScope.open()) {
        Map<Integer, Tensor[]> perClass = new HashMap<>();
        Tensor[] avg = new Tensor[batch];
        Tensor[] std = new Tensor[batch];
        for (int i = 0; i < batch; i++) {
          int c = classes == null ? 0 : classes[i];
          Tensor[] stats =
              perClass.computeIfAbsent(c, k -> averageW(g, classes != null, k, s, rng));
          avg[i] = stats[0];
          std[i] = stats[1];
        }
        wAvg = scope.keep(Tensor.concat(0, avg)); // [B, wDim]
        wStd = scope.keep(Tensor.concat(0, std)); // [B, 1]
      }
      int numWs = g.numWs();
      long[] wsShape = {batch, numWs, g.wDim()};
      wOpt = Kernels.copy((s.wPlus() ? wAvg.unsqueeze(1).expand(wsShape) : wAvg).data());
      Tensor noiseStd = s.wPlus() ? wStd.unsqueeze(1) : wStd; // broadcasts over w's shape
      Tensor targetFeatures; // owned by the outer scope, like everything that lives all steps
      try (GradMode.Guard off = GradMode.disabled()) {
        targetFeatures = features.apply(t);
      }
      double pixelsPerImage = t.size(1) * t.size(2) * t.size(3);
      List<INDArray> params = new ArrayList<>();
      params.add(wOpt);
      for (Buffer b : noiseBuffers) {
        params.add(b.value().data());
      }
      adam = new Adam(params);
      double[] losses = new double[s.steps()];
      List<Tensor> frames = new ArrayList<>();
      for (int step = 0; step < s.steps(); step++) {
        double progress = (double) step / s.steps();
        double noiseScale = 0.05 * Math.pow(Math.max(0, 1 - progress / 0.75), 2);
        double ramp = Math.min(1, (1 - progress) / 0.25);
        ramp = (0.5 - 0.5 * Math.cos(ramp * Math.PI)) * Math.min(1, progress / 0.05);
        try (TensorScope scope = TensorScope.open()) {
          Tensor w = Tensor.leaf(wOpt, true);
          List<Tensor> leaves = new ArrayList<>();
          leaves.add(w);
          for (Buffer b : noiseBuffers) {
            b.requireGrad(true);
            leaves.add(b.value());
          }
          Tensor wNoisy = w.add(rng.normal(type, w.shape()).mul(noiseStd.mul(noiseScale)));
          Tensor ws = s.wPlus() ? wNoisy : wNoisy.unsqueeze(1).expand(wsShape);
          Tensor image = g.synthesis(ws, NoiseMode.CONST, null);
          Tensor seen = degrade.apply(image);
          if (step == 0) {
            Shapes.check(t.shape(), "observed image", seen.shape());
          }
          // sums over the images: each image's gradient is that of its own loss
          Tensor loss = features.apply(seen).sub(targetFeatures).square().sum();
          if (s.pixelWeight() > 0) {
            loss = loss.add(seen.sub(t).square().sum().mul(s.pixelWeight() / pixelsPerImage));
          }
          if (s.noiseWeight() > 0 && !noiseBuffers.isEmpty()) {
            loss =
                loss.add(noiseRegularizer(leaves.subList(1, leaves.size())).mul(s.noiseWeight()));
          }
          losses[step] = loss.item();
          List<Tensor> grads = Autograd.grad(List.of(loss), leaves, null, false);
          adam.step(grads, s.learningRate() * ramp);
          for (Buffer b : noiseBuffers) {
            b.requireGrad(false);
            normalisePerImage(b.value().data());
          }
          if (frameEvery > 0 && (step % frameEvery == 0 || step == s.steps() - 1)) {
            frames.add(scope.keep(image)); // into the outer scope
          }
        }
      }
      Tensor ws;
      Tensor image;
      List<Tensor> noise = new ArrayList<>();
      try (GradMode.Guard off = GradMode.disabled()) {
        Tensor w = Tensor.of(wOpt);
        ws = s.wPlus() ? w.mul(1) : w.unsqueeze(1).expand(wsShape).mul(1);
        image = g.synthesis(ws, NoiseMode.CONST, null);
        for (Buffer b : noiseBuffers) {
          noise.add(b.value().mul(1));
        }
      }
      // the results move to the caller's scope, as the results of ops do
      List<Tensor> keptNoise = new ArrayList<>();
      noise.forEach(n -> keptNoise.add(outer.keep(n)));
      List<Tensor> keptFrames = new ArrayList<>();
      frames.forEach(f -> keptFrames.add(outer.keep(f)));
      return new Result(outer.keep(ws), keptNoise, outer.keep(image), losses, keptFrames);
    } finally {
      for (int i = 0; i < saved.size(); i++) {
        Buffer b = noiseBuffers.get(i);
        b.requireGrad(false);
        Kernels.free(b.swap(saved.get(i)));
      }
      if (wOpt != null) {
        Kernels.free(wOpt);
      }
      if (adam != null) {
        adam.free();
      }
    }
  }

  /**
   * The average {@code w} {@code [1, wDim]} of class {@code label} (any class when not {@code
   * conditional}) over {@code s.samples()} latents, and the root mean squared distance from it
   * {@code [1, 1]}.
   */
  private static Tensor[] averageW(
      StyleGenerator g, boolean conditional, int label, Settings s, Rng rng) {
    int[] many = conditional ? filled(s.samples(), label) : null;
    Tensor w = g.mapping(g.sampleLatents(s.samples(), rng).to(g.dtype()), many, 1, -1, false);
    Tensor w0 = w.slice(1, 0, 1).squeeze(1); // [n, wDim]
    Tensor mean = w0.mean(true, 0); // [1, wDim]
    double std = Math.sqrt(w0.sub(mean).square().sum().item() / s.samples());
    return new Tensor[] {mean, Tensor.full(g.dtype(), std, 1, 1)};
  }

  /** Every map {@code n[i]} of {@code n [B, H, W]} to mean 0 and variance 1, in place. */
  static void normalisePerImage(INDArray n) {
    INDArray rows = n.reshape('c', n.size(0), n.size(1) * n.size(2)); // a view: n is c-ordered
    rows.subiColumnVector(rows.mean(1).reshape(-1, 1));
    INDArray rms = rows.norm2(1).divi(Math.sqrt(rows.size(1))).reshape(-1, 1);
    rows.diviColumnVector(rms);
  }

  private static int[] filled(int n, int v) {
    int[] a = new int[n];
    Arrays.fill(a, v);
    return a;
  }

  /** The generator's constant-noise buffers ({@code ...noise.noise_const}), in state-dict order. */
  public static List<Buffer> noiseBuffers(Module g) {
    List<Buffer> out = new ArrayList<>();
    g.namedBuffers()
        .forEach(
            (name, b) -> {
              if (name.endsWith("noise_const")) {
                out.add(b);
              }
            });
    return out;
  }

  /**
   * ADA's noise regulariser: for each map and each halving while the side exceeds 8, the squared
   * mean of the map times itself rolled by one pixel, along each axis; maps {@code [H, W]}, or
   * {@code [B, H, W]} for a batch, whose images' terms add up.
   */
  static Tensor noiseRegularizer(List<Tensor> maps) {
    Tensor total = null;
    for (Tensor m : maps) {
      long b = m.rank() == 3 ? m.size(0) : 1;
      Tensor v = m.reshape(b, 1, m.size(-2), m.size(-1));
      while (true) {
        for (int axis : new int[] {2, 3}) {
          long n = v.size(axis);
          Tensor rolled = Tensor.concat(axis, v.slice(axis, n - 1, n), v.slice(axis, 0, n - 1));
          Tensor term = v.mul(rolled).mean(false, 1, 2, 3).square().sum();
          total = total == null ? term : total.add(term);
        }
        if (v.size(2) <= 8) {
          break;
        }
        v = Functional.avgPool2d(v, 2);
      }
    }
    return total;
  }

  /** Adam (betas 0.9, 0.999, eps 1e-8) on raw arrays, updated in place. */
  private static final class Adam {
    private final List<INDArray> params;
    private final List<INDArray> m = new ArrayList<>();
    private final List<INDArray> v = new ArrayList<>();
    private int t;

    Adam(List<INDArray> params) {
      this.params = params;
      for (INDArray p : params) {
        m.add(Kernels.full(p.dataType(), 0.0, p.shape()));
        v.add(Kernels.full(p.dataType(), 0.0, p.shape()));
      }
    }

    void free() {
      m.forEach(Kernels::free);
      v.forEach(Kernels::free);
    }

    void step(List<Tensor> grads, double lr) {
      t++;
      double c1 = 1 - Math.pow(0.9, t);
      double c2 = 1 - Math.pow(0.999, t);
      for (int i = 0; i < params.size(); i++) {
        INDArray g = grads.get(i).data();
        INDArray scratch = Kernels.copy(g);
        m.get(i).muli(0.9).addi(scratch.muli(0.1)); // m = 0.9 m + 0.1 g
        scratch.assign(g).muli(g).muli(0.001);
        v.get(i).muli(0.999).addi(scratch); // v = 0.999 v + 0.001 g^2
        scratch.assign(v.get(i)).divi(c2);
        Transforms.sqrt(scratch, false).addi(1e-8); // sqrt(v / c2) + eps
        scratch.rdivi(m.get(i)).muli(lr / c1); // (m / c1) / (sqrt(v / c2) + eps) times lr
        params.get(i).subi(scratch);
        Kernels.free(scratch);
      }
    }
  }
}
