package org.jgan.train.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jgan.core.autograd.GradMode;
import org.jgan.core.io.Json;
import org.jgan.core.io.SafeTensors;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.tensor.TensorScope;
import org.jgan.core.testing.TensorAssert;
import org.jgan.models.Generator;
import org.jgan.models.Sampling;
import org.jgan.models.dcgan.DcganConfig;
import org.jgan.train.data.FashionMnist;
import org.jgan.train.data.ImageDataset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The FID Inception against its PyTorch twin ({@code inception_twin.py} in the test resources:
 * torchvision 0.14's Inception-v3 blocks with the FID variants of the pooling branches, in
 * float64), with weights that both sides make from the same integer generator: the state-dict names
 * and shapes, pool3 features of a grey 28x28, an RGB 64x64 and an RGB 320x320 image, and the FID
 * and KID of two sets of 48 images computed with numpy and scipy.
 */
@Tag("slow")
class InceptionTest {
  private static SafeTensors.Contents golden;
  private static Inception net;

  @BeforeAll
  static void setUp() throws IOException {
    try (InputStream in = InceptionTest.class.getResourceAsStream("inception_golden.safetensors")) {
      golden = SafeTensors.read(in.readAllBytes(), "inception_golden.safetensors");
    }
    net = twinWeights(new Inception("twin weights"));
  }

  private static final long MASK_SEED = 0xCBF29CE484222325L;

  /** FNV-1a of the UTF-8 name, as the twin seeds each tensor. */
  static long fnv1a(String text) {
    long h = MASK_SEED;
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ (b & 0xFF)) * 0x100000001B3L;
    }
    return h;
  }

  /** The twin's generator: values in [-1, 1), multiples of 2^-23. */
  static double[] uniform(long seed, int n) {
    double[] out = new double[n];
    long s = seed;
    for (int i = 0; i < n; i++) {
      s = s * 6364136223846793005L + 1442695040888963407L;
      out[i] = (s >>> 40) / (double) (1 << 23) - 1.0;
    }
    return out;
  }

  static Inception twinWeights(Inception net) {
    Map<String, Tensor> state = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : net.stateDict().entrySet()) {
      String name = e.getKey();
      long[] shape = e.getValue().shape();
      int n = (int) e.getValue().numel();
      double[] u = uniform(fnv1a(name), n);
      float[] v = new float[n];
      double fanIn = n / (double) shape[0];
      for (int i = 0; i < n; i++) {
        double x;
        if (name.endsWith("conv.weight")) {
          x = u[i] * Math.sqrt(6.0 / fanIn);
        } else if (name.endsWith("bn.weight")) {
          x = 1.0 + 0.1 * u[i];
        } else if (name.endsWith("bn.running_var")) {
          x = 1.0 + 0.25 * (u[i] + 1.0);
        } else {
          x = 0.1 * u[i];
        }
        v[i] = (float) x;
      }
      state.put(name, Tensor.of(v, shape));
    }
    net.loadStateDict(state);
    return net;
  }

  static Tensor image(long seed, int c, int h, int w) {
    double[] u = uniform(seed, c * h * w);
    float[] v = new float[u.length];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) u[i];
    }
    return Tensor.of(v, 1, c, h, w);
  }

  /**
   * Set 0: noise; set 1: noise at half strength over a horizontal ramp (as the twin makes them).
   */
  static Tensor set(int which, int count) {
    List<Tensor> out = new ArrayList<>();
    for (int k = 0; k < count; k++) {
      Tensor x = image(1000L * which + k, 3, 32, 32);
      if (which == 1) {
        float[] v = x.toFloatArray();
        for (int i = 0; i < v.length; i++) {
          float ramp = (float) (-0.5 + (i % 32) / 31.0);
          v[i] = 0.5f * v[i] + ramp;
        }
        x = Tensor.of(v, 1, 3, 32, 32);
      }
      out.add(x);
    }
    return Tensor.concat(0, out.toArray(new Tensor[0]));
  }

  @Test
  void stateDictNamesAndShapesAreTorchvisions() {
    @SuppressWarnings("unchecked")
    Map<String, Object> names = (Map<String, Object>) Json.parse(golden.metadata().get("names"));
    Map<String, Tensor> mine = net.stateDict();
    assertEquals(new ArrayList<>(names.keySet()).size(), mine.size());
    for (Map.Entry<String, Object> e : names.entrySet()) {
      Tensor t = mine.get(e.getKey());
      assertTrue(t != null, "missing " + e.getKey());
      long[] shape =
          ((List<?>) e.getValue()).stream().mapToLong(o -> ((Number) o).longValue()).toArray();
      assertArrayEquals(shape, t.shape(), e.getKey());
    }
  }

  @Test
  void pool3FeaturesMatchTheTwin() {
    double[] want = golden.tensors().get("features").toDoubleArray();
    Tensor[] images = {image(1, 1, 28, 28), image(2, 3, 64, 64), image(3, 3, 320, 320)};
    double[][] got = new double[3][];
    try (GradMode.Guard off = GradMode.disabled();
        TensorScope s = TensorScope.open()) {
      for (int i = 0; i < 3; i++) {
        got[i] = net.features(images[i]).toDoubleArray();
        assertEquals(Inception.FEATURES, got[i].length);
      }
    }
    int d = Inception.FEATURES;
    for (int i = 0; i < 3; i++) {
      double[] w = Arrays.copyOfRange(want, i * d, (i + 1) * d);
      double err = TensorAssert.relativeError(got[i], w);
      assertTrue(err < 1e-4, "image " + i + ": relative error " + err);
    }
    // the features of different images differ by ~10%; their differences must agree too
    for (int i = 1; i < 3; i++) {
      double[] dg = new double[d];
      double[] dw = new double[d];
      for (int j = 0; j < d; j++) {
        dg[j] = got[i][j] - got[0][j];
        dw[j] = want[i * d + j] - want[j];
      }
      double err = TensorAssert.relativeError(dg, dw);
      assertTrue(err < 1e-3, "difference of image " + i + " from image 0: relative error " + err);
    }
  }

  @Test
  void fidAndKidMatchNumpyAndScipy() {
    Tensor a = set(0, 48);
    Tensor b = set(1, 48);
    double[][] fa = inBatches(a);
    double[][] fb = inBatches(b);
    double fid = FeatureStats.frechet(fa, fb);
    double kid = FeatureStats.kid(fa, fb, 1, 0); // one subset of all 48: no sampling
    double wantFid = golden.tensors().get("fid").toDoubleArray()[0];
    double wantKid = golden.tensors().get("kid").toDoubleArray()[0];
    assertEquals(wantFid, fid, 1e-3 * wantFid, "FID");
    assertEquals(wantKid, kid, 1e-3 * Math.abs(wantKid), "KID");
  }

  /** Features of 48 images in two batches of 24 (the batch the other test uses too). */
  private static double[][] inBatches(Tensor images) {
    int[] at = {0};
    return net.featuresOf(
        k -> {
          Tensor t = images.slice(0, at[0], at[0] + k);
          at[0] += k;
          return t;
        },
        48,
        24);
  }

  @Test
  void aGeneratorIsMeasuredInInceptionSpace() {
    ImageDataset real = FashionMnist.embeddedTest();
    // a "generator" whose samples are real test images, read from the end of the split
    Generator g =
        new Generator(new DcganConfig(4, 1, 28, 4, 4, 0)) {
          private int next = real.size() - 1;

          @Override
          public Tensor forward(Tensor z, int[] labels, Sampling sampling) {
            int[] idx = new int[(int) z.size(0)];
            for (int i = 0; i < idx.length; i++) {
              idx[i] = next--;
            }
            return real.batch(idx, null, DType.FLOAT32).x();
          }
        };
    Metrics.Report r = Metrics.evaluate(net, g, real, 24, 5); // one batch of 24 on each side
    assertEquals(24, r.samples());
    assertEquals("inception-v3 pool3 (2048 features, twin weights)", r.featureSpace());
    assertTrue(r.fd() > 0 && Double.isFinite(r.kidTimes1000()), r.toString());
    assertEquals(null, net.cannotMeasure(new long[] {3, 64, 64}, "emoji"));
    assertTrue(net.cannotMeasure(new long[] {4, 64, 64}, "rgba").contains("4x64x64"));
  }

  @Test
  void quantisationKeepsEightBitImages() {
    double[] pixels = {0, 1, 127, 128, 254, 255};
    double[] x = new double[pixels.length];
    for (int i = 0; i < x.length; i++) {
      x[i] = pixels[i] / 127.5 - 1;
    }
    Tensor t = Tensor.of(x, 1, 1, 2, 3).to(DType.FLOAT32);
    assertArrayEquals(t.toDoubleArray(), Inception.quantized(t).toDoubleArray(), 1e-6);
    Tensor out = Tensor.of(new double[] {-2, 2, 0.001}, 1, 1, 1, 3);
    assertArrayEquals(
        new double[] {-1, 1, 0.5 / 127.5}, Inception.quantized(out).toDoubleArray(), 1e-12);
  }
}
