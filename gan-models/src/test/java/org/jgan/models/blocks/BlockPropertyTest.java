package org.jgan.models.blocks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Map;
import org.jgan.core.kernels.DataFormat;
import org.jgan.core.kernels.Kernels;
import org.jgan.core.nn.Buffer;
import org.jgan.core.nn.Embedding;
import org.jgan.core.ops.Conv;
import org.jgan.core.optim.Adam;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.testing.TensorAssert;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Each block has the property its paper defines. */
class BlockPropertyTest {
  private static double variance(Tensor t) {
    return t.variance(false, false, allAxes(t)).item();
  }

  private static int[] allAxes(Tensor t) {
    int[] a = new int[t.rank()];
    for (int i = 0; i < a.length; i++) {
      a[i] = i;
    }
    return a;
  }

  @Test
  void equalizedLinearPreservesVarianceTimesTheActivationGain() {
    Rng rng = new Rng(1);
    Tensor x = rng.normal(DType.FLOAT32, 4096, 256);
    EqualizedLinear lin = new EqualizedLinear(256, 256, Act.LINEAR, rng);
    assertEquals(1.0, variance(lin.forward(x)), 0.05);
    // lrelu * sqrt(2): second moment preserved (E[lrelu(y)^2] * 2 = (1 + 0.04) / 2 * 2 = 1.04)
    EqualizedLinear act = new EqualizedLinear(256, 256, Act.LRELU, rng);
    assertEquals(1.04, act.forward(x).square().mean().item(), 0.05);
    EqualizedConv2d conv = new EqualizedConv2d(64, 64, 3, Act.LINEAR, rng);
    Tensor img = rng.normal(DType.FLOAT32, 16, 64, 16, 16);
    Tensor y = conv.forward(img).slice(2, 1, 15).slice(3, 1, 15); // interior: no zero padding
    assertEquals(1.0, variance(y), 0.05);
  }

  @Test
  void gainScaleScalesTheOutputWhereverTheGainIsApplied() {
    // act(conv(x) + b) * gain * s = s * (the same layer with s = 1), since leaky ReLU is
    // positively homogeneous: the gain rides in the weight (linear, no bias), in the leaky ReLU,
    // or in a multiplication (linear with bias), and each way must give the same scaling.
    Tensor x = new Rng(5).normal(DType.FLOAT32, 2, 3, 6, 6);
    double s = Math.sqrt(0.5);
    Object[][] cases = {{Act.LINEAR, false}, {Act.LRELU, true}, {Act.LINEAR, true}};
    for (Object[] c : cases) {
      for (Resample r : new Resample[] {Resample.NONE, Resample.DOWN, Resample.UP}) {
        Act act = (Act) c[0];
        boolean bias = (Boolean) c[1];
        EqualizedConv2d plain = new EqualizedConv2d(3, 4, 3, act, bias, 1.0, r, new Rng(6));
        EqualizedConv2d scaled = new EqualizedConv2d(3, 4, 3, act, bias, s, r, new Rng(6));
        if (bias) { // a non-zero bias, the same in both
          Tensor b = new Rng(7).normal(DType.FLOAT32, 4);
          plain.namedParameters().get("bias").copyFrom(b.data(), "bias");
          scaled.namedParameters().get("bias").copyFrom(b.data(), "bias");
        }
        TensorAssert.assertClose(
            plain.forward(x).mul(s), scaled.forward(x), 1e-5, act + " bias " + bias + " " + r);
      }
    }
  }

  @Test
  void modulationAndNoiseGainsScaleTheirOutput() {
    // SynthesisLayer folds the activation gain into these (lrelu(g z) = g lrelu(z) for g > 0), so
    // the gain arguments must scale the result exactly: demodulated, not demodulated, and noise.
    Rng rng = new Rng(8);
    Tensor x = rng.normal(DType.FLOAT32, 2, 3, 5, 5);
    Tensor w = rng.normal(DType.FLOAT32, 4, 3, 3, 3);
    Tensor s = rng.normal(DType.FLOAT32, 2, 3);
    double g = Math.sqrt(2);
    for (boolean demod : new boolean[] {true, false}) {
      TensorAssert.assertClose(
          Modulation.modulatedConv2d(x, w, s, demod, false).mul(g),
          Modulation.modulatedConv2d(x, w, s, demod, false, DataFormat.NCHW, g),
          1e-6,
          "modulation gain, demodulate " + demod);
    }
    NoiseInjection noise = new NoiseInjection(3, 5, rng);
    noise.strength().value().data().assign(0.6);
    Tensor zeros = Tensor.zeros(DType.FLOAT32, 2, 3, 5, 5);
    TensorAssert.assertClose(
        noise.forward(zeros, NoiseMode.CONST, null).mul(g),
        noise.forward(zeros, NoiseMode.CONST, null, DataFormat.NCHW, g),
        1e-6,
        "noise scale");
  }

  @Test
  void learningRateMultiplierScalesTheEffectiveStep() {
    // Same effective weights, lrMul 1 and 0.01: after one Adam step (update = lr * sign) the
    // effective weights move lrMul times as far.
    Rng rng = new Rng(2);
    Tensor x = rng.normal(DType.FLOAT32, 8, 16);
    double[] moved = new double[2];
    double[] muls = {1.0, 0.01};
    Tensor effective = rng.normal(DType.FLOAT32, 0, 0.25, 4, 16);
    for (int i = 0; i < 2; i++) {
      EqualizedLinear l = new EqualizedLinear(16, 4, Act.LINEAR, muls[i], 0.0, new Rng(3));
      double gain = muls[i] / 4.0; // lrMul / sqrt(16)
      l.loadStateDict(
          Map.of("weight", effective.div(gain), "bias", Tensor.zeros(DType.FLOAT32, 4)));
      Adam adam = new Adam(l.namedParameters(), 1e-3, 0.0, 0.99, 1e-8, 0);
      Tensor before = l.weight().value().mul(gain).mul(1.0);
      l.forward(x).square().sum().backward();
      adam.step();
      moved[i] = l.weight().value().mul(gain).sub(before).abs().mean().item();
    }
    assertEquals(0.01, moved[1] / moved[0], 1e-4);
  }

  @Test
  void pixelNormGivesUnitMeanSquareOverChannels() {
    Tensor x = new Rng(4).normal(DType.FLOAT32, 3.0, 5.0, 2, 7, 3, 3);
    TensorAssert.assertClose(
        Tensor.ones(DType.FLOAT32, 2, 3, 3),
        PixelNorm.apply(x).square().mean(false, 1),
        1e-5,
        "mean_C x^2");
  }

  @Test
  void minibatchStdDevHandComputedCase() {
    // N = 4, G = 2: groups {0, 2} and {1, 3}; one channel, one pixel.
    Tensor x = Tensor.of(new double[] {1, 10, 3, 14}, 4, 1, 1, 1);
    Tensor y = new MinibatchStdDev(2, 1).forward(x);
    // group {1, 3}: std = 1 (sqrt(1 + 1e-8)); group {10, 14}: std = 2
    double s0 = Math.sqrt(1 + 1e-8);
    double s1 = Math.sqrt(4 + 1e-8);
    TensorAssert.assertClose(
        Tensor.of(new double[] {1, s0, 10, s1, 3, s0, 14, s1}, 4, 2, 1, 1), y, 1e-15, "mbstd");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new MinibatchStdDev(4, 1).forward(Tensor.zeros(DType.FLOAT32, 6, 2, 1, 1)));
    assertTrue(
        e.getMessage().contains("batch 6 is not divisible by the group size 4"), e.getMessage());
    // a batch smaller than the group size uses the whole batch as one group
    assertEquals(
        2, new MinibatchStdDev(4, 1).forward(Tensor.zeros(DType.FLOAT32, 2, 1, 2, 2)).size(1));
  }

  @Test
  void minibatchStdDevByLabelIsTheStatisticOverEachLabelsSamples() {
    // labels 0, 1, 0, 1 put the samples in the groups {0, 2} and {1, 3} of a group size of 2
    Rng rng = new Rng(8);
    Tensor x = rng.normal(DType.FLOAT64, 4, 4, 3, 3);
    MinibatchStdDev two = new MinibatchStdDev(2, 2);
    TensorAssert.assertClose(
        two.forward(x), two.forward(x, new int[] {0, 1, 0, 1}), 1e-14, "as groups of 2");
    // one label for the whole batch: one group of the whole batch
    TensorAssert.assertClose(
        new MinibatchStdDev(4, 2).forward(x),
        two.forward(x, new int[] {3, 3, 3, 3}),
        1e-14,
        "one group");
    // hand-computed: labels 5, 5, 7 on one channel of one pixel: {1, 3} has std 1; 7 is alone
    Tensor y =
        new MinibatchStdDev(4, 1)
            .forward(Tensor.of(new double[] {1, 3, 9}, 3, 1, 1, 1), new int[] {5, 5, 7});
    double s = Math.sqrt(1 + 1e-8);
    TensorAssert.assertClose(
        Tensor.of(new double[] {1, s, 3, s, 9, 1e-4}, 3, 2, 1, 1), y, 1e-15, "by label");
    // permuting the samples with their labels permutes the output; the batch need not divide
    int[] labels = {2, 0, 2, 1, 0};
    int[] perm = {4, 2, 0, 3, 1};
    Tensor x5 = rng.normal(DType.FLOAT64, 5, 2, 2, 2);
    int[] permLabels = new int[5];
    Tensor[] rows = new Tensor[5];
    for (int i = 0; i < 5; i++) {
      permLabels[i] = labels[perm[i]];
      rows[i] = x5.slice(0, perm[i], perm[i] + 1);
    }
    Tensor out = new MinibatchStdDev(4, 1).forward(x5, labels);
    Tensor outPerm = new MinibatchStdDev(4, 1).forward(Tensor.concat(0, rows), permLabels);
    for (int i = 0; i < 5; i++) {
      TensorAssert.assertClose(
          out.slice(0, perm[i], perm[i] + 1), outPerm.slice(0, i, i + 1), 1e-14, "row " + i);
    }
    assertThrows(
        IllegalArgumentException.class,
        () -> new MinibatchStdDev(4, 1).forward(x5, new int[] {0, 1}));
  }

  @Test
  void noiseIsIdentityAtInitAndConstModeRepeats() {
    Rng rng = new Rng(5);
    Tensor x = rng.normal(DType.FLOAT32, 2, 3, 4, 4);
    for (int channels : new int[] {0, 3}) {
      NoiseInjection noise = new NoiseInjection(channels, 4, rng);
      TensorAssert.assertClose(
          x, noise.forward(x, NoiseMode.RANDOM, new Rng(9)), 0, "identity at init");
      noise.loadStateDict(
          Map.of(
              "strength",
              channels == 0 ? Tensor.full(DType.FLOAT32, 0.5) : Tensor.full(DType.FLOAT32, 0.5, 3),
              "noise_const",
              rng.normal(DType.FLOAT32, 4, 4)));
      TensorAssert.assertClose(
          noise.forward(x, NoiseMode.CONST, null),
          noise.forward(x, NoiseMode.CONST, null),
          0,
          "const repeats");
      assertTrue(
          noise
                  .forward(x, NoiseMode.RANDOM, new Rng(1))
                  .sub(noise.forward(x, NoiseMode.RANDOM, new Rng(2)))
                  .abs()
                  .sum()
                  .item()
              > 1);
      TensorAssert.assertClose(x, noise.forward(x, NoiseMode.NONE, null), 0, "none");
    }
  }

  @Test
  void swappedInConstantNoiseGivesEachImageItsOwnMap() {
    Rng rng = new Rng(12);
    NoiseInjection noise = new NoiseInjection(0, 4, rng);
    noise.strength().value().data().assign(1.0);
    Buffer b = noise.namedBuffers().get("noise_const");
    Tensor maps = rng.normal(DType.FLOAT32, 2, 4, 4);
    INDArray own = b.swap(Kernels.copy(maps.data()));
    try {
      for (DataFormat f : DataFormat.values()) {
        Tensor zeros = Tensor.zeros(DType.FLOAT32, f.shape(2, 3, 4, 4));
        Tensor out = noise.forward(zeros, NoiseMode.CONST, null, f);
        Tensor nchw = f == DataFormat.NHWC ? out.permute(0, 3, 1, 2) : out;
        for (int i = 0; i < 2; i++) { // every channel of image i carries map i
          for (int c = 0; c < 3; c++) {
            TensorAssert.assertClose(
                maps.slice(0, i, i + 1).reshape(4, 4),
                nchw.slice(0, i, i + 1).slice(1, c, c + 1).reshape(4, 4),
                0,
                f + " image " + i + " channel " + c);
          }
        }
      }
      Tensor three = Tensor.zeros(DType.FLOAT32, 3, 3, 4, 4);
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class, () -> noise.forward(three, NoiseMode.CONST, null));
      assertTrue(e.getMessage().contains("2 constant noise maps for a batch of 3"), e.getMessage());
    } finally {
      Kernels.free(b.swap(own));
    }
    assertArrayEquals(new long[] {4, 4}, b.shape());
  }

  @Test
  void adaInSetsEachChannelsMeanAndStdToTheStyle() {
    Rng rng = new Rng(6);
    Tensor x = rng.normal(DType.FLOAT64, 2.0, 3.0, 2, 3, 8, 8);
    Tensor ys = rng.normal(DType.FLOAT64, 2, 3);
    Tensor yb = rng.normal(DType.FLOAT64, 2, 3);
    Tensor y = AdaIn.apply(x, ys, yb);
    TensorAssert.assertClose(yb, y.mean(false, 2, 3), 1e-12, "channel means");
    TensorAssert.assertClose(
        ys.add(1.0).abs(), y.variance(false, false, 2, 3).sqrt(), 1e-6, "channel stds");
  }

  @Test
  void demodulationGivesUnitVarianceOutputsAndBothFormsAgree() {
    Rng rng = new Rng(7);
    Tensor x = rng.normal(DType.FLOAT32, 16, 32, 32, 32);
    Tensor w = rng.normal(DType.FLOAT32, 16, 32, 3, 3);
    Tensor s = rng.normal(DType.FLOAT32, 1.0, 0.5, 16, 32);
    Tensor y = Modulation.modulatedConv2d(x, w, s, true, false);
    Tensor interior = y.slice(2, 1, 31).slice(3, 1, 31);
    Tensor perChannel = interior.square().mean(false, 0, 2, 3); // E y^2 per output channel
    double worst = perChannel.sub(1.0).abs().data().maxNumber().doubleValue();
    assertTrue(
        worst < 0.1, "demodulated channel second moments should be 1, worst deviation " + worst);
    TensorAssert.assertClose(
        Modulation.fusedReference(x, w, s, true), y, 1e-5, "fused vs non-fused (demod)");
    TensorAssert.assertClose(
        Modulation.fusedReference(x, w, s, false),
        Modulation.modulatedConv2d(x, w, s, false, false),
        1e-5,
        "fused vs non-fused");
  }

  @Test
  void upConvIsZeroInterleavingThenCorrelationThenFir() {
    Rng rng = new Rng(8);
    Tensor x = rng.normal(DType.FLOAT64, 2, 3, 4, 4);
    Tensor w = rng.normal(DType.FLOAT64, 5, 3, 3, 3);
    // independent formulation: interleave zeros (u[2i] = x[i], size 2H), correlate with w padded
    // by k - 1 = 2 on the left (the alignment of the transposed convolution), then FIR pad (1, 1)
    Tensor u = Tensor.stack(4, x, Tensor.zeros(DType.FLOAT64, 2, 3, 4, 4)).reshape(2, 3, 4, 8);
    u = Tensor.stack(3, u, Tensor.zeros(DType.FLOAT64, 2, 3, 4, 8)).reshape(2, 3, 8, 8);
    Tensor corr = Conv.conv2d(u.pad(2, 2, 1).pad(3, 2, 1), w, null, 1, 0); // [2,5,9,9]
    Tensor expected = Fir.STYLEGAN2.filter(corr, 1, 1, 4.0);
    TensorAssert.assertClose(expected, Modulation.convUp(x, w, Fir.STYLEGAN2), 1e-12, "up conv");
  }

  @Test
  void firKeepsConstantsAndMatchesHandComputedCases() {
    Tensor ones = Tensor.ones(DType.FLOAT64, 1, 2, 8, 8);
    Tensor up = Fir.STYLEGAN2.upsample2d(ones).slice(2, 1, 15).slice(3, 1, 15);
    TensorAssert.assertClose(
        Tensor.ones(DType.FLOAT64, 1, 2, 14, 14), up, 1e-12, "up: DC gain 1 inside");
    Tensor down = Fir.STYLEGAN2.downsample2d(ones).slice(2, 1, 3).slice(3, 1, 3);
    TensorAssert.assertClose(
        Tensor.ones(DType.FLOAT64, 1, 2, 2, 2), down, 1e-12, "down: DC gain 1 inside");
    // a single pixel of 1 up-sampled: 4 f[1..2, 1..2] = 4 * 9/64 everywhere in the 2x2 output
    TensorAssert.assertClose(
        Tensor.full(DType.FLOAT64, 0.5625, 1, 1, 2, 2),
        Fir.STYLEGAN2.upsample2d(Tensor.ones(DType.FLOAT64, 1, 1, 1, 1)),
        1e-15,
        "up 1x1");
    // 2x2 ones down-sampled: f[1..2, 1..2] summed = 4 * 9/64
    TensorAssert.assertClose(
        Tensor.full(DType.FLOAT64, 0.5625, 1, 1, 1, 1),
        Fir.STYLEGAN2.downsample2d(Tensor.ones(DType.FLOAT64, 1, 1, 2, 2)),
        1e-15,
        "down 2x2");
    // StyleGAN's [1, 2, 1] also keeps constants
    Tensor blur = Fir.STYLEGAN.filter(ones, 1, 1, 1.0).slice(2, 1, 7).slice(3, 1, 7);
    TensorAssert.assertClose(Tensor.ones(DType.FLOAT64, 1, 2, 6, 6), blur, 1e-12, "blur");
    TensorAssert.assertClose(
        Tensor.ones(DType.FLOAT64, 1, 2, 14, 14),
        Fir.STYLEGAN.upsample2d(ones).slice(2, 1, 15).slice(3, 1, 15),
        1e-12,
        "3-tap up");
  }

  @Test
  void mappingTruncationAndLabels() {
    Rng rng = new Rng(9);
    MappingNetwork m = new MappingNetwork(16, 3, 16, 4, 3, 0.01, 0.995, rng);
    Tensor z = rng.normal(DType.FLOAT32, 5, 16);
    int[] labels = {0, 1, 2, 0, 1};
    for (int i = 0; i < 20; i++) {
      m.forward(rng.normal(DType.FLOAT32, 5, 16), labels, 1.0, -1, true); // track w_avg
    }
    Tensor ws = m.forward(z, labels, 1.0, -1, false);
    assertEquals(4, ws.size(1));
    Tensor avg = m.wAvg().reshape(1, 1, 16).expand(5, 4, 16);
    TensorAssert.assertClose(
        avg, m.forward(z, labels, 0.0, -1, false), 1e-6, "psi = 0 gives w_avg");
    TensorAssert.assertClose(ws, m.forward(z, labels, 1.0, 2, false), 0, "psi = 1 is the identity");
    Tensor cut = m.forward(z, labels, 0.0, 2, false);
    TensorAssert.assertClose(
        avg.slice(1, 0, 2), cut.slice(1, 0, 2), 1e-6, "truncated before the cutoff");
    TensorAssert.assertClose(
        ws.slice(1, 2, 4), cut.slice(1, 2, 4), 0, "untouched after the cutoff");
    Tensor other = m.forward(z, new int[] {1, 2, 0, 1, 2}, 1.0, -1, false);
    assertTrue(other.sub(ws).abs().sum().item() > 1e-3, "the label changes w");
    assertFalse(m.wAvg().abs().sum().item() == 0, "w_avg tracked");
  }

  @Test
  void truncationTowardsClassCentresKeepsEachSampleInItsClass() {
    Rng rng = new Rng(9);
    MappingNetwork m = new MappingNetwork(16, 3, 16, 4, 3, 0.01, 0.995, rng);
    Tensor z = rng.normal(DType.FLOAT64, 5, 16);
    m.to(DType.FLOAT64);
    int[] labels = {0, 1, 2, 0, 1};
    // each class's centre by hand: the mean w of that class over the fixed draw of latents
    Tensor draw = new Rng(0x63656e747265L).normal(DType.FLOAT64, MappingNetwork.CENTRE_SAMPLES, 16);
    Tensor[] byHand = new Tensor[3];
    for (int c = 0; c < 3; c++) {
      int[] same = new int[MappingNetwork.CENTRE_SAMPLES];
      Arrays.fill(same, c);
      byHand[c] = m.forward(draw, same, 1.0, -1, false).slice(1, 0, 1).mean(false, 0); // [1, 16]
    }
    Tensor centres = m.classCentres(labels);
    for (int i = 0; i < labels.length; i++) {
      TensorAssert.assertClose(byHand[labels[i]], centres.slice(0, i, i + 1), 1e-12, "centre " + i);
    }
    Tensor ws = m.forward(z, labels, 1.0, -1, false);
    TensorAssert.assertClose(
        ws, m.forward(z, labels, 1.0, -1, false, true), 0, "psi = 1 is the identity");
    Tensor half = m.forward(z, labels, 0.5, 2, false, true);
    Tensor c3 = centres.unsqueeze(1).expand(5, 2, 16);
    TensorAssert.assertClose(
        c3.add(ws.slice(1, 0, 2).sub(c3).mul(0.5)),
        half.slice(1, 0, 2),
        1e-12,
        "w' = centre + psi (w - centre) before the cutoff");
    TensorAssert.assertClose(ws.slice(1, 2, 4), half.slice(1, 2, 4), 0, "untouched after it");
    // psi = 0: every sample of a class is its class's centre, and the classes stay apart
    Tensor zero = m.forward(z, labels, 0.0, -1, false, true);
    TensorAssert.assertClose(zero.slice(0, 0, 1), zero.slice(0, 3, 4), 0, "class 0 twice");
    assertTrue(zero.slice(0, 0, 1).sub(zero.slice(0, 1, 2)).abs().sum().item() > 1e-3);
    MappingNetwork plain = new MappingNetwork(16, 0, 16, 4, 3, 0.01, 0.995, rng);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> plain.forward(rng.normal(DType.FLOAT32, 2, 16), null, 0.7, -1, false, true));
    assertTrue(e.getMessage().contains("needs a conditional network"), e.getMessage());
    IllegalArgumentException outside =
        assertThrows(IllegalArgumentException.class, () -> m.classCentres(new int[] {0, 3}));
    assertTrue(
        outside.getMessage().contains("label 3 at 1 is outside [0, 3)"), outside.getMessage());
  }

  @Test
  void projectionHeadIsTheScaledInnerProductWithTheLabelEmbedding() {
    Rng rng = new Rng(10);
    ProjectionHead head = new ProjectionHead(6, 4, 8, 2, 0.01, rng);
    Tensor h = rng.normal(DType.FLOAT32, 3, 6);
    int[] labels = {0, 3, 1};
    Tensor out = head.forward(h, labels);
    EqualizedLinear proj = (EqualizedLinear) head.children().get("out");
    Tensor expected = proj.forward(h).mul(head.embed(labels)).sum(true, 1).div(Math.sqrt(8));
    TensorAssert.assertClose(expected, out, 1e-6, "projection");
    Tensor changed = head.forward(h, new int[] {1, 0, 2});
    assertTrue(changed.sub(out).abs().sum().item() > 1e-4, "the label changes the logit");
    assertEquals(4, Embedding.oneHot(labels, 4, DType.FLOAT32).size(1));
  }
}
