package org.jgan.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.jgan.core.autograd.Autograd;
import org.jgan.core.autograd.GradMode;
import org.jgan.core.kernels.Backend;
import org.jgan.core.kernels.Engine;
import org.jgan.core.nn.Module;
import org.jgan.core.nn.Parameter;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.tensor.TensorScope;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Every preset of every family computes in float32 on the fast paths (oneDNN's Winograd and direct
 * convolutions, in-place updates, the pooled buffers) what it computes in float64 on libnd4j's
 * reference kernels: the images (with and without a graph), the logits, the gradient penalty's
 * input gradient where the family trains with one, and the gradient of every parameter of both
 * networks, each to 1e-4 of its largest value. A kernel library's float32 result is not taken on
 * trust: libtorch 2.7.1's oneDNN kernels return wrong values for some shapes on this machine (issue
 * 18). Presets with 512 channels run at 16x16 (their channel counts there are those of their full
 * size's low resolutions); the others at their own size or 32x32.
 */
@Tag("slow")
class FastPathsTest {
  /** Relative agreement with float64 that every result must reach on the direct fast paths... */
  private static final double TOL = 1e-4;

  /**
   * ...and 2e-3 with Winograd's convolutions, whose transforms round more than a direct sum (about
   * 3e-6 of a convolution's largest output); through a deep network the difference grows, and where
   * an activation sits near a leaky ReLU's kink a rounding difference may flip it. Largest
   * measured: StyleGAN's paper preset at 16x16, where the gradients of a 512x512 3x3 weight and of
   * a bias are off by 6.3e-4 and 1.0e-3 with Winograd, by 5e-6 and 7e-6 on the direct kernels.
   * Wrong kernels are off by far more (libtorch's, issue 18: 10-90%).
   */
  private static final double WINOGRAD_TOL = 2e-3;

  /**
   * ...unless float32 itself cannot (deep networks, gradients that cancel to zero): then the fast
   * paths may be off by at most this multiple of float32's error on the reference kernels.
   */
  private static final double SLACK = 2;

  /**
   * Two images: the minibatch statistic still has a group to measure, and the networks have half
   * the activations of four, so float32 rounding crosses a leaky ReLU's kink half as often (see
   * {@link #SEEDS}); the float64 reference kernels, most of the check's time, run half as long.
   */
  private static final int BATCH = 2;

  static Stream<Arguments> presets() {
    List<Arguments> all = new ArrayList<>();
    for (Family f : Family.values()) {
      for (String p : f.presets()) {
        ModelConfig c = f.preset(p, 1, 32);
        if (f != Family.DCGAN && (isWide(p) || c.resolution() > 32)) {
          c = shrink(c, 16);
        }
        all.add(Arguments.of(f + " " + p, c));
      }
    }
    all.add(
        Arguments.of(
            "stylegan2 cpu32 conditional", Family.STYLEGAN2.preset(null, 1, 32).withLabels(10)));
    return all.stream();
  }

  /** The presets with 512 channels at low resolutions. */
  private static boolean isWide(String preset) {
    return preset.startsWith("paper") || preset.equals("cifar");
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static ModelConfig shrink(ModelConfig c, int resolution) {
    return (ModelConfig) ModelConfigs.atResolution((Record & ChannelSchedule) c, resolution);
  }

  /**
   * The draws tried in turn. A leaky ReLU whose float32 input lies within rounding of its kink
   * takes the other slope than in float64 and moves a gradient by up to about 1e-2 of its largest
   * value; with about a million activations per preset that happens in some draws (measured with
   * the draw of seed 4: 4 of the 12 presets before issue 18's fused activation changed float32's
   * rounding, 1 after; seed 3: 0 before, 2 after). A wrong kernel fails every draw, so a preset
   * passes when one draw agrees everywhere. On one machine (2026-12-07, CI of 02bad08) the three
   * draws 3-5 all failed for the progressive and StyleGAN {@code paper} discriminators (penalty's
   * input gradient off by 3e-3 to 1.2e-2, a 512-channel weight gradient by 7e-3), and passed on the
   * next run with seven draws: seven are tried. At batch 2 (2026-12-07) the first draw passes for
   * 11 of the 12 presets; StyleGAN's cpu32 needs the second (draw 3: the gradient of a bias that
   * instance normalisation cancels, 0 in float64, is float32 noise 0.13 on the fast paths against
   * 0.06 on the reference kernels), and the whole check takes 65 s instead of 224 s at batch 4.
   */
  private static final long[] SEEDS = {3, 4, 5, 6, 7, 8, 9};

  @ParameterizedTest(name = "{0}")
  @MethodSource("presets")
  void float32FastPathsAreAsAccurateAsTheReferenceKernels(String name, ModelConfig config) {
    AssertionError first = null;
    for (long seed : SEEDS) {
      try {
        check(name + " (seed " + seed + ")", config, seed);
        return;
      } catch (AssertionError e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    throw first;
  }

  private static void check(String name, ModelConfig config, long seed) {
    int[] labels = config.labelCount() > 0 ? Arrays.copyOf(new int[] {3, 7, 1, 0}, BATCH) : null;
    Backend reference = Backend.cpu().withWinograd(false).withOneDnn(false).withInPlace(false);
    List<Tensor> exact;
    try (Engine e = Engine.start(reference)) {
      exact = run(config, DType.FLOAT64, labels, seed);
    }
    List<Tensor> direct;
    try (Engine e = Engine.start(Backend.cpu().withWinograd(false))) {
      direct = run(config, DType.FLOAT32, labels, seed);
      assertTrue(
          config.family() == Family.VANILLA || e.stats().oneDnnCalls() > 0,
          name + ": no convolution ran on oneDNN's direct kernels");
    }
    List<Tensor> all;
    try (Engine e = Engine.start(Backend.cpu())) {
      all = run(config, DType.FLOAT32, labels, seed);
    }
    // float32 on the reference kernels, only for a result that misses its bound (SLACK).
    Supplier<List<Tensor>> ref32 =
        new Supplier<>() {
          private List<Tensor> value;

          @Override
          public List<Tensor> get() {
            if (value == null) {
              try (Engine e = Engine.start(reference)) {
                value = run(config, DType.FLOAT32, labels, seed);
              }
            }
            return value;
          }
        };
    compare(name + ", direct fast paths", exact, ref32, direct, TOL);
    compare(name + ", every fast path", exact, ref32, all, WINOGRAD_TOL);
  }

  private static void compare(
      String name,
      List<Tensor> exact,
      Supplier<List<Tensor>> ref32,
      List<Tensor> fast,
      double tol) {
    assertEquals(exact.size(), fast.size());
    for (int i = 0; i < fast.size(); i++) {
      String what = name + ": " + (i < NAMES.length ? NAMES[i] : "gradient " + (i - NAMES.length));
      if (exact.get(i) == null) {
        assertNull(fast.get(i), what + " reached in float32 only");
        continue;
      }
      INDArray e = exact.get(i).data();
      double scale = e.amaxNumber().doubleValue();
      double errFast = e.sub(fast.get(i).data()).amaxNumber().doubleValue();
      if (errFast <= tol * scale) {
        continue;
      }
      double errRef = e.sub(ref32.get().get(i).data()).amaxNumber().doubleValue();
      assertTrue(
          errFast <= SLACK * errRef,
          String.format(
              Locale.ROOT,
              "%s %s: fast paths off by %.2e of the largest value %.2e, float32 on the reference"
                  + " kernels by %.2e",
              what,
              Arrays.toString(e.shape()),
              errFast / scale,
              scale,
              errRef / scale));
    }
  }

  private static final String[] NAMES = {
    "images without a graph", "images", "logits", "penalty's input gradient"
  };

  /**
   * {images without a graph, images, logits, the input gradient of the penalty (or null), the
   * gradient of every G then D parameter} as float64. The generator's gradients come from a fixed
   * random cotangent on its images and the discriminator runs on fixed random images, not on the
   * generator's: a piecewise-linear network's gradient jumps where an activation changes sign, so
   * images that differ by float32 rounding may flip a leaky ReLU and move a gradient by far more
   * than the rounding (measured: 0.5% of the progressive GAN's penalty gradient).
   */
  private static List<Tensor> run(ModelConfig config, DType type, int[] labels, long seed) {
    Generator g = config.generator(1);
    Discriminator d = config.discriminator(2);
    g.to(type);
    d.to(type);
    if (g instanceof Progressive p && p.isProgressive()) {
      p.stage().set(config.resolution(), 0.4); // the fade-in's blend too
      ((Progressive) d).stage().set(config.resolution(), 0.4);
    }
    Rng rng = new Rng(seed);
    List<Tensor> out = new ArrayList<>();
    try (TensorScope s = TensorScope.open()) {
      Tensor z = cast(g.sampleLatents(BATCH, rng), type);
      Tensor free;
      try (GradMode.Guard off = GradMode.disabled()) {
        free = g.forward(z, labels, Sampling.fixed(1.0));
      }
      Tensor img = g.forward(z, labels, Sampling.fixed(1.0));
      Tensor r = cast(rng.normal(DType.FLOAT64, img.shape()), type);
      List<Tensor> gradsG = Autograd.grad(List.of(img.mul(r).sum()), values(g), null, false);

      Tensor x =
          Tensor.leaf(cast(rng.uniform(DType.FLOAT64, -1, 1, img.shape()), type).data(), true);
      Tensor logits = d.forward(x, labels);
      boolean penalty = config.family() != Family.VANILLA && config.family() != Family.DCGAN;
      Tensor gx = penalty ? Autograd.grad(logits.sum(), x, true) : null;
      Tensor loss = logits.softplus().sum();
      if (gx != null) {
        loss = loss.add(gx.square().sum());
      }
      List<Tensor> gradsD = Autograd.grad(List.of(loss), values(d), null, false);
      List<Tensor> all = new ArrayList<>(List.of(free, img, logits));
      all.add(gx);
      all.addAll(gradsG);
      all.addAll(gradsD);
      for (Tensor t : all) {
        out.add(t == null ? null : Tensor.of(t.data().castTo(DType.FLOAT64.nd4j()).dup()));
      }
    }
    assertTrue(out.size() > 4, "parameters were compared");
    return out;
  }

  private static Tensor cast(Tensor t, DType type) {
    return Tensor.of(t.data().castTo(type.nd4j()));
  }

  private static List<Tensor> values(Module m) {
    List<Tensor> v = new ArrayList<>();
    for (Parameter p : m.namedParameters().values()) {
      v.add(p.value());
    }
    return v;
  }
}
