package org.jgan.train.checkpoint;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.jgan.core.io.BuildInfo;
import org.jgan.core.io.Json;
import org.jgan.core.io.Records;
import org.jgan.core.io.SafeTensors;
import org.jgan.core.io.WeightFileException;
import org.jgan.core.kernels.Engine;
import org.jgan.core.kernels.Platform;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.tensor.TensorScope;
import org.jgan.models.Generator;
import org.jgan.models.ModelConfig;
import org.jgan.models.Progressive;
import org.jgan.train.data.Dataset;
import org.jgan.train.loop.Trainer;
import org.jgan.train.loop.TrainingConfig;

/**
 * A training run in one safetensors file: the weights of {@code G}, {@code D} and {@code G_ema},
 * both optimisers' state ({@code G_opt.*}, {@code D_opt.*}) and, in the metadata, the config
 * (JSON), the trainer's state (step, images seen, random-stream positions, data position, the
 * path-length mean) and provenance (library and Java versions, time). Writing goes to a temporary
 * file that is forced to disk and renamed over the old one, so a crash during a save leaves the
 * previous checkpoint intact. Loading rebuilds the networks from the saved config and requires
 * every tensor to match.
 */
public final class Checkpoint {
  /** Format marker in the metadata. */
  public static final String FORMAT = "jgan-checkpoint-1";

  private Checkpoint() {}

  /** Saves the trainer's complete state to {@code path} atomically. */
  public static void save(Trainer t, Path path) throws IOException {
    try (TensorScope scope = TensorScope.open()) { // frees the optimiser-state copies
      Map<String, Tensor> tensors = new LinkedHashMap<>();
      for (Trainer.NamedModule m : t.modules()) {
        m.module().stateDict().forEach((k, v) -> tensors.put(m.prefix() + "." + k, v));
      }
      for (Trainer.NamedOptimizer o : t.optimizers()) {
        o.optimizer().state().forEach((k, v) -> tensors.put(o.prefix() + "." + k, v));
      }
      Map<String, String> meta = new LinkedHashMap<>();
      meta.put("format", FORMAT);
      meta.put("family", t.config().model().family().id());
      meta.put("config", t.config().toJson());
      meta.put("state", Json.write(Records.toMap(t.state())));
      meta.put("dataset", t.data().name());
      if (!t.data().classNames().isEmpty()) {
        meta.put("classes", Json.write(t.data().classNames()));
      }
      meta.put("provenance", Json.write(provenance(t, true)));
      SafeTensors.write(path, tensors, meta);
    }
  }

  /**
   * What made a run, for its checkpoints and its folder: library, Java and ND4J versions, the
   * backend the current engine runs ({@link Engine#provenance()}), the seed and, when given, the
   * images seen and the time.
   */
  public static Map<String, Object> provenance(Trainer t, boolean withProgress) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("library", "jgan " + BuildInfo.version());
    p.put("java", Platform.javaVersion());
    p.put("nd4j", BuildInfo.nd4j());
    p.put("backend", Engine.current().provenance());
    p.put("seed", t.config().seed());
    if (withProgress) {
      p.put("kimg", t.imagesSeen() / 1000.0);
      p.put("saved", Instant.now().toString());
    }
    return p;
  }

  /** What a checkpoint holds, read without building a trainer. */
  public record Contents(
      TrainingConfig config,
      Trainer.State state,
      String dataset,
      Map<String, String> metadata,
      Map<String, Tensor> tensors) {
    /**
     * The names of the classes of the data the run trained on (index = label); empty when the data
     * were unlabelled or the checkpoint predates this entry.
     */
    public List<String> classes() {
      String text = metadata.get("classes");
      if (text == null) {
        return List.of();
      }
      try {
        if (Json.parse(text) instanceof List<?> l) {
          return l.stream().map(String::valueOf).toList();
        }
      } catch (IllegalArgumentException e) {
        // a damaged entry names nothing
      }
      return List.of();
    }

    /** Parameter count of one saved module ({@code "G"}, {@code "D"}, {@code "G_ema"}). */
    public long parameterCount(String prefix) {
      long n = 0;
      for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
        if (e.getKey().startsWith(prefix + ".")) {
          n += e.getValue().numel();
        }
      }
      return n;
    }
  }

  /**
   * Writes {@code contents} (tensors and metadata as they are) to {@code path} atomically: how an
   * imported network becomes a checkpoint file.
   */
  public static void write(Contents contents, Path path) throws IOException {
    SafeTensors.write(path, contents.tensors(), contents.metadata());
  }

  /**
   * Reads and validates a checkpoint.
   *
   * @throws WeightFileException for a damaged file or one that is not a checkpoint of this library
   */
  public static Contents read(Path path) throws IOException {
    return read(SafeTensors.read(path), path.toString());
  }

  /**
   * Reads checkpoint bytes; {@code source} names them in messages.
   *
   * @throws WeightFileException for any defect, never another exception
   */
  public static Contents read(byte[] bytes, String source) throws WeightFileException {
    return read(SafeTensors.read(bytes, source), source);
  }

  private static Contents read(SafeTensors.Contents c, String path) throws WeightFileException {
    Map<String, String> meta = c.metadata();
    if (!FORMAT.equals(meta.get("format"))) {
      throw new WeightFileException(
          WeightFileException.Kind.INCOMPATIBLE,
          path
              + ": not a jgan checkpoint (metadata format is "
              + meta.get("format")
              + ", expected "
              + FORMAT
              + ")");
    }
    for (String key : new String[] {"config", "state"}) {
      if (meta.get(key) == null) {
        throw new WeightFileException(
            WeightFileException.Kind.INCOMPATIBLE,
            path + ": damaged checkpoint metadata: no '" + key + "' entry");
      }
    }
    TrainingConfig config;
    Trainer.State state;
    try {
      config = TrainingConfig.fromJson(meta.get("config"), null);
      state = Trainer.State.fromMap(Json.parseObject(meta.get("state")));
    } catch (IllegalArgumentException e) {
      throw new WeightFileException(
          WeightFileException.Kind.INCOMPATIBLE,
          path + ": damaged checkpoint metadata: " + e.getMessage());
    }
    // The config decides what gets built: refuse one that describes far larger networks than the
    // weights in the file, before allocating them.
    long held = 0;
    for (Map.Entry<String, Tensor> e : c.tensors().entrySet()) {
      if (e.getKey().startsWith("G.") || e.getKey().startsWith("D.")) {
        held += e.getValue().numel();
      }
    }
    long bound = config.model().parameterBound();
    if (bound < 0 || bound > 64 * held + 1_000_000) {
      throw new WeightFileException(
          WeightFileException.Kind.INCOMPATIBLE,
          String.format(
              "%s: the config describes networks of up to %,d parameters but the file holds %,d"
                  + " weights for G and D",
              path, bound, held));
    }
    return new Contents(config, state, meta.get("dataset"), meta, c.tensors());
  }

  /**
   * Rebuilds the trainer saved in {@code path}, on {@code data}, in exactly the saved state.
   *
   * @throws WeightFileException when the file does not fit its own config or the data
   */
  public static Trainer resume(Path path, Dataset data) throws IOException {
    return resume(path, data, UnaryOperator.identity());
  }

  /**
   * Resumes with an adjusted config (a longer run, another snapshot interval); the model must stay
   * the same.
   */
  public static Trainer resume(Path path, Dataset data, UnaryOperator<TrainingConfig> adjust)
      throws IOException {
    Contents c = read(path);
    TrainingConfig config = adjust.apply(c.config());
    if (!config.model().equals(c.config().model())) {
      throw new WeightFileException(
          WeightFileException.Kind.INCOMPATIBLE,
          path + ": a resumed run keeps its model; the checkpoint holds " + c.config().model());
    }
    Trainer t;
    try {
      t = new Trainer(config, data);
    } catch (IllegalArgumentException e) {
      throw new WeightFileException(
          WeightFileException.Kind.INCOMPATIBLE, path + ": " + e.getMessage());
    }
    try {
      for (Trainer.NamedModule m : t.modules()) {
        m.module().loadStateDict(withPrefix(c.tensors(), m.prefix() + "."));
      }
      for (Trainer.NamedOptimizer o : t.optimizers()) {
        o.optimizer().loadState(withPrefix(c.tensors(), o.prefix() + "."));
      }
    } catch (IllegalArgumentException e) {
      throw new WeightFileException(
          WeightFileException.Kind.INCOMPATIBLE, path + ": " + e.getMessage());
    }
    t.restore(c.state());
    return t;
  }

  /**
   * The sampling generator of a checkpoint ({@code G_ema} when saved, else {@code G}), in
   * evaluation mode.
   */
  public static Generator generator(Contents c) throws WeightFileException {
    return generator(c, true);
  }

  /**
   * A checkpoint's generator in evaluation mode: the averaged one ({@code G_ema}, or {@code G} when
   * the run kept no average) when {@code averaged}, else the trained one ({@code G}), to compare
   * what the average adds.
   */
  public static Generator generator(Contents c, boolean averaged) throws WeightFileException {
    ModelConfig model = c.config().model();
    Generator g = model.generator(0);
    boolean hasEma = c.tensors().keySet().stream().anyMatch(k -> k.startsWith("G_ema."));
    String prefix = averaged && hasEma ? "G_ema." : "G.";
    if (c.tensors().keySet().stream().noneMatch(k -> k.startsWith(prefix))) {
      throw new WeightFileException(
          WeightFileException.Kind.INCOMPATIBLE,
          "this checkpoint holds no generator "
              + prefix.substring(0, prefix.length() - 1)
              + (hasEma ? " (only G_ema: use the averaged generator)" : ""));
    }
    try {
      g.loadStateDict(withPrefix(c.tensors(), prefix));
    } catch (IllegalArgumentException e) {
      throw new WeightFileException(
          WeightFileException.Kind.INCOMPATIBLE, "checkpoint generator: " + e.getMessage());
    }
    if (c.config().schedule() != null && g instanceof Progressive p) {
      long seen = c.state().imagesSeen();
      p.setStage(c.config().schedule().resolution(seen), c.config().schedule().alpha(seen));
    }
    g.eval();
    return g;
  }

  /** The entries of {@code all} under {@code prefix}, with the prefix removed. */
  static Map<String, Tensor> withPrefix(Map<String, Tensor> all, String prefix) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    all.forEach(
        (k, v) -> {
          if (k.startsWith(prefix)) {
            out.put(k.substring(prefix.length()), v);
          }
        });
    return out;
  }
}
