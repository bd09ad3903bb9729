package org.jgan.train.loop;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.jgan.core.autograd.GradMode;
import org.jgan.core.io.Json;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.tensor.TensorScope;
import org.jgan.models.Generator;
import org.jgan.models.Sampling;
import org.jgan.train.augment.Augmentation;
import org.jgan.train.checkpoint.Checkpoint;
import org.jgan.train.data.Batches;
import org.jgan.train.data.Dataset;
import org.jgan.train.data.ToyDistributions;
import org.jgan.train.image.ImageGrid;
import org.jgan.train.image.Plots;
import org.jgan.train.image.Png;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A training run with its outputs in one folder:
 *
 * <ul>
 *   <li>{@code config.json}: the resolved config;
 *   <li>{@code provenance.jsonl}: one line per start (and resume) of the run: library, Java and
 *       ND4J versions, the backend it ran on, the seed, whether it keeps snapshots;
 *   <li>{@code losses.csv}: every step's losses; {@code losses.png}: their curves;
 *   <li>{@code log.jsonl}: one line per snapshot with averages since the last one (losses, mean
 *       logits on real and fake images, gradient norms, R1, path length, the mode-seeking term when
 *       on, speed, flags; with ADA its probability {@code augment_p} and last {@code ada_rt});
 *   <li>{@code augment.png} (ADA only): the augmentation probability p over the run;
 *   <li>{@code fakes<kimg>.png}: a grid of fixed latents from the averaged generator (one row per
 *       class when conditional), or a scatter plot for 2-D data; {@code reals.png};
 *   <li>{@code checkpoint.safetensors}: the latest complete state (replaced atomically); with
 *       {@link #keepSnapshots}, also {@code checkpoint-<images>.safetensors} of every snapshot.
 * </ul>
 *
 * A progress line goes to the log at every snapshot.
 */
public final class TrainingRun {
  private static final Logger LOG = LoggerFactory.getLogger(TrainingRun.class);

  /** The key of {@code provenance.jsonl} that says whether a start kept its snapshots. */
  private static final String KEEP_SNAPSHOTS = "keep_snapshots";

  private final Trainer trainer;
  private final Path out;
  private final Tensor gridLatents;
  private final int[] gridLabels;
  private final int gridCols;
  private final List<StepStats> sinceSnapshot = new ArrayList<>();
  private final List<double[]> curve = new ArrayList<>();
  private final List<double[]> pCurve = new ArrayList<>();
  private final long startImages;
  private long startNanos;
  private long lastSnapshotImages;
  private boolean keepSnapshots;
  private boolean started;

  /** Receives every step and every snapshot (for progress bars). */
  public interface Listener {
    /** After each step. */
    default void onStep(StepStats stats) {}

    /** After each snapshot, with the grid (or plot) and checkpoint paths. */
    default void onSnapshot(Map<String, Object> line, Path picture, Path checkpoint) {}
  }

  /**
   * A run of {@code trainer} writing into {@code out}. A trainer that has not taken a step starts a
   * new run, which needs a folder that holds none ({@link RunFolders#checkFree}); a resumed trainer
   * continues the run in its folder.
   *
   * @throws java.nio.file.FileAlreadyExistsException when a new run would write into a folder that
   *     holds a run (nothing in it is changed)
   */
  public TrainingRun(Trainer trainer, Path out) throws IOException {
    if (trainer.steps() == 0) {
      RunFolders.checkFree(out);
    }
    this.trainer = trainer;
    this.out = out;
    Files.createDirectories(out);
    Files.writeString(
        out.resolve("config.json"), trainer.config().toJson(), StandardCharsets.UTF_8);
    Generator g = trainer.sampler();
    Rng rng = new Rng(trainer.config().seed()).split(99);
    int k = g.labelCount();
    if (k > 0) {
      gridCols = 8;
      gridLabels = new int[k * gridCols];
      for (int i = 0; i < gridLabels.length; i++) {
        gridLabels[i] = i / gridCols;
      }
    } else {
      gridCols = g.sampleShape().length == 1 ? 0 : 8;
      gridLabels = null;
    }
    int n = gridLabels != null ? gridLabels.length : g.sampleShape().length == 1 ? 2500 : 64;
    try (GradMode.Guard off = GradMode.disabled()) {
      this.gridLatents = Tensor.of(g.sampleLatents(n, rng).data().dup());
    }
    this.startImages = trainer.imagesSeen();
    this.lastSnapshotImages = trainer.imagesSeen();
    loadCurve();
    writeReals();
  }

  /**
   * On a resumed run: keeps the loss rows written before the checkpoint (dropping any a killed
   * process wrote after it) so that the curve continues.
   */
  private void loadCurve() throws IOException {
    // temporary files of saves that a killed process never finished
    try (var files = Files.list(out)) {
      for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".tmp")).toList()) {
        Files.deleteIfExists(f);
      }
    }
    Path jsonl = out.resolve("log.jsonl");
    if (Files.exists(jsonl)) {
      List<String> lines = new ArrayList<>();
      for (String l : Files.readAllLines(jsonl, StandardCharsets.UTF_8)) {
        try {
          Map<String, Object> line = Json.parseObject(l);
          if (line.get("step") instanceof Long s && s <= trainer.steps()) {
            lines.add(l);
            if (line.get("augment_p") instanceof Number ap
                && line.get("kimg") instanceof Number k) {
              pCurve.add(new double[] {k.doubleValue(), ap.doubleValue()});
            }
          }
        } catch (IllegalArgumentException e) {
          // a line cut off by a kill: dropped
        }
      }
      Files.write(jsonl, lines, StandardCharsets.UTF_8);
    }
    Path csv = out.resolve("losses.csv");
    if (!Files.exists(csv)) {
      return;
    }
    List<String> keep = new ArrayList<>();
    for (String row : Files.readAllLines(csv, StandardCharsets.UTF_8)) {
      String[] f = row.split(",");
      if (row.startsWith("step") || f.length < 6) {
        keep.add(row);
        continue;
      }
      try {
        if (Long.parseLong(f[0]) < trainer.steps()) {
          keep.add(row);
          curve.add(
              new double[] {
                Double.parseDouble(f[1]), Double.parseDouble(f[4]), Double.parseDouble(f[5])
              });
        }
      } catch (NumberFormatException e) {
        // a row cut off by a kill: dropped
      }
    }
    Files.write(csv, keep, StandardCharsets.UTF_8);
  }

  /**
   * Whether every snapshot's checkpoint is kept as {@code checkpoint-<images>.safetensors} (six
   * digits or more) beside the latest one. One that exists already (written by a killed process
   * after the checkpoint this run resumed from) is left as it is. Set it before the run starts: the
   * start's line of {@code provenance.jsonl} records it ({@link #keptSnapshots}).
   *
   * @return this run
   */
  public TrainingRun keepSnapshots(boolean on) {
    keepSnapshots = on;
    return this;
  }

  /** The trainer. */
  public Trainer trainer() {
    return trainer;
  }

  private void writeReals() throws IOException {
    Dataset data = trainer.data();
    if (data.sampleShape().length != 3) {
      return;
    }
    try (TensorScope s = TensorScope.open()) {
      Tensor x = new Batches(data, 12345, false).next(64, DType.FLOAT32).x();
      ImageGrid.write(x, 8, scale(x.size(2)), out.resolve("reals.png"));
    }
  }

  private static int scale(long size) {
    return size <= 32 ? 2 : 1;
  }

  /** Trains until the config's total, snapshotting on schedule and at the end. */
  public void run(Listener listener) throws IOException {
    run(listener, 0);
  }

  /**
   * Trains until the config's total or until {@code maxSeconds} of wall time have passed (0: no
   * limit), whichever comes first, snapshotting on schedule and at the end; the config stays as it
   * is, so a run stopped by time resumes towards its total.
   */
  public void run(Listener listener, double maxSeconds) throws IOException {
    if (!(maxSeconds >= 0)) {
      throw new IllegalArgumentException("a time limit must be >= 0 seconds, got " + maxSeconds);
    }
    recordStart();
    startNanos = System.nanoTime();
    try (BufferedWriter csv =
        Files.newBufferedWriter(
            out.resolve("losses.csv"),
            StandardCharsets.UTF_8,
            StandardOpenOption.CREATE,
            StandardOpenOption.APPEND)) {
      if (Files.size(out.resolve("losses.csv")) == 0) {
        csv.write("step,kimg,resolution,alpha,loss_d,loss_g,r1,path_length,d_real,d_fake\n");
      }
      long interval = trainer.config().snapshotImages();
      while (!trainer.done()) {
        if (maxSeconds > 0 && (System.nanoTime() - startNanos) / 1e9 >= maxSeconds) {
          LOG.info("time limit of {} s reached after {} images", maxSeconds, trainer.imagesSeen());
          break;
        }
        StepStats s = trainer.step();
        sinceSnapshot.add(s);
        curve.add(new double[] {s.imagesSeen() / 1000.0, s.lossD(), s.lossG()});
        if (Double.isFinite(s.augmentP())) {
          pCurve.add(new double[] {s.imagesSeen() / 1000.0, s.augmentP()});
        }
        csv.write(
            String.format(
                Locale.ROOT,
                "%d,%.3f,%d,%.4f,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g%n",
                s.step(),
                s.imagesSeen() / 1000.0,
                s.resolution(),
                s.alpha(),
                s.lossD(),
                s.lossG(),
                s.r1(),
                s.pathLength(),
                s.dReal(),
                s.dFake()));
        listener.onStep(s);
        if (interval > 0
            && trainer.imagesSeen() - lastSnapshotImages >= interval
            && !trainer.done()) {
          csv.flush();
          snapshot(listener);
        }
      }
      csv.flush();
    }
    snapshot(listener);
  }

  /** Writes a grid, a log line, the loss plot and a checkpoint now. */
  public void snapshot(Listener listener) throws IOException {
    recordStart();
    double kimg = trainer.imagesSeen() / 1000.0;
    Path picture = writePicture(kimg);
    Map<String, Object> line = logLine(kimg);
    writeLossPlot();
    writeAugmentPlot();
    Path ckpt = out.resolve("checkpoint.safetensors");
    Checkpoint.save(trainer, ckpt); // first the checkpoint, so that a log line always has one
    if (keepSnapshots) {
      keep(ckpt, Math.round(kimg * 1000));
    }
    Files.writeString(
        out.resolve("log.jsonl"),
        Json.write(line) + "\n",
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    LOG.info("{}", progress(line));
    sinceSnapshot.clear();
    lastSnapshotImages = trainer.imagesSeen();
    listener.onSnapshot(line, picture, ckpt);
  }

  /**
   * The start's line of {@code provenance.jsonl}, once per {@code TrainingRun}: when it started, at
   * how many images, what it ran with (versions, backend, seed) and whether it keeps snapshots.
   */
  private void recordStart() throws IOException {
    if (started) {
      return;
    }
    started = true;
    Map<String, Object> start = new LinkedHashMap<>();
    start.put("started", Instant.now().toString());
    start.put("kimg", trainer.imagesSeen() / 1000.0);
    start.putAll(Checkpoint.provenance(trainer, false));
    start.put(KEEP_SNAPSHOTS, keepSnapshots);
    Files.writeString(
        out.resolve("provenance.jsonl"),
        Json.write(start) + "\n",
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }

  /**
   * Whether the last start of the run in {@code runFolder} kept every snapshot's checkpoint (its
   * line in {@code provenance.jsonl} says so), so that a resumed run can go on as it did; false for
   * a folder without that file. A run recorded before starts said it kept them when its folder
   * holds a kept checkpoint ({@code checkpoint-<images>.safetensors}).
   *
   * @throws IOException when the file cannot be read or its last line is not a JSON object
   */
  public static boolean keptSnapshots(Path runFolder) throws IOException {
    Path file = runFolder.resolve("provenance.jsonl");
    if (!Files.exists(file)) {
      return false;
    }
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (int i = lines.size() - 1; i >= 0; i--) {
      if (!lines.get(i).isBlank()) {
        Object kept;
        try {
          kept = Json.parseObject(lines.get(i)).get(KEEP_SNAPSHOTS);
        } catch (Json.JsonException e) {
          throw new IOException(file + ", line " + (i + 1) + ": " + e.getMessage(), e);
        }
        return kept == null ? holdsKeptCheckpoint(runFolder) : Boolean.TRUE.equals(kept);
      }
    }
    return false;
  }

  private static boolean holdsKeptCheckpoint(Path runFolder) throws IOException {
    try (var files = Files.list(runFolder)) {
      return files.anyMatch(
          f -> f.getFileName().toString().matches("checkpoint-[0-9]{6,}\\.safetensors"));
    }
  }

  /** Copies the checkpoint just written to {@code checkpoint-<images>.safetensors}. */
  private void keep(Path ckpt, long images) throws IOException {
    Path kept = out.resolve(String.format(Locale.ROOT, "checkpoint-%06d.safetensors", images));
    if (Files.exists(kept)) {
      LOG.warn("{} exists already; left as it is", kept);
      return;
    }
    Path tmp = out.resolve(kept.getFileName() + ".tmp");
    Files.copy(ckpt, tmp, StandardCopyOption.REPLACE_EXISTING);
    Files.move(tmp, kept, StandardCopyOption.ATOMIC_MOVE);
  }

  private Path writePicture(double kimg) throws IOException {
    Generator g = trainer.sampler();
    Path p = out.resolve(String.format(Locale.ROOT, "fakes%06d.png", Math.round(kimg * 1000)));
    try (TensorScope s = TensorScope.open();
        GradMode.Guard off = GradMode.disabled()) {
      Tensor samples = g.forward(gridLatents, gridLabels, Sampling.fixed(1.0));
      if (samples.rank() == 2) {
        boolean ring = trainer.data().name().startsWith("ring");
        Png.write(
            Plots.scatter(
                String.format("%s, %.1f kimg", trainer.data().name(), kimg),
                samples.toFloatArray(),
                ring ? ToyDistributions.ringMeans() : ToyDistributions.gridMeans(),
                ring ? ToyDistributions.RING_STD : ToyDistributions.GRID_STD,
                ring ? 3 : 6,
                480),
            p);
      } else {
        int full = trainer.config().model().resolution();
        ImageGrid.write(samples, gridCols, scale(full) * full / (int) samples.size(2), p);
      }
    }
    return p;
  }

  private Map<String, Object> logLine(double kimg) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("kimg", kimg);
    m.put("step", trainer.steps());
    m.put("resolution", trainer.stageResolution());
    StepStats last = sinceSnapshot.isEmpty() ? null : sinceSnapshot.get(sinceSnapshot.size() - 1);
    m.put("alpha", last == null ? 1.0 : last.alpha());
    m.put("loss_d", mean(StepStats::lossD));
    m.put("loss_g", mean(StepStats::lossG));
    m.put("d_real", mean(StepStats::dReal));
    m.put("d_fake", mean(StepStats::dFake));
    m.put("grad_norm_d", mean(StepStats::gradNormD));
    m.put("grad_norm_g", mean(StepStats::gradNormG));
    m.put("r1", mean(StepStats::r1));
    m.put("path_length", mean(StepStats::pathLength));
    if (trainer.config().modeSeeking() > 0) {
      m.put("mode_seeking", mean(StepStats::modeSeeking));
    }
    if (trainer.config().augment() == Augmentation.ADA) {
      m.put("augment_p", trainer.augmentP());
      m.put("ada_rt", last == null ? Double.NaN : last.adaRt());
    }
    double seconds = sinceSnapshot.stream().mapToDouble(StepStats::seconds).sum();
    double images = trainer.imagesSeen() - lastSnapshotImages;
    m.put("sec_per_kimg", images > 0 ? seconds / images * 1000 : Double.NaN);
    double elapsed = (System.nanoTime() - startNanos) / 1e9;
    double rate = (trainer.imagesSeen() - startImages) / Math.max(elapsed, 1e-9);
    m.put("elapsed_sec", elapsed);
    m.put(
        "eta_sec",
        rate > 0 ? (trainer.config().totalImages() - trainer.imagesSeen()) / rate : Double.NaN);
    long[] flags = trainer.flags();
    m.put("flags_g", flags[0]);
    m.put("flags_d", flags[1]);
    m.replaceAll((k, v) -> v instanceof Double d && !Double.isFinite(d) ? null : v);
    return m;
  }

  private double mean(ToDoubleFunction<StepStats> f) {
    double sum = 0;
    int n = 0;
    for (StepStats s : sinceSnapshot) {
      double v = f.applyAsDouble(s);
      if (Double.isFinite(v)) {
        sum += v;
        n++;
      }
    }
    return n == 0 ? Double.NaN : sum / n;
  }

  private String progress(Map<String, Object> m) {
    return String.format(
        Locale.ROOT,
        "kimg %.1f/%.1f  res %s  %.2f s/kimg  loss D %s G %s  D(x) %s D(G(z)) %s  |grad| D %s G %s "
            + " R1 %s  PL %s%s%s  ETA %s",
        (Double) m.get("kimg"),
        trainer.config().totalImages() / 1000.0,
        m.get("resolution"),
        m.get("sec_per_kimg") == null ? Double.NaN : (Double) m.get("sec_per_kimg"),
        fmt(m.get("loss_d")),
        fmt(m.get("loss_g")),
        fmt(m.get("d_real")),
        fmt(m.get("d_fake")),
        fmt(m.get("grad_norm_d")),
        fmt(m.get("grad_norm_g")),
        fmt(m.get("r1")),
        fmt(m.get("path_length")),
        m.containsKey("mode_seeking") ? "  MS " + fmt(m.get("mode_seeking")) : "",
        m.containsKey("augment_p") ? "  p " + fmt(m.get("augment_p")) : "",
        duration(m.get("eta_sec")));
  }

  private static String fmt(Object v) {
    return v == null ? "-" : String.format(Locale.ROOT, "%.3g", (Double) v);
  }

  /** Seconds as {@code 1h02m}, {@code 5m12s} or {@code 42s}. */
  public static String duration(Object seconds) {
    if (!(seconds instanceof Double s) || !Double.isFinite(s)) {
      return "-";
    }
    long t = Math.round(s);
    return t >= 3600
        ? String.format("%dh%02dm", t / 3600, t % 3600 / 60)
        : t >= 60 ? String.format("%dm%02ds", t / 60, t % 60) : t + "s";
  }

  private void writeLossPlot() throws IOException {
    int n = curve.size();
    if (n < 2) {
      return;
    }
    double[] x = new double[n];
    double[] d = new double[n];
    double[] g = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = curve.get(i)[0];
      d[i] = curve.get(i)[1];
      g[i] = curve.get(i)[2];
    }
    Png.write(
        Plots.lines(
            "losses (" + trainer.config().loss().name().toLowerCase(Locale.ROOT) + ")",
            "kimg",
            List.of(new Plots.Series("D", x, smooth(d)), new Plots.Series("G", x, smooth(g))),
            640,
            360),
        out.resolve("losses.png"));
  }

  private void writeAugmentPlot() throws IOException {
    if (pCurve.size() < 2) {
      return;
    }
    double[] x = new double[pCurve.size()];
    double[] p = new double[pCurve.size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = pCurve.get(i)[0];
      p[i] = pCurve.get(i)[1];
    }
    Png.write(
        Plots.lines(
            String.format(
                Locale.ROOT, "ADA probability p (target %.2f)", trainer.config().ada().target()),
            "kimg",
            List.of(new Plots.Series("p", x, p)),
            640,
            360),
        out.resolve("augment.png"));
  }

  /** A centred moving average over ~1% of the points, to make trends visible. */
  private static double[] smooth(double[] v) {
    int k = Math.max(1, v.length / 100);
    double[] out = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      double s = 0;
      int n = 0;
      for (int j = Math.max(0, i - k); j <= Math.min(v.length - 1, i + k); j++) {
        s += v[j];
        n++;
      }
      out[i] = s / n;
    }
    return out;
  }
}
