package org.jgan.train.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.jgan.core.io.Json;
import org.jgan.core.io.SafeTensors;
import org.jgan.core.kernels.Engine;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.tensor.TensorScope;
import org.jgan.models.TinyConfigs;
import org.jgan.train.checkpoint.Checkpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingRunTest {
  @TempDir Path dir;

  @Test
  void aRunLeavesGridsLogsPlotAndCheckpointAndResumes() throws IOException {
    TrainingConfig config =
        TrainingConfig.defaults(TinyConfigs.styleGan2().withLabels(10), 48).toBuilder()
            .batchSize(8)
            .snapshotImages(16)
            .build();
    Trainer t = new Trainer(config, TrainerTest.FASHION32);
    new TrainingRun(t, dir).run(new TrainingRun.Listener() {});
    for (String f :
        new String[] {
          "config.json",
          "losses.csv",
          "losses.png",
          "log.jsonl",
          "reals.png",
          "checkpoint.safetensors",
          "fakes000016.png",
          "fakes000032.png",
          "fakes000048.png"
        }) {
      assertTrue(
          Files.exists(dir.resolve(f)), f + " missing; have " + List.of(dir.toFile().list()));
    }
    List<String> log = Files.readAllLines(dir.resolve("log.jsonl"));
    assertEquals(3, log.size());
    Map<String, Object> line = Json.parseObject(log.get(2));
    for (String k :
        new String[] {
          "kimg",
          "loss_d",
          "loss_g",
          "d_real",
          "d_fake",
          "grad_norm_d",
          "grad_norm_g",
          "r1",
          "path_length",
          "sec_per_kimg"
        }) {
      assertTrue(line.containsKey(k), "log line lacks " + k);
    }
    assertEquals(0.048, (Double) line.get("kimg"), 1e-12);
    // one row per class in the grid: 10 rows of 8 at 32x32 scaled by 2 with a 2-pixel gutter
    var grid = ImageIO.read(dir.resolve("fakes000048.png").toFile());
    assertEquals(10 * (64 + 2) + 2, grid.getHeight());
    assertEquals(1 + 6, Files.readAllLines(dir.resolve("losses.csv")).size());
    // resume and go on: the loss log continues from the checkpoint's step
    TrainingConfig longer = config.toBuilder().totalImages(64).build();
    Trainer resumed =
        Checkpoint.resume(dir.resolve("checkpoint.safetensors"), TrainerTest.FASHION32);
    assertEquals(6, resumed.steps());
    Trainer continued = new Trainer(longer, TrainerTest.FASHION32);
    assertEquals(0, continued.steps());
  }

  @Test
  void keptSnapshotsAreEachSnapshotsStateAndNeverReplaceAFile() throws IOException {
    TrainingConfig config =
        TrainingConfig.defaults(TinyConfigs.styleGan2(), 48).toBuilder()
            .batchSize(8)
            .snapshotImages(16)
            .build();
    Path mine = dir.resolve("checkpoint-000016.safetensors");
    Files.writeString(mine, "the user's own file", StandardCharsets.UTF_8);
    Trainer t = new Trainer(config, TrainerTest.FASHION32);
    new TrainingRun(t, dir.resolve("run")).keepSnapshots(true).run(new TrainingRun.Listener() {});
    Path run = dir.resolve("run");
    assertTrue(TrainingRun.keptSnapshots(run), "the start's provenance line says it keeps them");
    for (int images : new int[] {16, 32, 48}) {
      Path kept = run.resolve(String.format("checkpoint-%06d.safetensors", images));
      assertEquals(images, Checkpoint.read(kept).state().imagesSeen(), kept.toString());
    }
    assertEquals(
        Arrays.hashCode(Files.readAllBytes(run.resolve("checkpoint.safetensors"))),
        Arrays.hashCode(Files.readAllBytes(run.resolve("checkpoint-000048.safetensors"))));
    // a file of that name already there is left alone (here: a run resumed into its own folder)
    Files.move(mine, run.resolve("checkpoint-000064.safetensors"));
    Trainer resumed =
        Checkpoint.resume(
            run.resolve("checkpoint.safetensors"),
            TrainerTest.FASHION32,
            c -> c.toBuilder().totalImages(64).build());
    new TrainingRun(resumed, run).keepSnapshots(true).run(new TrainingRun.Listener() {});
    assertEquals(
        "the user's own file",
        Files.readString(run.resolve("checkpoint-000064.safetensors"), StandardCharsets.UTF_8));
    assertEquals(64, Checkpoint.read(run.resolve("checkpoint.safetensors")).state().imagesSeen());
    // the trained generator differs from the average; a checkpoint without G says so
    Checkpoint.Contents c = Checkpoint.read(run.resolve("checkpoint-000016.safetensors"));
    Map<String, Tensor> avg = Checkpoint.generator(c, true).stateDict();
    Map<String, Tensor> raw = Checkpoint.generator(c, false).stateDict();
    assertTrue(
        avg.keySet().stream()
            .anyMatch(k -> !Arrays.equals(avg.get(k).toDoubleArray(), raw.get(k).toDoubleArray())),
        "G_ema and G differ after 16 images");
    Map<String, Tensor> emaOnly = new LinkedHashMap<>(c.tensors());
    emaOnly.keySet().removeIf(k -> k.startsWith("G."));
    Checkpoint.Contents noG =
        new Checkpoint.Contents(c.config(), c.state(), c.dataset(), c.metadata(), emaOnly);
    Exception e = assertThrows(Exception.class, () -> Checkpoint.generator(noG, false));
    assertTrue(e.getMessage().contains("holds no generator G (only G_ema"), e.getMessage());
    // without the option, only the latest
    Trainer other = new Trainer(config, TrainerTest.FASHION32);
    new TrainingRun(other, dir.resolve("plain")).run(new TrainingRun.Listener() {});
    assertFalse(TrainingRun.keptSnapshots(dir.resolve("plain")));
    assertFalse(TrainingRun.keptSnapshots(dir.resolve("no run here")));
    // a run recorded before starts said it: kept when its folder holds a kept checkpoint
    Path older = Files.createDirectories(dir.resolve("older"));
    Files.writeString(older.resolve("provenance.jsonl"), "{\"kimg\": 0.0}\n");
    assertFalse(TrainingRun.keptSnapshots(older));
    Files.writeString(older.resolve("checkpoint-000064.safetensors.tmp"), "");
    assertFalse(TrainingRun.keptSnapshots(older), "a partial copy is not a kept checkpoint");
    Files.writeString(older.resolve("checkpoint-000064.safetensors"), "");
    assertTrue(TrainingRun.keptSnapshots(older));
    Files.writeString(
        older.resolve("provenance.jsonl"), "{\"kimg\": 0.0, \"keep_snapshots\": false}\n");
    assertFalse(TrainingRun.keptSnapshots(older), "what the start says wins");
    try (var files = Files.list(dir.resolve("plain"))) {
      assertEquals(
          List.of("checkpoint.safetensors"),
          files
              .map(f -> f.getFileName().toString())
              .filter(f -> f.startsWith("checkpoint"))
              .toList());
    }
  }

  @Test
  void snapshotsAndRegularisedStepsLeaveNoArraysBehind() throws IOException {
    // R1 and path length every other step, a snapshot (grid, checkpoint) every step: after the
    // first steps have created the optimiser state, the library's array bytes must not change.
    TrainingConfig config =
        TrainingConfig.defaults(TinyConfigs.styleGan2().withLabels(10), 8 * 12).toBuilder()
            .batchSize(8)
            .r1Interval(2)
            .plInterval(2)
            .snapshotImages(8)
            .build();
    Trainer t = new Trainer(config, TrainerTest.FASHION32);
    List<Long> live = new ArrayList<>();
    new TrainingRun(t, dir)
        .run(
            new TrainingRun.Listener() {
              @Override
              public void onSnapshot(Map<String, Object> line, Path picture, Path checkpoint) {
                live.add(Engine.current().liveBytes());
              }
            });
    assertEquals(12, live.size());
    for (int i = 4; i < live.size(); i++) {
      assertEquals(
          live.get(3), live.get(i), "library array bytes after snapshot " + (i + 1) + ": " + live);
    }
  }

  @Test
  void aSaveInterruptedHalfWayLeavesThePreviousCheckpointLoadable() throws IOException {
    TrainingConfig config =
        TrainingConfig.defaults(TinyConfigs.dcgan(), 1000).toBuilder().batchSize(8).build();
    Trainer t = new Trainer(config, TrainerTest.FASHION32);
    t.step();
    Path ckpt = dir.resolve("checkpoint.safetensors");
    Checkpoint.save(t, ckpt);
    byte[] before = Files.readAllBytes(ckpt);
    // a write that dies after its header and some tensors: the last tensor's memory is gone
    Map<String, Tensor> tensors = new LinkedHashMap<>(Checkpoint.read(ckpt).tensors());
    Tensor dead;
    try (TensorScope s = TensorScope.open()) {
      dead = Tensor.ones(DType.FLOAT32, 4);
    }
    tensors.put("zz", dead);
    assertThrows(
        IllegalStateException.class,
        () -> SafeTensors.write(ckpt, tensors, Map.of("format", Checkpoint.FORMAT)));
    assertTrue(Arrays.equals(before, Files.readAllBytes(ckpt)));
    assertEquals(1, Checkpoint.resume(ckpt, TrainerTest.FASHION32).steps());
    try (var files = Files.list(dir)) {
      assertEquals(1, files.count(), "no temporary file left");
    }
    String text = new String(before, 8, 64, StandardCharsets.UTF_8);
    assertTrue(text.startsWith("{"), text);
  }
}
