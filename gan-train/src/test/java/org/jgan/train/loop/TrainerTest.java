package org.jgan.train.loop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.jgan.core.io.Records;
import org.jgan.core.kernels.Backend;
import org.jgan.core.kernels.DataFormat;
import org.jgan.core.kernels.Engine;
import org.jgan.core.nn.Module;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.testing.TensorAssert;
import org.jgan.models.ModelConfig;
import org.jgan.models.TinyConfigs;
import org.jgan.models.stylegan2.StyleGan2Config;
import org.jgan.models.vanilla.VanillaConfig;
import org.jgan.train.augment.Augmentation;
import org.jgan.train.checkpoint.Checkpoint;
import org.jgan.train.data.Dataset;
import org.jgan.train.data.FashionMnist;
import org.jgan.train.data.ImageDataset;
import org.jgan.train.data.ToyDistributions;
import org.jgan.train.loss.GanLoss;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class TrainerTest {
  @TempDir Path dir;

  static final ImageDataset FASHION32 = FashionMnist.embeddedTest().head(256).paddedTo(32);

  /** A few steps of every family with its papers' settings (shrunk) on padded Fashion-MNIST. */
  static Stream<TrainingConfig> configs() {
    return Stream.of(
        TrainingConfig.defaults(TinyConfigs.vanilla(), 64).toBuilder().batchSize(8).build(),
        TrainingConfig.defaults(TinyConfigs.dcgan(), 64).toBuilder().batchSize(8).build(),
        TrainingConfig.defaults(TinyConfigs.progressive(), 64).toBuilder()
            .batchSize(8)
            .stageBatches()
            .progressiveImages(8)
            .build(),
        TrainingConfig.defaults(TinyConfigs.styleGan(), 64).toBuilder()
            .batchSize(8)
            .progressiveImages(8)
            .build(),
        TrainingConfig.defaults(TinyConfigs.styleGan2(), 64).toBuilder()
            .batchSize(8)
            .r1Interval(2)
            .plInterval(2)
            .build(),
        TrainingConfig.defaults(TinyConfigs.styleGan2().withLabels(10), 64).toBuilder()
            .batchSize(8)
            .build(),
        TrainingConfig.defaults(TinyConfigs.styleGan2().withLabels(10), 64).toBuilder()
            .batchSize(8)
            .microBatch(4)
            .modeSeeking(1)
            .build(),
        TrainingConfig.defaults(TinyConfigs.styleGan2().withProgressive(true), 64).toBuilder()
            .batchSize(8)
            .progressiveImages(8)
            .build());
  }

  @ParameterizedTest(name = "{index}: {0}")
  @MethodSource("configs")
  void everyFamilyTrainsAFewSteps(TrainingConfig config) {
    Trainer t = new Trainer(config, FASHION32);
    StepStats last = null;
    while (!t.done()) {
      last = t.step();
      assertTrue(Double.isFinite(last.lossD()) && Double.isFinite(last.lossG()), last.toString());
    }
    assertEquals(64, t.imagesSeen());
    assertEquals(32, last.resolution(), "reached the final resolution");
  }

  @Test
  void modeSeekingChangesOnlyTheGeneratorsStepAndIsMeasured() {
    TrainingConfig plain =
        TrainingConfig.defaults(TinyConfigs.styleGan2().withLabels(10), 64).toBuilder()
            .batchSize(8)
            .build();
    Trainer a = new Trainer(plain, FASHION32);
    Trainer b = new Trainer(plain.toBuilder().modeSeeking(1).build(), FASHION32);
    StepStats sa = a.step();
    StepStats sb = b.step();
    assertTrue(Double.isNaN(sa.modeSeeking()), sa.toString());
    assertTrue(sb.modeSeeking() > 0 && Double.isFinite(sb.modeSeeking()), sb.toString());
    // the discriminator's step (first) saw the same images and labels; the generator's did not
    assertSameWeights(a.discriminator(), b.discriminator());
    assertEquals(sa.lossD(), sb.lossD());
    Map<String, Tensor> ga = a.generator().stateDict();
    Map<String, Tensor> gb = b.generator().stateDict();
    assertTrue(
        ga.keySet().stream()
            .anyMatch(k -> !Arrays.equals(ga.get(k).toDoubleArray(), gb.get(k).toDoubleArray())),
        "the term changed the generator's step");
  }

  private static void assertSameWeights(Module a, Module b) {
    assertSameWeights(a, b, 0, 0, "");
  }

  /** Weights within {@code relTol} of their largest value or within {@code absTol}. */
  private static void assertSameWeights(
      Module a, Module b, double relTol, double absTol, String what) {
    Map<String, Tensor> sa = a.stateDict();
    Map<String, Tensor> sb = b.stateDict();
    assertEquals(sa.keySet(), sb.keySet());
    for (String k : sa.keySet()) {
      TensorAssert.assertClose(sa.get(k), sb.get(k), relTol, absTol, what + k);
    }
  }

  /** Three conditional StyleGAN2 steps (R1, path length, mixing, EMA) on the current engine. */
  private static Trainer threeSteps() {
    StyleGan2Config t = TinyConfigs.styleGan2().withLabels(10);
    // 32 channels at 16x16 and 32x32, where the Winograd kernels take the 3x3 convolutions
    StyleGan2Config wide =
        new StyleGan2Config(
            t.zDim(),
            t.wDim(),
            t.mappingLayers(),
            t.mappingLrMul(),
            1,
            32,
            32 * 32,
            32,
            10,
            false,
            4,
            1,
            2,
            0,
            DataFormat.NHWC);
    TrainingConfig config =
        TrainingConfig.defaults(wide, 24).toBuilder()
            .batchSize(8)
            .r1Interval(2)
            .plInterval(2)
            .build();
    Trainer trainer = new Trainer(config, FASHION32);
    while (!trainer.done()) {
      trainer.step();
    }
    return trainer;
  }

  @Test
  void theBackendChangesSpeedNotResults() {
    Trainer reference;
    try (Engine engine = Engine.start(Backend.cpu())) {
      reference = threeSteps();
      assertTrue(
          !engine.winogradAvailable() || engine.stats().winogradCalls() > 0,
          "the reference ran Winograd convolutions where the machine has them");
    }
    for (Backend b :
        new Backend[] {Backend.cpu().withInPlace(false), Backend.cpu().withPoolBytes(0)}) {
      try (Engine engine = Engine.start(b)) {
        Trainer other = threeSteps();
        assertSameWeights(reference.generator(), other.generator(), 0, 0, b.describe() + ": ");
        assertSameWeights(
            reference.discriminator(), other.discriminator(), 0, 0, b.describe() + ": ");
      }
    }
    try (Engine engine = Engine.start(Backend.cpu().withWinograd(false))) {
      Trainer direct = threeSteps();
      assertEquals(0, engine.stats().winogradCalls());
      // Winograd rounds differently (a few 1e-6 of a convolution's largest output): three Adam
      // steps keep the weights within float32 noise of each other, or within 1% of one Adam step
      // where a weight is small (a bias or noise strength whose gradient is near 0 moves by up to
      // a step whichever way the rounding tips it: one machine saw 9.6e-6 on a bias of 6.9e-3)
      double absTol = 0.01 * reference.config().g().lr();
      assertSameWeights(reference.generator(), direct.generator(), 1e-3, absTol, "Winograd off: ");
      assertSameWeights(
          reference.discriminator(), direct.discriminator(), 1e-3, absTol, "Winograd off: ");
    }
  }

  @ParameterizedTest
  @EnumSource(Augmentation.class)
  void resumingFromACheckpointContinuesTheSameRun(Augmentation augment) throws IOException {
    TrainingConfig config =
        TrainingConfig.defaults(TinyConfigs.styleGan2().withLabels(10), 10_000).toBuilder()
            .batchSize(8)
            .r1Interval(2)
            .plInterval(2)
            .xflip(true)
            .augment(augment)
            // ADA from p = 0.5, adjusted every 2 steps by 0.32: the checkpoint at step 3 falls
            // between adjustments, with signs gathered
            .ada(new AdaSettings(0.6, 0.05, 2, 0.5))
            .build();
    Trainer straight = new Trainer(config, FASHION32);
    for (int i = 0; i < 6; i++) {
      straight.step();
    }
    Trainer first = new Trainer(config, FASHION32);
    for (int i = 0; i < 3; i++) {
      first.step();
    }
    Path ckpt = dir.resolve("run-" + augment + ".safetensors");
    Checkpoint.save(first, ckpt);
    Trainer resumed = Checkpoint.resume(ckpt, FASHION32);
    assertEquals(3, resumed.steps());
    for (int i = 0; i < 3; i++) {
      resumed.step();
    }
    assertSameWeights(straight.generator(), resumed.generator());
    assertSameWeights(straight.discriminator(), resumed.discriminator());
    assertSameWeights(straight.ema(), resumed.ema());
    assertEquals(straight.state(), resumed.state());
    if (augment == Augmentation.ADA) {
      assertNotEquals(0.5, resumed.augmentP(), "p was adjusted");
    }
  }

  @Test
  void aStateSavedBeforeAdaReadsWithPZeroAndAStateMissingAnythingElseIsRefused() {
    Map<String, Object> m =
        new LinkedHashMap<>(
            Records.toMap(new Trainer.State(5, 40, 0.5, 1, 3, 4, 6, 7, 8, 9, 0.7, 1.0, 2)));
    assertEquals(m, Records.toMap(Trainer.State.fromMap(m)), "round trip");
    m.remove("augmentP");
    m.remove("adaSignSum");
    m.remove("adaSignCount");
    Trainer.State old = Trainer.State.fromMap(m);
    assertEquals(0, old.augmentP());
    assertEquals(0, old.adaSignCount());
    assertEquals(9, old.penaltyCounter());
    m.remove("step");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Trainer.State.fromMap(m));
    assertTrue(e.getMessage().contains("'step'"), e.getMessage());
  }

  @Test
  void gradientAccumulationEqualsOneLargeBatch() {
    Dataset toy = ToyDistributions.grid25(512, new Rng(1));
    TrainingConfig whole =
        TrainingConfig.defaults(VanillaConfig.toy2d(), 10_000).toBuilder().batchSize(32).build();
    TrainingConfig micro = whole.toBuilder().microBatch(8).build();
    Trainer a = new Trainer(whole, toy);
    Trainer b = new Trainer(micro, toy);
    for (int i = 0; i < 3; i++) {
      a.step();
      b.step();
    }
    Map<String, Tensor> sa = a.generator().stateDict();
    Map<String, Tensor> sb = b.generator().stateDict();
    for (String k : sa.keySet()) {
      TensorAssert.assertClose(sa.get(k), sb.get(k), 1e-5, "generator " + k);
    }
    Map<String, Tensor> da = a.discriminator().stateDict();
    Map<String, Tensor> db = b.discriminator().stateDict();
    for (String k : da.keySet()) {
      TensorAssert.assertClose(da.get(k), db.get(k), 1e-5, "discriminator " + k);
    }
  }

  @Test
  void aPoisonedLearningRateStopsWithTheStepNetworkAndTerm() throws IOException {
    TrainingConfig config =
        TrainingConfig.defaults(TinyConfigs.dcgan(), 10_000).toBuilder()
            .batchSize(8)
            .d(new OptimizerSettings(1e30, 0.5, 0.999, 1e-8))
            .build();
    Trainer t = new Trainer(config, FASHION32);
    Path ckpt = dir.resolve("good.safetensors");
    Checkpoint.save(t, ckpt);
    byte[] good = Files.readAllBytes(ckpt);
    TrainingDivergedException e =
        assertThrows(
            TrainingDivergedException.class,
            () -> {
              for (int i = 0; i < 20; i++) {
                t.step();
              }
            });
    assertTrue(
        e.getMessage()
            .matches(
                "training diverged at step \\d+: (generator|discriminator) .* is"
                    + " (NaN|Infinity|-Infinity).*"),
        e.getMessage());
    assertArrayEquals(good, Files.readAllBytes(ckpt), "the last good checkpoint is untouched");
    assertEquals(0, Checkpoint.resume(ckpt, FASHION32).steps());
  }

  @Test
  void configsRoundTripThroughJsonAndValidate() {
    for (TrainingConfig c : configs().toList()) {
      assertEquals(c, TrainingConfig.fromJson(c.toJson(), null));
    }
    TrainingConfig base = TrainingConfig.defaults(TinyConfigs.styleGan2(), 1000);
    TrainingConfig tweaked =
        TrainingConfig.fromJson(
            "{\"batchSize\": 16, \"loss\": \"hinge\", \"model\": {\"resolution\": 16}}", base);
    assertEquals(16, tweaked.batchSize());
    assertEquals(GanLoss.HINGE, tweaked.loss());
    assertEquals(16, tweaked.model().resolution());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> base.toBuilder().batchSize(6).build());
    assertTrue(
        e.getMessage().contains("not divisible by the minibatch-stddev group 4"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> TrainingConfig.fromJson("{\"batchsize\": 16}", base));
    assertTrue(e.getMessage().contains("unknown key 'batchsize'"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new Trainer(base, FashionMnist.embeddedTest().head(8)));
    assertTrue(e.getMessage().contains("pad 28x28 images to 32"), e.getMessage());
    ModelConfig conditional = TinyConfigs.styleGan2().withLabels(3);
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new Trainer(TrainingConfig.defaults(conditional, 100), FASHION32));
    assertTrue(
        e.getMessage()
            .contains("conditional on 3 classes but dataset fashion-mnist-test has 10 labels"),
        e.getMessage());
  }

  @Test
  void progressiveScheduleFadesInLinearly() {
    ProgressiveSchedule s = new ProgressiveSchedule(4, 32, 100);
    assertEquals(4, s.resolution(0));
    assertEquals(1.0, s.alpha(99));
    assertEquals(8, s.resolution(100));
    assertEquals(0.0, s.alpha(100));
    assertEquals(0.25, s.alpha(125));
    assertEquals(1.0, s.alpha(250));
    assertEquals(16, s.resolution(300));
    assertEquals(32, s.resolution(500));
    assertEquals(0.5, s.alpha(550));
    assertEquals(1.0, s.alpha(600));
    assertEquals(32, s.resolution(10_000));
    assertEquals(1.0, s.alpha(10_000));
  }

  @Test
  void batchSizeFollowsTheStage() {
    TrainingConfig config =
        TrainingConfig.defaults(TinyConfigs.progressive(), 200).toBuilder()
            .stageBatches(16, 8, 8, 4)
            .progressiveImages(16)
            .build();
    assertEquals(16, config.batchAt(4));
    assertEquals(4, config.batchAt(32));
    Trainer t = new Trainer(config, FASHION32);
    StepStats first = t.step();
    assertEquals(16, first.imagesSeen());
    StepStats s = first;
    while (s.resolution() < 32) {
      s = t.step();
    }
    long before = t.imagesSeen();
    assertEquals(4, t.step().imagesSeen() - before, "batch 4 at 32x32");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> config.toBuilder().stageBatches(8, 8).build());
    assertTrue(
        e.getMessage().contains("one batch size per stage resolution 4..32 (4 values)"),
        e.getMessage());
  }

  @Test
  void lazyRegularisationAdjustsAdam() {
    OptimizerSettings lazy = OptimizerSettings.styleGan2().lazy(16);
    assertEquals(0.0025 * 16 / 17, lazy.lr(), 1e-15);
    assertEquals(Math.pow(0.99, 16.0 / 17), lazy.beta2(), 1e-15);
    assertEquals(0.0, lazy.beta1());
  }
}
