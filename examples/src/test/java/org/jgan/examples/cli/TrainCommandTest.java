package org.jgan.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.jgan.models.stylegan2.StyleGan2Config;
import org.jgan.train.loop.TrainingConfig;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** What {@code gan train} makes of its flags before training: the config it would run. */
class TrainCommandTest {
  private static TrainingConfig resolve(String... args) throws IOException {
    TrainCommand cmd = new TrainCommand();
    new CommandLine(cmd).parseArgs(args);
    return cmd.resolve().config();
  }

  private static boolean byLabel(TrainingConfig c) {
    return ((StyleGan2Config) c.model()).mbstdByLabel();
  }

  @Test
  void theConditionalCpuStyleGan2TakesItsTunedR1AndTheStatisticByLabel() throws IOException {
    TrainingConfig tuned = resolve("--family", "stylegan2", "--conditional");
    assertEquals(0.05, tuned.r1Gamma(), 1e-12);
    assertTrue(byLabel(tuned));
    assertEquals(0.0, tuned.plWeight());
    assertEquals(0.0, tuned.styleMixing());
    // the rest is StyleGAN2's
    TrainingConfig ada = TrainingConfig.defaults(StyleGan2Config.cpu32(1, 10), 300_000);
    assertEquals(ada.r1Interval(), tuned.r1Interval());
    assertEquals(ada.emaKimg(), tuned.emaKimg());
    assertEquals(ada.g(), tuned.g());
    // the library's builder gives the same tuning
    TrainingConfig lib = ada.toBuilder().conditionalCpuTuning().build();
    assertEquals(tuned.r1Gamma(), lib.r1Gamma());
    assertEquals(0.0, lib.plWeight());
    assertEquals(0.0, lib.styleMixing());
    assertEquals(
        TrainingConfig.conditionalCpuR1Gamma(32, 16),
        ada.toBuilder().batchSize(16).conditionalCpuTuning().build().r1Gamma());
    // the library's preset and the command agree
    assertTrue(StyleGan2Config.cpu32(1, 10).mbstdByLabel());
    assertFalse(StyleGan2Config.cpu32(1, 0).mbstdByLabel());
    assertEquals(tuned.r1Gamma(), TrainingConfig.conditionalCpuR1Gamma(32, 32));
    // scaled as ADA's heuristic with the batch
    assertEquals(0.1, resolve("--family", "stylegan2", "--conditional", "--batch", "16").r1Gamma());

    // each part can be turned back to the paper's
    TrainingConfig paper =
        resolve(
            "--family",
            "stylegan2",
            "--conditional",
            "--r1-gamma",
            "0.0064",
            "--no-mbstd-by-label",
            "--pl-weight",
            "2",
            "--style-mixing",
            "0.9");
    assertEquals(0.0064, paper.r1Gamma(), 1e-12);
    assertFalse(byLabel(paper));
    assertEquals(2.0, paper.plWeight());
    assertEquals(0.9, paper.styleMixing());
  }

  @Test
  void otherStyleGan2RunsKeepAdasHeuristicAndThePapersStatistic() throws IOException {
    TrainingConfig uncond = resolve("--family", "stylegan2");
    assertEquals(0.0002 * 32 * 32 / 32, uncond.r1Gamma(), 1e-12);
    assertFalse(byLabel(uncond));
    assertEquals(2.0, uncond.plWeight());
    assertEquals(0.9, uncond.styleMixing());
    TrainingConfig cifar = resolve("--family", "stylegan2", "--preset", "cifar", "--conditional");
    assertEquals(0.0002 * 32 * 32 / 32, cifar.r1Gamma(), 1e-12);
    assertFalse(byLabel(cifar));
    // asked for explicitly, the statistic by label applies to any StyleGAN2
    assertTrue(
        byLabel(
            resolve(
                "--family",
                "stylegan2",
                "--preset",
                "cifar",
                "--conditional",
                "--mbstd-by-label")));
  }
}
