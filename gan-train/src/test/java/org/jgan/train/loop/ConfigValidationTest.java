package org.jgan.train.loop;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.jgan.core.io.StateDict;
import org.jgan.core.io.WeightFileException;
import org.jgan.core.kernels.DataFormat;
import org.jgan.core.tensor.Rng;
import org.jgan.models.Sampling;
import org.jgan.models.TinyConfigs;
import org.jgan.models.blocks.NoiseMode;
import org.jgan.models.dcgan.DcganConfig;
import org.jgan.models.progressive.ProgressiveGenerator;
import org.jgan.models.stylegan2.StyleGan2Config;
import org.jgan.models.vanilla.VanillaConfig;
import org.jgan.train.augment.Augmentation;
import org.jgan.train.data.FashionMnist;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every config and argument validates where it is made, and the message says what was given and
 * what is allowed: one table of bad inputs and the words their errors must contain.
 */
class ConfigValidationTest {
  /** Something that must fail. */
  interface Bad {
    void run() throws Exception;
  }

  static final TrainingConfig SG2 = TrainingConfig.defaults(TinyConfigs.styleGan2(), 1000);

  static Path file(String name) throws Exception {
    Path dir = Files.createTempDirectory("validation");
    dir.toFile().deleteOnExit();
    return dir.resolve(name);
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of(
            "resolution not a power of two",
            (Bad)
                () ->
                    new StyleGan2Config(
                        8, 8, 2, 0.01, 1, 48, 64, 16, 0, false, 4, 1, 2, 0, DataFormat.NHWC),
            "resolution must be a power of two in [8, 1024], got 48"),
        Arguments.of(
            "tuned R1 weight without a batch",
            (Bad) () -> TrainingConfig.conditionalCpuR1Gamma(32, 0),
            "resolution and batch size must be >= 1, got 32 and 0"),
        Arguments.of(
            "DCGAN resolution",
            (Bad) () -> new DcganConfig(8, 1, 30, 4, 4, 0),
            "must be a power of two in [8, 128], got 30"),
        Arguments.of(
            "batch vs minibatch-stddev group",
            (Bad) () -> SG2.toBuilder().batchSize(6).build(),
            "the batch of 6 is not divisible by the minibatch-stddev group 4; use a multiple of 4"),
        Arguments.of(
            "augmenting points",
            (Bad)
                () ->
                    TrainingConfig.defaults(VanillaConfig.toy2d(), 1000).toBuilder()
                        .augment(Augmentation.DIFFAUGMENT)
                        .build(),
            "augment DIFFAUGMENT transforms images; this vanilla model makes points"),
        Arguments.of(
            "micro-batch",
            (Bad) () -> SG2.toBuilder().microBatch(5).build(),
            "microBatch must be 0 or divide batchSize 32, got 5"),
        Arguments.of(
            "mbstd channels",
            (Bad)
                () ->
                    new StyleGan2Config(
                        8, 8, 2, 0.01, 1, 32, 64, 16, 0, false, 4, 3, 2, 0, DataFormat.NHWC),
            "mbstdChannels 3 must divide the 4x4 channels 16"),
        Arguments.of(
            "conv clamp",
            (Bad)
                () ->
                    new StyleGan2Config(
                        8, 8, 2, 0.01, 1, 32, 64, 16, 0, false, 4, 1, 2, -1, DataFormat.NHWC),
            "convClamp must be >= 0 (0 = none), got -1.0"),
        Arguments.of(
            "learning rate",
            (Bad) () -> new OptimizerSettings(-0.1, 0, 0.99, 1e-8),
            "learning rate must be positive, got -0.1"),
        Arguments.of(
            "Adam beta",
            (Bad) () -> new OptimizerSettings(0.1, 1.0, 0.99, 1e-8),
            "Adam betas must be in [0, 1), got 1.0"),
        Arguments.of(
            "style mixing",
            (Bad) () -> SG2.toBuilder().styleMixing(1.5).build(),
            "styleMixing must be a probability in [0, 1], got 1.5"),
        Arguments.of(
            "mode seeking weight",
            (Bad) () -> SG2.toBuilder().modeSeeking(-1).build(),
            "modeSeeking must be a finite number >= 0, got -1.0"),
        Arguments.of(
            "mode seeking on an odd pass",
            (Bad)
                () ->
                    TrainingConfig.defaults(VanillaConfig.toy2d(), 1000).toBuilder()
                        .batchSize(9)
                        .modeSeeking(1)
                        .build(),
            "modeSeeking pairs the samples of each pass; it needs an even (micro-)batch, not 9"),
        Arguments.of(
            "progressive DCGAN",
            (Bad)
                () ->
                    TrainingConfig.defaults(TinyConfigs.dcgan(), 100).toBuilder()
                        .progressiveImages(10)
                        .build(),
            "progressive growing needs the progressive, stylegan or a progressive stylegan2 model,"
                + " not dcgan"),
        Arguments.of(
            "label count vs dataset",
            (Bad)
                () ->
                    new Trainer(
                        TrainingConfig.defaults(TinyConfigs.styleGan2().withLabels(3), 100),
                        FashionMnist.embeddedTest().head(16).paddedTo(32)),
            "conditional on 3 classes but dataset fashion-mnist-test has 10 labels"),
        Arguments.of(
            "image size vs model",
            (Bad) () -> new Trainer(SG2, FashionMnist.embeddedTest().head(16)),
            "has samples [1, 28, 28] but the stylegan2 model makes [1, 32, 32]; pad 28x28 images to"
                + " 32"),
        Arguments.of(
            "points for an image model",
            (Bad) () -> new VanillaConfig(2, 8, 1, 0, 0, 0),
            "imageChannels must be >= 1, got 0"),
        Arguments.of(
            "truncation",
            (Bad) () -> new Sampling(null, NoiseMode.CONST, 3.0, -1),
            "truncation psi must be in [0, 2], got 3.0"),
        Arguments.of(
            "stage",
            (Bad)
                () ->
                    ((ProgressiveGenerator) TinyConfigs.progressive().generator(1))
                        .setStage(12, 0.5),
            "stage resolution must be a power of two in [4, 32], got 12"),
        Arguments.of(
            "fade-in alpha",
            (Bad)
                () ->
                    ((ProgressiveGenerator) TinyConfigs.progressive().generator(1))
                        .setStage(16, 1.5),
            "fade-in alpha must be in [0, 1], got 1.5"),
        Arguments.of(
            "unknown JSON key",
            (Bad) () -> TrainingConfig.fromJson("{\"batchsize\": 8}", SG2),
            "unknown key 'batchsize'; known keys are [model, batchSize"),
        Arguments.of(
            "unknown loss",
            (Bad) () -> TrainingConfig.fromJson("{\"loss\": \"wasserstein\"}", SG2),
            "TrainingConfig.loss: expected one of [NON_SATURATING, MINIMAX, WGAN_GP, HINGE,"
                + " LEAST_SQUARES], got wasserstein"),
        Arguments.of(
            "wrong JSON type",
            (Bad) () -> TrainingConfig.fromJson("{\"batchSize\": \"big\"}", SG2),
            "TrainingConfig.batchSize: expected int, got string big"),
        Arguments.of(
            "unknown family",
            (Bad) () -> TrainingConfig.fromJson("{\"model\": {\"family\": \"biggan\"}}", null),
            "model family must be one of [vanilla, dcgan, progressive, stylegan, stylegan2], got"
                + " 'biggan'"),
        Arguments.of(
            "weights of another family",
            (Bad)
                () -> {
                  Path f = file("dcgan.safetensors");
                  StateDict.save(TinyConfigs.dcgan().generator(1), f, Map.of());
                  StateDict.load(TinyConfigs.styleGan2().generator(1), f);
                },
            "missing keys: [mapping.fc0.bias"),
        Arguments.of(
            "weights of another shape",
            (Bad)
                () -> {
                  Path f = file("wide.safetensors");
                  StateDict.save(new VanillaConfig(8, 32, 2, 1, 32, 0).generator(1), f, Map.of());
                  StateDict.load(TinyConfigs.vanilla().generator(1), f);
                },
            "size mismatch: net.0.weight (checkpoint [32, 8], model [16, 8])"),
        Arguments.of(
            "stage batches",
            (Bad) () -> SG2.toBuilder().stageBatches(8, 8).build(),
            "stageBatches needs one batch size per stage resolution 4..32 (4 values), got 2"),
        Arguments.of(
            "seeded permutation of nothing",
            (Bad) () -> new Rng(1).nextInt(0),
            "bound must be positive, got 0"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void badInputIsRefusedWithAMessageNamingItAndTheAllowedValues(
      String name, Bad bad, String message) {
    Exception e = assertThrows(Exception.class, bad::run);
    assertTrue(
        e instanceof IllegalArgumentException
            || e instanceof IllegalStateException
            || e instanceof WeightFileException,
        name + ": unexpected exception type " + e);
    assertTrue(e.getMessage().contains(message), name + ": message was: " + e.getMessage());
  }
}
