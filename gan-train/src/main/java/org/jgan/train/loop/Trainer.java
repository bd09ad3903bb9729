package org.jgan.train.loop;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jgan.core.autograd.GradMode;
import org.jgan.core.io.Records;
import org.jgan.core.kernels.Shapes;
import org.jgan.core.nn.Module;
import org.jgan.core.nn.Parameter;
import org.jgan.core.optim.Adam;
import org.jgan.core.optim.Optimizer;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.tensor.TensorScope;
import org.jgan.models.Discriminator;
import org.jgan.models.Generator;
import org.jgan.models.ModelConfig;
import org.jgan.models.Progressive;
import org.jgan.models.Sampling;
import org.jgan.models.StyleGenerator;
import org.jgan.models.blocks.NoiseMode;
import org.jgan.train.augment.Augmentation;
import org.jgan.train.data.Batch;
import org.jgan.train.data.Batches;
import org.jgan.train.data.Dataset;
import org.jgan.train.ema.GeneratorEma;
import org.jgan.train.loss.GanLoss;
import org.jgan.train.reg.GradientPenalty;
import org.jgan.train.reg.ModeSeeking;
import org.jgan.train.reg.PathLengthPenalty;
import org.jgan.train.reg.R1Penalty;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The adversarial loop: owns the generator, the discriminator, their optimisers, the generator
 * average and every random stream, and runs one step at a time as a sequence of {@link Phase}s,
 * after StyleGAN2-ADA's {@code training_loop} and {@code accumulate_gradients(phase)}:
 *
 * <pre>
 *   for phase in D_MAIN, D_REG, G_MAIN, G_REG:        (each on the steps its interval says)
 *     zero the phase's gradients
 *     for each micro-batch: accumulate(phase, micro-batch, gain = interval * share)
 *     step the phase's optimiser
 *   update the generator average
 * </pre>
 *
 * <ul>
 *   <li>{@link Phase#D_MAIN}: {@code L_D(D(x), D(G(z)))}, fakes made without a graph;
 *   <li>{@link Phase#D_REG}: {@code r1Interval * R1} on the reals;
 *   <li>{@link Phase#G_MAIN}: {@code L_G(D(G(z)))} with the discriminator frozen;
 *   <li>{@link Phase#G_REG}: {@code plInterval * L_pl} on {@code 1 / plBatchShrink} of each
 *       micro-batch's samples.
 * </ul>
 *
 * Lazily regularised networks use Adam with {@code lr c, beta^c}, {@code c = k / (k + 1)}. Each
 * step runs in its own {@link TensorScope} (and each micro-batch in a nested one), so its native
 * memory is released when it ends. Random streams (data order, latents, noise, mixing, labels,
 * penalties) are separate and seeded from the config, and their positions are part of {@link
 * #state()}: resuming from a checkpoint continues the same run.
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
  private double augmentP;
  private double signSum;
  private long signCount;
  private double lastRt = Double.NaN;

  /**
   * A new run: networks initialised from the config's seed.
   *
   * @throws IllegalArgumentException when the data does not fit the model (shape, labels)
   */
  public Trainer(TrainingConfig config, Dataset data) {
    this.config = config;
    this.data = data;
    checkData(config.model(), data);
    Rng root = new Rng(config.seed());
    this.g = config.model().generator(root.split(1).seed());
    this.d = config.model().discriminator(root.split(2).seed());
    this.ema =
        config.emaKimg() > 0
            ? new GeneratorEma(
                g,
                config.model().generator(root.split(1).seed()),
                config.emaKimg(),
                config.emaRampup())
            : null;
    OptimizerSettings gs =
        Phase.G_REG.enabled(config, g) ? config.g().lazy(config.plInterval()) : config.g();
    OptimizerSettings ds =
        Phase.D_REG.enabled(config, g) ? config.d().lazy(config.r1Interval()) : config.d();
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
    this.augmentP = config.ada().p();
    applyStage();
  }

  private static void checkData(ModelConfig m, Dataset data) {
    long[] s = data.sampleShape();
    if (m.resolution() != 0) {
      long[] expected = {m.imageChannels(), m.resolution(), m.resolution()};
      if (!Arrays.equals(s, expected)) {
        boolean pad = s.length == 3 && s[1] == 28 && expected[1] == 32;
        throw new IllegalArgumentException(
            "dataset "
                + data.name()
                + " has samples "
                + Shapes.str(s)
                + " but the "
                + m.family()
                + " model makes "
                + Shapes.str(expected)
                + (pad ? "; pad 28x28 images to 32" : ""));
      }
    }
    if (m.labelCount() != 0 && m.labelCount() != data.labelCount()) {
      throw new IllegalArgumentException(
          "the model is conditional on "
              + m.labelCount()
              + " classes but dataset "
              + data.name()
              + " has "
              + data.labelCount()
              + " labels");
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
    for (Module net : new Module[] {g, d, ema()}) {
      if (net instanceof Progressive p) {
        p.setStage(r, alpha);
      }
    }
    if (r != stageResolution && stageResolution != -1) {
      optG.loadState(Map.of()); // the progressive GAN resets Adam at each new resolution
      optD.loadState(Map.of());
    }
    stageResolution = r;
  }

  private double alpha() {
    return g instanceof Progressive p ? p.alpha() : 1.0;
  }

  // ---------------------------------------------------------------- one step

  /** Runs one step of every phase that is due and returns what it measured. */
  public StepStats step() {
    long t0 = System.nanoTime();
    applyStage();
    int batch = config.batchAt(stageResolution);
    Measures m = new Measures();
    g.train(true);
    d.train(true);
    try (TensorScope scope = TensorScope.open()) {
      Batch real = batches.next(batch, g.dtype());
      Tensor x = stageImages(real.x());
      int[] realLabels = d.labelCount() > 0 ? real.labels() : null; // unconditional: unused
      for (Phase phase : Phase.values()) {
        if (phase.due(config, g, step)) {
          run(phase, x, realLabels, m);
        }
      }
      optG.zeroGrad();
      optD.zeroGrad();
      if (ema != null) {
        ema.update(g, imagesSeen, batch);
      }
    }
    imagesSeen += batch;
    adaptAugmentation(batch);
    double seconds = (System.nanoTime() - t0) / 1e9;
    StepStats stats =
        new StepStats(
            step,
            imagesSeen,
            stageResolution,
            alpha(),
            m.lossD,
            m.lossG,
            m.r1,
            m.pl,
            m.modeSeeking,
            m.dReal,
            m.dFake,
            m.normD,
            m.normG,
            config.augment() == Augmentation.ADA ? augmentP : Double.NaN,
            lastRt,
            seconds);
    step++;
    return stats;
  }

  /**
   * ADA's controller: every {@code interval} steps, p moves towards keeping the mean sign of the
   * discriminator's outputs on reals at the target ({@link AdaSettings#adjust}).
   */
  private void adaptAugmentation(int batch) {
    AdaSettings ada = config.ada();
    if (config.augment() != Augmentation.ADA || (step + 1) % ada.interval() != 0) {
      return;
    }
    if (signCount > 0) {
      lastRt = signSum / signCount;
      augmentP = ada.adjust(augmentP, lastRt, batch);
    }
    signSum = 0;
    signCount = 0;
  }

  /** ADA's current probability (the config's initial p for other augmentations). */
  public double augmentP() {
    return augmentP;
  }

  /** What the phases of one step measured; regularisers stay NaN on steps they skip. */
  private static final class Measures {
    double lossD;
    double lossG;
    double r1 = Double.NaN;
    double pl = Double.NaN;
    double modeSeeking = Double.NaN;
    double dReal;
    double dFake;
    double normD;
    double normG;
  }

  /**
   * One micro-batch of a phase: real images and their labels (discriminator phases), latents and
   * labels of generated images, and its share of the phase's samples.
   */
  private record Round(Tensor x, int[] realLabels, Tensor z, int[] c, double share) {}

  /**
   * One phase: its latents drawn for the whole batch, then one pass per micro-batch accumulating
   * gradients, then its optimiser's step. The discriminator is frozen in generator phases.
   */
  private void run(Phase phase, Tensor x, int[] realLabels, Measures m) {
    int batch = (int) x.size(0);
    int chunk = config.microBatch() == 0 ? batch : config.microBatch();
    // path length runs on 1 / plBatchShrink of each micro-batch (ADA)
    int genChunk = phase == Phase.G_REG ? chunk / config.plBatchShrink() : chunk;
    int rounds = batch / chunk;
    Tensor z = null;
    int[] c = null;
    if (phase != Phase.D_REG) {
      z = g.sampleLatents(rounds * genChunk, latents);
      c = generatorLabels(rounds * genChunk);
      if (phase == Phase.G_MAIN && config.modeSeeking() > 0) {
        ModeSeeking.pairLabels(c, genChunk);
      }
    }
    Optimizer opt = phase.trainsGenerator() ? optG : optD;
    if (phase.trainsGenerator()) {
      setRequiresGrad(d, false);
    }
    try {
      opt.zeroGrad();
      for (int k = 0; k < rounds; k++) {
        try (TensorScope micro = TensorScope.open()) {
          int at = k * chunk;
          int genAt = k * genChunk;
          Round r =
              new Round(
                  x.slice(0, at, at + chunk),
                  slice(realLabels, at, chunk),
                  z == null ? null : z.slice(0, genAt, genAt + genChunk),
                  slice(c, genAt, genChunk),
                  (double) chunk / batch);
          accumulate(phase, r, m);
        }
      }
      finishPhase(phase, m);
      opt.step();
    } finally {
      if (phase.trainsGenerator()) {
        setRequiresGrad(d, true);
      }
    }
  }

  /**
   * One micro-batch of one phase: its loss, scaled by its share of the batch (and the phase's
   * interval for the lazy regularisers), backpropagated into the phase's network.
   */
  private void accumulate(Phase phase, Round r, Measures m) {
    switch (phase) {
      case D_MAIN -> {
        Tensor fake;
        try (GradMode.Guard off = GradMode.disabled()) {
          fake = generate(r.z(), r.c(), true);
        }
        Tensor realLogits = d.forward(seen(r.x()), r.realLabels());
        Tensor fakeLogits = d.forward(seen(fake), r.realLabels() == null ? null : r.c());
        Tensor loss = config.loss().discriminator(realLogits, fakeLogits);
        if (config.augment() == Augmentation.ADA) {
          INDArray signs = Transforms.sign(realLogits.data(), true);
          signSum += signs.sumNumber().doubleValue();
          signs.close();
          signCount += realLogits.numel();
        }
        if (config.loss() == GanLoss.WGAN_GP) {
          Tensor u = penalty.uniform(r.x().dtype(), 0, 1, uShape(r.x()));
          Tensor gp =
              GradientPenalty.penalty(
                  in -> d.forward(seen(in), r.realLabels()),
                  r.x(),
                  fake,
                  u,
                  GradientPenalty.LAMBDA);
          loss = loss.add(gp).add(GradientPenalty.drift(realLogits, GradientPenalty.DRIFT));
        }
        if (config.r1Gamma() > 0 && config.r1Interval() == 1) {
          Tensor r1 =
              R1Penalty.compute(in -> d.forward(seen(in), r.realLabels()), r.x(), config.r1Gamma());
          m.r1 =
              (Double.isNaN(m.r1) ? 0 : m.r1)
                  + finite(r1.item(), "discriminator", "R1 penalty") * r.share();
          loss = loss.add(r1);
        }
        m.lossD += finite(loss.item(), "discriminator", lossName()) * r.share();
        m.dReal += realLogits.mean().item() * r.share();
        m.dFake += fakeLogits.mean().item() * r.share();
        loss.mul(r.share()).backward();
      }
      case D_REG -> {
        Tensor r1 =
            R1Penalty.compute(in -> d.forward(seen(in), r.realLabels()), r.x(), config.r1Gamma());
        m.r1 =
            (Double.isNaN(m.r1) ? 0 : m.r1)
                + finite(r1.item(), "discriminator", "R1 penalty") * r.share();
        r1.mul(config.r1Interval() * r.share()).backward();
      }
      case G_MAIN -> {
        Tensor fake = generate(r.z(), r.c(), true);
        Tensor loss = config.loss().generator(d.forward(seen(fake), r.c()));
        m.lossG += finite(loss.item(), "generator", lossName()) * r.share();
        if (config.modeSeeking() > 0) {
          Tensor ms = ModeSeeking.loss(fake, r.z(), config.modeSeeking());
          m.modeSeeking =
              (Double.isNaN(m.modeSeeking) ? 0 : m.modeSeeking)
                  + finite(ms.item(), "generator", "mode-seeking term") * r.share();
          loss = loss.add(ms);
        }
        loss.mul(r.share()).backward();
      }
      case G_REG -> {
        StyleGenerator sg = (StyleGenerator) g;
        int n = (int) r.z().size(0);
        Tensor ws = mapWithMixing(sg, r.z(), r.c(), true);
        long[] shape = {n, g.sampleShape()[0], stageResolution, stageResolution};
        Tensor y = noise.normal(r.z().dtype(), shape).mul(1.0 / stageResolution);
        PathLengthPenalty.Result res =
            pathLength.compute(w -> sg.synthesis(w, NoiseMode.RANDOM, noise), ws, y);
        double pl = finite(res.loss().item(), "generator", "path-length penalty");
        m.pl = (Double.isNaN(m.pl) ? 0 : m.pl) + pl * r.share();
        res.loss().mul(config.plInterval() * r.share()).backward();
      }
    }
  }

  /** After a phase's micro-batches: its gradient norm, checked (and watched in main phases). */
  private void finishPhase(Phase phase, Measures m) {
    switch (phase) {
      case D_MAIN -> {
        m.normD = gradNorm(d, "discriminator", "gradient");
        monitorD.observe(step, m.normD);
      }
      case D_REG -> gradNorm(d, "discriminator", "R1 gradient");
      case G_MAIN -> {
        m.normG = gradNorm(g, "generator", "gradient");
        monitorG.observe(step, m.normG);
      }
      case G_REG -> gradNorm(g, "generator", "path-length gradient");
    }
  }

  /**
   * An image batch as the discriminator sees it: through the config's augmentation, drawn from the
   * penalties' stream (so a resumed run draws the same); R1 and the gradient penalty differentiate
   * through it with respect to the images before it, as StyleGAN2-ADA does.
   */
  private Tensor seen(Tensor x) {
    return config.augment().apply(x, augmentP, penalty);
  }

  private String lossName() {
    return config.loss().name().toLowerCase(Locale.ROOT) + " loss";
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
      return sg.synthesis(mapWithMixing(sg, z, c, updateWAvg), NoiseMode.RANDOM, noise);
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
      out[i] =
          config.labelSampling() == LabelSampling.UNIFORM
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
  private double gradNorm(Module net, String network, String term) {
    double sq = 0;
    for (Parameter p : net.parameters()) {
      if (p.grad() != null) {
        double n = p.grad().data().norm2Number().doubleValue();
        sq += n * n;
      }
    }
    return finite(Math.sqrt(sq), network, term + " norm");
  }

  private static void setRequiresGrad(Module net, boolean on) {
    for (Parameter p : net.parameters()) {
      p.setRequiresGrad(on);
    }
  }

  // ---------------------------------------------------------------- state

  /**
   * Everything besides weights and optimiser moments that a resumed run needs.
   *
   * @param step steps taken
   * @param imagesSeen real images shown
   * @param plMean the path-length penalty's running mean
   * @param batchEpoch the data order's epoch
   * @param batchPosition the position within that epoch
   * @param latentCounter position of the latent stream
   * @param noiseCounter position of the noise stream
   * @param mixingCounter position of the style-mixing stream
   * @param labelCounter position of the label stream
   * @param penaltyCounter position of the penalties' stream
   * @param augmentP ADA's probability
   * @param adaSignSum the sum of the signs of D's outputs on reals since ADA's last adjustment
   * @param adaSignCount how many outputs that sum holds
   */
  public record State(
      long step,
      long imagesSeen,
      double plMean,
      long batchEpoch,
      int batchPosition,
      long latentCounter,
      long noiseCounter,
      long mixingCounter,
      long labelCounter,
      long penaltyCounter,
      double augmentP,
      double adaSignSum,
      long adaSignCount) {
    /** A state saved before ADA existed has p = 0 and no signs. */
    public static State fromMap(Map<String, ?> map) {
      Map<String, Object> m = new LinkedHashMap<>(map);
      m.putIfAbsent("augmentP", 0.0);
      m.putIfAbsent("adaSignSum", 0.0);
      m.putIfAbsent("adaSignCount", 0L);
      return Records.fromMap(State.class, m, null);
    }
  }

  /** The current state. */
  public State state() {
    return new State(
        step,
        imagesSeen,
        pathLength.mean(),
        batches.epoch(),
        batches.position(),
        latents.counter(),
        noise.counter(),
        mixing.counter(),
        labels.counter(),
        penalty.counter(),
        augmentP,
        signSum,
        signCount);
  }

  /**
   * Restores a state saved by {@link #state()} (weights and optimisers are restored separately).
   */
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
    augmentP = s.augmentP();
    signSum = s.adaSignSum();
    signCount = s.adaSignCount();
    stageResolution = -1;
    applyStage();
  }

  /**
   * A network saved in a checkpoint, under its prefix.
   *
   * @param prefix {@code G}, {@code D} or {@code G_ema}
   * @param module the network
   */
  public record NamedModule(String prefix, Module module) {}

  /**
   * An optimiser saved in a checkpoint, under its prefix.
   *
   * @param prefix {@code G_opt} or {@code D_opt}
   * @param optimizer the optimiser
   */
  public record NamedOptimizer(String prefix, Optimizer optimizer) {}

  /** The networks a checkpoint holds: {@code G}, {@code D} and, with EMA, {@code G_ema}. */
  public List<NamedModule> modules() {
    List<NamedModule> out = new ArrayList<>();
    out.add(new NamedModule("G", g));
    out.add(new NamedModule("D", d));
    if (ema != null) {
      out.add(new NamedModule("G_ema", ema.generator()));
    }
    return out;
  }

  /** The optimisers a checkpoint holds: {@code G_opt} and {@code D_opt}. */
  public List<NamedOptimizer> optimizers() {
    return List.of(new NamedOptimizer("G_opt", optG), new NamedOptimizer("D_opt", optD));
  }
}
