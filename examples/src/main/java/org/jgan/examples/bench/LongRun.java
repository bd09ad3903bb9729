package org.jgan.examples.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.jgan.core.kernels.DataFormat;
import org.jgan.core.kernels.Engine;
import org.jgan.core.kernels.NativeMemory;
import org.jgan.models.stylegan2.StyleGan2Config;
import org.jgan.train.data.FashionMnist;
import org.jgan.train.loop.StepStats;
import org.jgan.train.loop.Trainer;
import org.jgan.train.loop.TrainingConfig;
import org.jgan.train.loop.TrainingRun;

/**
 * A long run of a small conditional StyleGAN2 (16 channels, batch 8, all regularisers, a snapshot
 * with grid and checkpoint every 500 steps) that prints resident memory, the library's own array
 * bytes and the process's open file descriptors as it goes, and their growth after warm-up.
 */
public final class LongRun {
  private LongRun() {}

  /**
   * Runs {@code steps} steps in {@code out}; returns the growth of peak resident memory (second
   * half after warm-up over the first) and of open file descriptors after warm-up.
   */
  public static double[] run(int steps, Path out, PrintStream log) throws IOException {
    StyleGan2Config model =
        new StyleGan2Config(8, 8, 2, 0.01, 1, 32, 64, 16, 10, false, 4, 1, 2, 0, DataFormat.NHWC);
    TrainingConfig cfg =
        TrainingConfig.defaults(model, 8L * steps).toBuilder()
            .batchSize(8)
            .r1Interval(4)
            .plInterval(2)
            .snapshotImages(8L * 500)
            .build();
    Trainer trainer = new Trainer(cfg, FashionMnist.embeddedTest().paddedTo(32));
    long[] warmFiles = new long[1];
    RssTrend trend = new RssTrend(steps);
    long start = System.nanoTime();
    int warmStep = trend.warmup();
    new TrainingRun(trainer, out)
        .run(
            new TrainingRun.Listener() {
              @Override
              public void onStep(StepStats s) {
                long step = s.step() + 1;
                trend.sample(step);
                if (step == warmStep) {
                  warmFiles[0] = openFiles();
                }
                if (step % Math.max(1, steps / 20) == 0) {
                  log.printf(
                      Locale.ROOT,
                      "step %6d  RSS %5d MB  library arrays %4d MB  open files %3d  %.0f s%n",
                      step,
                      NativeMemory.residentBytes() >> 20,
                      Engine.current().liveBytes() >> 20,
                      openFiles(),
                      (System.nanoTime() - start) / 1e9);
                }
              }
            });
    double fds = openFiles() - warmFiles[0];
    log.printf(Locale.ROOT, "open files after warm-up (step %d): %+.0f%n", warmStep, fds);
    return new double[] {trend.report(log), fds};
  }

  /** Open file descriptors of this process ({@code /proc/self/fd}), or -1 where unknown. */
  static long openFiles() {
    try (var s = Files.list(Path.of("/proc/self/fd"))) {
      return s.count();
    } catch (IOException e) {
      return -1;
    }
  }
}
