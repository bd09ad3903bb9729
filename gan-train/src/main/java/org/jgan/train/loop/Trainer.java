package org.jgan.train.loop;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jgan.core.autograd.GradMode;
import org.jgan.core.memory.TensorScope;
import org.jgan.core.nn.Module;
import org.jgan.core.nn.Parameter;
import org.jgan.core.optim.Adam;
import org.jgan.core.optim.Optimizer;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Shapes;
import org.jgan.core.tensor.Tensor;
import org.jgan.models.Discriminator;
import org.jgan.models.Generator;
import org.jgan.models.Progressive;
import org.jgan.models.Sampling;
import org.jgan.models.StyleGenerator;
import org.jgan.train.data.Batch;
import org.jgan.train.data.Batches;
import org.jgan.train.data.Dataset;
import org.jgan.train.ema.GeneratorEma;
import org.jgan.train.loss.GanLoss;
import org.jgan.train.reg.GradientPenalty;
import org.jgan.train.reg.PathLengthPenalty;
import org.jgan.train.reg.R1Penalty;

/**
 * The adversarial loop: owns the generator, the discriminator, their optimisers, the generator
 * average and every random stream, and runs one step at a time, phase by phase:
 *
 * <ol>
 *   <li>{@link Phase#D_MAIN}: {@code L_D(D(x), D(G(z)))}, fakes made without a graph; WGAN-GP's
 *       penalty and drift, and R1 when its interval is 1, join this loss;
 *   <li>{@link Phase#D_REG}: every {@code r1Interval} steps, {@code r1Interval * R1} on the reals;
 *   <li>{@link Phase#G_MAIN}: {@code L_G(D(G(z)))} with the discriminator frozen (its weight
 *       gradients are never computed);
 *   <li>{@link Phase#G_REG}: every {@code plInterval} steps, {@code plInterval * L_pl} on {@code
 *       batch / plBatchShrink} samples;
 *   <li>the generator average follows.
 * </ol>
 *
 * Lazily regularised networks use Adam with {@code lr c, beta^c}, {@code c = k / (k + 1)}. Each
 * phase's batch may be split into micro-batches whose gradients add up. Each step runs in its own
 * {@link TensorScope}, so its native memory is released when it ends. Random streams (data order,
 * latents, noise, mixing, labels, penalties) are separate and seeded from the config, and their
 * positions are part of {@link #state()}: resuming from a checkpoint continues the same run.
 */
public final class Trainer {
  private final TrainingConfig config;
  private final Dataset data;
  private final Generator g;
  private final Discriminator d;
  private final GeneratorEma ema;
  private final Adam optG;
  private final Adam optD;
  private final Batches batches;
  private final Rng latents;
  private final Rng noise;
  private final Rng mixing;
  private final Rng labels;
  private final Rng penalty;
  private final PathLengthPenalty pathLength;
  private final ProgressiveSchedule schedule;
  private final StabilityMonitor monitorG = new StabilityMonitor("generator");
  private final StabilityMonitor monitorD = new StabilityMonitor("discriminator");
  private long step;
  private long imagesSeen;
  private int stageResolution;

  /**
   * A new run: networks initialised from the config's seed.
   *
   * @throws IllegalArgumentException when the data does not fit the model (shape, labels)
   */
  public Trainer(TrainingConfig config, Dataset data) {
    this.config = config;
    this.data = data;
    checkData(config, data);
    Rng root = new Rng(config.seed());
    this.g = config.model().generator(root.split(1).seed());
    this.d = config.model().discriminator(root.split(2).seed());
    this.ema = config.emaKimg() > 0
        ? new GeneratorEma(g, config.model().generator(root.split(1).seed()), config.emaKimg(), config.emaRampup())
        : null;
    boolean lazyR1 = config.r1Gamma() > 0 && config.r1Interval() > 1;
    boolean lazyPl = config.plWeight() > 0 && config.plInterval() > 1 && g instanceof StyleGenerator;
    OptimizerSettings gs = lazyPl ? config.g().lazy(config.plInterval()) : config.g();
    OptimizerSettings ds = lazyR1 ? config.d().lazy(config.r1Interval()) : config.d();
    this.optG = new Adam(g.namedParameters(), gs.lr(), gs.beta1(), gs.beta2(), gs.eps(), 0);
    this.optD = new Adam(d.namedParameters(), ds.lr(), ds.beta1(), ds.beta2(), ds.eps(), 0);
    this.batches = new Batches(data, root.split(3).seed(), config.xflip());
    this.latents = root.split(4);
    this.noise = root.split(5);
    this.mixing = root.split(6);
    this.labels = root.split(7);
    this.penalty = root.split(8);
    this.pathLength = new PathLengthPenalty(config.plWeight(), config.plDecay());
    this.schedule = config.schedule();
    this.stageResolution = -1;
    applyStage();
  }

  private static void checkData(TrainingConfig config, Dataset data) {
    long[] s = data.sampleShape();
    var m = config.model();
    long[] expected = m.resolution() == 0 ? null : new long[] {m.imageChannels(), m.resolution(), m.resolution()};
    if (expected != null && !Arrays.equals(s, expected)) {
      throw new IllegalArgumentException(
          "dataset " + data.name() + " has samples " + Shapes.str(s) + " but the " + m.family() + " model makes "
              + Shapes.str(expected) + (s.length == 3 && s[1] == 28 && expected[1] == 32 ? "; pad 28x28 images to 32" : ""));
    }
    if (m.labelCount() != 0 && m.labelCount() != data.labelCount()) {
      throw new IllegalArgumentException(
          "the model is conditional on " + m.labelCount() + " classes but dataset " + data.name() + " has "
              + data.labelCount() + " labels");
    }
    if (data.size() < 1) {
      throw new IllegalArgumentException("dataset " + data.name() + " is empty");
    }
  }

  /** The config. */
  public TrainingConfig config() {
    return config;
  }

  /** The dataset. */
  public Dataset data() {
    return data;
  }

  /** The trained generator. */
  public Generator generator() {
    return g;
  }

  /** The generator average, or the generator itself when EMA is off: what samples should use. */
  public Generator sampler() {
    return ema != null ? ema.generator() : g;
  }

  /** The generator average, or null. */
  public Generator ema() {
    return ema == null ? null : ema.generator();
  }

  /** The discriminator. */
  public Discriminator discriminator() {
    return d;
  }

  /** The generator's optimiser. */
  public Optimizer optimizerG() {
    return optG;
  }

  /** The discriminator's optimiser. */
  public Optimizer optimizerD() {
    return optD;
  }

  /** Steps taken. */
  public long steps() {
    return step;
  }

  /** Real images shown so far. */
  public long imagesSeen() {
    return imagesSeen;
  }

  /** Whether the run has reached {@code totalImages}. */
  public boolean done() {
    return imagesSeen >= config.totalImages();
  }

  /** The current stage resolution. */
  public int stageResolution() {
    return stageResolution;
  }

  /** Counts of gradient norms flagged as exploding or vanishing: {generator, discriminator}. */
  public long[] flags() {
    return new long[] {monitorG.flags(), monitorD.flags()};
  }

  /** Moves every network to the schedule's stage; a new resolution resets both optimisers. */
  private void applyStage() {
    if (schedule == null) {
      stageResolution = config.model().resolution();
      return;
    }
    int r = schedule.resolution(imagesSeen);
    double alpha = schedule.alpha(imagesSeen);
    for (Object net : new Object[] {g, d, ema == null ? null : ema.generator()}) {
      if (net instanceof Progressive p) {
        p.setStage(r, alpha);
      }
    }
    if (r != stageResolution && stageResolution != -1) {
      optG.loadState(java.util.Map.of()); // the progressive GAN resets Adam at each new resolution
      optD.loadState(java.util.Map.of());
    }
    stageResolution = r;
  }

  private double alpha() {
    return g instanceof Progressive p ? p.alpha() : 1.0;
  }

  /** Runs one step of every phase that is due and returns what it measured. */
  public StepStats step() {
    long t0 = System.nanoTime();
    applyStage();
    int batch = config.batchAt(stageResolution);
    int chunk = config.microBatch() == 0 ? batch : config.microBatch();
    DType type = g.dtype();
    double lossD = 0;
    double lossG = 0;
    double r1 = Double.NaN;
    double pl = Double.NaN;
    double dReal = 0;
    double dFake = 0;
    double normD;
    double normG;
    g.train(true);
    d.train(true);
    try (TensorScope scope = TensorScope.open()) {
      Batch real = batches.next(batch, type);
      Tensor x = stageImages(real.x());
      int[] realLabels = d.labelCount() > 0 ? real.labels() : null; // unconditional: labels unused
      // ---- D_MAIN
      optD.zeroGrad();
      Tensor zD = g.sampleLatents(batch, latents);
      int[] cD = generatorLabels(batch);
      boolean r1InMain = config.r1Gamma() > 0 && config.r1Interval() == 1;
      for (int at = 0; at < batch; at += chunk) {
        try (TensorScope micro = TensorScope.open()) {
          Tensor xs = x.slice(0, at, at + chunk);
          int[] rl = slice(realLabels, at, chunk);
          Tensor fake;
          try (GradMode.Guard off = GradMode.disabled()) {
            fake = generate(zD.slice(0, at, at + chunk), slice(cD, at, chunk), true);
          }
          Tensor realLogits = d.forward(xs, rl);
          Tensor fakeLogits = d.forward(fake, rl == null ? null : slice(cD, at, chunk));
          Tensor loss = config.loss().discriminator(realLogits, fakeLogits);
          if (config.loss() == GanLoss.WGAN_GP) {
            Tensor u = penalty.uniform(type, 0, 1, uShape(xs));
            loss = loss.add(GradientPenalty.penalty(in -> d.forward(in, rl), xs, fake, u, GradientPenalty.LAMBDA))
                .add(GradientPenalty.drift(realLogits, GradientPenalty.DRIFT));
          }
          if (r1InMain) {
            Tensor r = R1Penalty.compute(in -> d.forward(in, rl), xs, config.r1Gamma());
            r1 = (Double.isNaN(r1) ? 0 : r1) + r.item() * chunk / batch;
            loss = loss.add(r);
          }
          double share = (double) chunk / batch;
          lossD += finite(loss.item(), "discriminator", config.loss().name().toLowerCase() + " loss") * share;
          dReal += realLogits.mean().item() * share;
          dFake += fakeLogits.mean().item() * share;
          loss.mul(share).backward();
        }
      }
      normD = gradNorm(d, "discriminator", "gradient");
      monitorD.observe(step, normD);
      optD.step();
      // ---- D_REG
      if (config.r1Gamma() > 0 && config.r1Interval() > 1 && step % config.r1Interval() == 0) {
        optD.zeroGrad();
        r1 = 0;
        for (int at = 0; at < batch; at += chunk) {
          try (TensorScope micro = TensorScope.open()) {
            int[] rl = slice(realLabels, at, chunk);
            Tensor r = R1Penalty.compute(in -> d.forward(in, rl), x.slice(0, at, at + chunk), config.r1Gamma());
            double share = (double) chunk / batch;
            r1 += finite(r.item(), "discriminator", "R1 penalty") * share;
            r.mul(config.r1Interval() * share).backward();
          }
        }
        gradNorm(d, "discriminator", "R1 gradient");
        optD.step();
      }
      // ---- G_MAIN
      setRequiresGrad(d, false);
      try {
        optG.zeroGrad();
        Tensor zG = g.sampleLatents(batch, latents);
        int[] cG = generatorLabels(batch);
        for (int at = 0; at < batch; at += chunk) {
          try (TensorScope micro = TensorScope.open()) {
            int[] cl = slice(cG, at, chunk);
            Tensor fake = generate(zG.slice(0, at, at + chunk), cl, true);
            Tensor loss = config.loss().generator(d.forward(fake, cl));
            double share = (double) chunk / batch;
            lossG += finite(loss.item(), "generator", config.loss().name().toLowerCase() + " loss") * share;
            loss.mul(share).backward();
          }
        }
        normG = gradNorm(g, "generator", "gradient");
        monitorG.observe(step, normG);
        optG.step();
        // ---- G_REG
        if (config.plWeight() > 0 && g instanceof StyleGenerator sg && step % config.plInterval() == 0) {
          optG.zeroGrad();
          int n = batch / config.plBatchShrink();
          Tensor z = g.sampleLatents(n, latents);
          int[] c = generatorLabels(n);
          Tensor ws = mapWithMixing(sg, z, c, true);
          Tensor y = noise.normal(type, n, g.sampleShape()[0], stageResolution, stageResolution).mul(1.0 / stageResolution);
          PathLengthPenalty.Result res = pathLength.compute(w -> sg.synthesis(w, org.jgan.models.blocks.NoiseMode.RANDOM, noise), ws, y);
          pl = finite(res.loss().item(), "generator", "path-length penalty");
          res.loss().mul(config.plInterval()).backward();
          gradNorm(g, "generator", "path-length gradient");
          optG.step();
        }
      } finally {
        setRequiresGrad(d, true);
      }
      optG.zeroGrad();
      optD.zeroGrad();
      if (ema != null) {
        ema.update(g, imagesSeen, batch);
      }
    }
    imagesSeen += batch;
    StepStats stats = new StepStats(step, imagesSeen, stageResolution, alpha(), lossD, lossG, r1, pl, dReal, dFake,
        normD, normG, (System.nanoTime() - t0) / 1e9);
    step++;
    return stats;
  }

  /** Real images at the stage resolution, blended during a fade-in as the generator is. */
  private Tensor stageImages(Tensor x) {
    if (!(g instanceof Progressive p) || x.rank() != 4) {
      return x;
    }
    while (x.size(2) > stageResolution) {
      x = p.downsampleImages(x);
    }
    double alpha = p.alpha();
    if (alpha < 1.0 && stageResolution > 4) {
      Tensor low = p.upsampleImages(p.downsampleImages(x));
      x = low.add(x.sub(low).mul(alpha));
    }
    return x;
  }

  /** Generated images for the given latents, with style mixing for style-based generators. */
  private Tensor generate(Tensor z, int[] c, boolean updateWAvg) {
    if (g instanceof StyleGenerator sg) {
      return sg.synthesis(mapWithMixing(sg, z, c, updateWAvg), org.jgan.models.blocks.NoiseMode.RANDOM, noise);
    }
    return g.forward(z, c, Sampling.training(noise));
  }

  /** {@code mapping(z)}, with probability {@code styleMixing} mixed with a second latent (ADA). */
  private Tensor mapWithMixing(StyleGenerator sg, Tensor z, int[] c, boolean updateWAvg) {
    Tensor ws = sg.mapping(z, c, 1.0, -1, updateWAvg);
    if (config.styleMixing() > 0) {
      int cutoff = 1 + mixing.nextInt(sg.numWs() - 1);
      if (mixing.nextDouble() < config.styleMixing()) {
        Tensor ws2 = sg.mapping(sg.sampleLatents((int) z.size(0), latents), c, 1.0, -1, false);
        ws = StyleGenerator.mix(ws, ws2, cutoff);
      }
    }
    return ws;
  }

  private int[] generatorLabels(int n) {
    if (g.labelCount() == 0) {
      return null;
    }
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = config.labelSampling() == LabelSampling.UNIFORM
          ? labels.nextInt(g.labelCount())
          : data.label(labels.nextInt(data.size()));
    }
    return out;
  }

  private static int[] slice(int[] a, int at, int n) {
    return a == null ? null : Arrays.copyOfRange(a, at, at + n);
  }

  private static long[] uShape(Tensor x) {
    long[] s = new long[x.rank()];
    Arrays.fill(s, 1);
    s[0] = x.size(0);
    return s;
  }

  private double finite(double v, String network, String term) {
    if (!Double.isFinite(v)) {
      throw new TrainingDivergedException(step, network, term, v);
    }
    return v;
  }

  /** The L2 norm of all accumulated gradients of a network; non-finite norms stop training. */
  private double gradNorm(Module m, String network, String term) {
    double sq = 0;
    for (Parameter p : m.parameters()) {
      if (p.grad() != null) {
        double n = p.grad().data().norm2Number().doubleValue();
        sq += n * n;
      }
    }
    return finite(Math.sqrt(sq), network, term + " norm");
  }

  private static void setRequiresGrad(Module m, boolean on) {
    for (Parameter p : m.parameters()) {
      p.setRequiresGrad(on);
    }
  }

  // ---------------------------------------------------------------- state

  /** Everything besides weights and optimiser moments that a resumed run needs. */
  public record State(
      long step, long imagesSeen, double plMean, long batchEpoch, int batchPosition, long latentCounter,
      long noiseCounter, long mixingCounter, long labelCounter, long penaltyCounter) {}

  /** The current state. */
  public State state() {
    return new State(step, imagesSeen, pathLength.mean(), batches.epoch(), batches.position(), latents.counter(),
        noise.counter(), mixing.counter(), labels.counter(), penalty.counter());
  }

  /** Restores a state saved by {@link #state()} (weights and optimisers are restored separately). */
  public void restore(State s) {
    step = s.step();
    imagesSeen = s.imagesSeen();
    pathLength.setMean(s.plMean());
    batches.restore(s.batchEpoch(), s.batchPosition());
    latents.setCounter(s.latentCounter());
    noise.setCounter(s.noiseCounter());
    mixing.setCounter(s.mixingCounter());
    labels.setCounter(s.labelCounter());
    penalty.setCounter(s.penaltyCounter());
    stageResolution = -1;
    applyStage();
  }

  /** The modules saved in a checkpoint, by prefix: {@code G}, {@code D} and {@code G_ema}. */
  public List<Object[]> modules() {
    List<Object[]> out = new ArrayList<>();
    out.add(new Object[] {"G", g});
    out.add(new Object[] {"D", d});
    if (ema != null) {
      out.add(new Object[] {"G_ema", ema.generator()});
    }
    return out;
  }
}
