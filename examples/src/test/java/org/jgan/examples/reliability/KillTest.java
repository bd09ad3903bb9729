package org.jgan.examples.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.testing.TensorAssert;
import org.jgan.train.checkpoint.Checkpoint;
import org.jgan.train.data.FashionMnist;
import org.jgan.train.data.ImageDataset;
import org.jgan.train.loop.Trainer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Processes killed with SIGKILL lose nothing: a training run in a child JVM is killed at random
 * moments (checkpoints are written every few steps, so some kills land during a save), and after
 * each kill the newest checkpoint must load and resume. {@code -Djgan.kills=100} runs more kills
 * than the default 20 and {@code -Djgan.kills.channels=64} makes the checkpoints larger (slower to
 * write, so that more kills land during a save), as for the figures in docs/reliability.md.
 */
@Tag("slow")
class KillTest {
  private static final Logger LOG = LoggerFactory.getLogger(KillTest.class);
  static final ImageDataset DATA = FashionMnist.embeddedTest().paddedTo(32);

  @TempDir Path dir;

  @Test
  void theNewestCheckpointSurvivesEveryKill() throws Exception {
    int kills = Integer.getInteger("jgan.kills", 20);
    Path config = ChildJvm.config(dir, Integer.getInteger("jgan.kills.channels", 32));
    Path run = dir.resolve("run");
    Path ckpt = run.resolve("checkpoint.safetensors");
    Path log = dir.resolve("child.log");
    Random random = new Random(2026);
    int beforeFirstCheckpoint = 0;
    int duringSave = 0;
    List<Long> progress = new ArrayList<>();
    for (int k = 0; k < kills; k++) {
      List<String> args =
          new ArrayList<>(
              List.of("train", "--metrics", "0", "--no-progress", "--out", run.toString()));
      if (Files.exists(ckpt)) {
        args.addAll(List.of("--resume", ckpt.toString()));
      } else {
        args.addAll(
            List.of(
                "--config",
                config.toString(),
                "--images",
                "1M",
                "--snapshot",
                "8")); // a checkpoint every step
      }
      Process p = ChildJvm.start(log, args.toArray(new String[0]));
      long waitMs = 2500L + random.nextInt(4000); // JVM start and ND4J take ~2-3 s; then some steps
      boolean exited = p.waitFor(waitMs, TimeUnit.MILLISECONDS);
      assertTrue(
          !exited,
          "the child stopped on its own (exit "
              + (exited ? p.exitValue() : 0)
              + "); see "
              + Files.readString(log));
      p.destroyForcibly(); // SIGKILL on Linux
      p.waitFor();
      try (var files = Files.list(run)) {
        duringSave += files.anyMatch(f -> f.getFileName().toString().endsWith(".tmp")) ? 1 : 0;
      }
      if (!Files.exists(ckpt)) {
        beforeFirstCheckpoint++;
        continue;
      }
      Checkpoint.Contents c = Checkpoint.read(ckpt); // must load
      Trainer t = Checkpoint.resume(ckpt, DATA); // and resume
      assertEquals(c.state().step(), t.steps());
      progress.add(c.state().imagesSeen());
    }
    LOG.info(
        "{} kills: {} before the first checkpoint, {} during a save (a half-written temporary file"
            + " left), every checkpoint loaded and resumed; checkpoint of {} bytes; images seen at"
            + " the kills: {}",
        kills,
        beforeFirstCheckpoint,
        duringSave,
        Files.exists(ckpt) ? Files.size(ckpt) : 0,
        progress);
    assertTrue(
        progress.size() >= kills / 2, "too few kills after the first checkpoint: " + progress);
    for (int i = 1; i < progress.size(); i++) {
      assertTrue(progress.get(i) >= progress.get(i - 1), "training went backwards: " + progress);
    }
  }

  /** A child JVM training the tiny config for 384 images, a snapshot every 64, into {@code out}. */
  private static Process train384(Path config, Path log, Path out) throws IOException {
    return ChildJvm.start(
        log,
        "train",
        "--config",
        config.toString(),
        "--images",
        "384",
        "--snapshot",
        "64",
        "--metrics",
        "0",
        "--no-progress",
        "--out",
        out.toString());
  }

  @Test
  void resumingAcrossProcessesReproducesAnUninterruptedRun() throws Exception {
    Path config = ChildJvm.tinyConfig(dir);
    Path straight = dir.resolve("straight");
    Path cut = dir.resolve("cut");
    Path log = dir.resolve("child.log");
    Process a = train384(config, log, straight);
    assertEquals(0, a.waitFor(), Files.readString(log));
    Process b = train384(config, log, cut);
    Path cutLog = cut.resolve("log.jsonl");
    long deadline = System.currentTimeMillis() + 120_000;
    while (System.currentTimeMillis() < deadline
        && (!Files.exists(cutLog) || Files.readAllLines(cutLog).size() < 2)) {
      Thread.sleep(20);
    }
    b.destroyForcibly(); // killed after its second checkpoint, somewhere in the following steps
    b.waitFor();
    long killedAt = Checkpoint.read(cut.resolve("checkpoint.safetensors")).state().imagesSeen();
    assertTrue(killedAt >= 128 && killedAt < 384, "killed at " + killedAt);
    Process c =
        ChildJvm.start(
            log,
            "train",
            "--resume",
            cut.resolve("checkpoint.safetensors").toString(),
            "--metrics",
            "0",
            "--no-progress");
    assertEquals(0, c.waitFor(), Files.readString(log));
    Map<String, Tensor> expected =
        Checkpoint.read(straight.resolve("checkpoint.safetensors")).tensors();
    Map<String, Tensor> actual = Checkpoint.read(cut.resolve("checkpoint.safetensors")).tensors();
    assertEquals(expected.keySet(), actual.keySet());
    for (String k : expected.keySet()) {
      TensorAssert.assertClose(expected.get(k), actual.get(k), 0, k);
    }
    LOG.info(
        "killed at {} images, resumed in a new process: all {} tensors bit-identical to the"
            + " uninterrupted run",
        killedAt,
        expected.size());
  }
}
