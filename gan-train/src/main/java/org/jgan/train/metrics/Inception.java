package org.jgan.train.metrics;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.jgan.core.autograd.GradMode;
import org.jgan.core.io.WeightFileException;
import org.jgan.core.io.torch.TorchFiles;
import org.jgan.core.kernels.Shapes;
import org.jgan.core.nn.Buffer;
import org.jgan.core.nn.Functional;
import org.jgan.core.nn.Module;
import org.jgan.core.nn.Parameter;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.tensor.TensorScope;
import org.jgan.models.blocks.Fir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The feature network of the FID that papers report: Inception-v3 (Szegedy et al. 2016) in the
 * variant of the TensorFlow graph {@code 2015-12-05} that Heusel et al. used, as pytorch-fid ports
 * it ({@code pt_inception-2015-12-05-6726825d.pth}, whose state-dict names this module uses), read
 * out at the 2048-d average pool ("pool3").
 *
 * <p>Input: images {@code [N, C, H, W]} in [-1, 1], one or three channels, any size. A grey image
 * is repeated to three channels; the images are resized to 299x299 by bilinear interpolation
 * ({@code align_corners=False}, no antialiasing, as pytorch-fid's {@code F.interpolate}) and scaled
 * to [-1, 1] again ({@code 2 x - 1} of the [0, 1] image). {@link #measure}, what the metrics use,
 * first rounds the images to 8 bits, as stylegan2-ada-pytorch does before it measures, so that
 * generated images and dataset images are measured alike.
 *
 * <p>Blocks: {@code BasicConv2d} is a convolution without bias, batch normalisation with eps 0.001
 * in evaluation mode (folded into the convolution here) and ReLU. The FID variant differs from
 * torchvision's Inception-v3 in three places: the pooling branches of blocks A, C and the first E
 * average without counting the zero padding, and the second E block max-pools its pooling branch.
 */
public final class Inception extends Module implements FeatureSpace {
  /** Size of the pool3 feature vector. */
  public static final int FEATURES = 2048;

  /** Side of the network's input. */
  public static final int SIDE = 299;

  private static final double BN_EPS = 1e-3;
  private static final Fir BOX3 = new Fir(1, 1, 1);

  private final String origin;
  private final List<Stage> stages = new ArrayList<>();

  /** One step of the network, on {@code [N, C, H, W]}. */
  private interface Stage {
    Tensor forward(Tensor x);
  }

  /**
   * The network with zero weights (load a state dict into it, or use {@link #load}); {@code origin}
   * names where its weights come from in reports.
   */
  public Inception(String origin) {
    this.origin = origin;
    stages.add(conv("Conv2d_1a_3x3", 3, 32, 3, 3, 2, 0, 0));
    stages.add(conv("Conv2d_2a_3x3", 32, 32, 3, 3, 1, 0, 0));
    stages.add(conv("Conv2d_2b_3x3", 32, 64, 3, 3, 1, 1, 1));
    stages.add(x -> Functional.maxPool2d(x, 3, 2, 0));
    stages.add(conv("Conv2d_3b_1x1", 64, 80, 1, 1, 1, 0, 0));
    stages.add(conv("Conv2d_4a_3x3", 80, 192, 3, 3, 1, 0, 0));
    stages.add(x -> Functional.maxPool2d(x, 3, 2, 0));
    stages.add(child("Mixed_5b", new BlockA(192, 32)));
    stages.add(child("Mixed_5c", new BlockA(256, 64)));
    stages.add(child("Mixed_5d", new BlockA(288, 64)));
    stages.add(child("Mixed_6a", new BlockB(288)));
    stages.add(child("Mixed_6b", new BlockC(768, 128)));
    stages.add(child("Mixed_6c", new BlockC(768, 160)));
    stages.add(child("Mixed_6d", new BlockC(768, 160)));
    stages.add(child("Mixed_6e", new BlockC(768, 192)));
    stages.add(child("Mixed_7a", new BlockD(768)));
    stages.add(child("Mixed_7b", new BlockE(1280, false)));
    stages.add(child("Mixed_7c", new BlockE(2048, true)));
    eval();
  }

  private BasicConv conv(String name, int in, int out, int kh, int kw, int stride, int ph, int pw) {
    return child(name, new BasicConv(in, out, kh, kw, stride, ph, pw));
  }

  /**
   * The network with the weights of a PyTorch state-dict file, normally pytorch-fid's {@code
   * pt_inception-2015-12-05-6726825d.pth} (read without running any of it, {@link TorchFiles}). The
   * classifier head ({@code fc.*}) of the file is not used; any other difference from this
   * network's names and shapes is an error that names them.
   */
  public static Inception load(Path file) throws IOException {
    Map<String, Tensor> state = TorchFiles.stateDict(file);
    // the classifier head and the auxiliary classifier are not used for pool3
    state
        .keySet()
        .removeIf(
            k ->
                k.startsWith("fc.")
                    || k.startsWith("AuxLogits.")
                    || k.endsWith(".num_batches_tracked"));
    Inception net = new Inception(file.getFileName().toString());
    TreeSet<String> missing = new TreeSet<>(net.stateDict().keySet());
    missing.removeAll(state.keySet());
    if (state.isEmpty() || missing.size() == net.stateDict().size()) {
      throw new WeightFileException(
          WeightFileException.Kind.INCOMPATIBLE,
          file
              + ": holds none of Inception's weights (expected pytorch-fid's"
              + " pt_inception-2015-12-05-6726825d.pth, a state dict with"
              + " Conv2d_1a_3x3.conv.weight, ..., Mixed_7c.branch_pool.bn.running_var)");
    }
    try {
      net.loadStateDict(state);
    } catch (IllegalArgumentException e) {
      throw new WeightFileException(
          WeightFileException.Kind.INCOMPATIBLE, file + ": " + e.getMessage());
    }
    return net;
  }

  @Override
  public String name() {
    return "inception-v3 pool3 (2048 features, " + origin + ")";
  }

  @Override
  public int featureCount() {
    return FEATURES;
  }

  @Override
  public int batchSize() {
    return 25;
  }

  @Override
  public String cannotMeasure(long[] shape, String dataName) {
    if (shape.length == 3 && (shape[0] == 1 || shape[0] == 3) && shape[1] >= 1 && shape[2] >= 1) {
      return null;
    }
    return "Inception measures images of one or three channels, and "
        + dataName
        + " is "
        + (shape.length == 3 ? shape[0] + "x" + shape[1] + "x" + shape[2] : "point data");
  }

  /**
   * Pool3 features {@code [N, 2048]} of images {@code [N, 1|3, H, W]} in [-1, 1]; differentiable
   * (max pooling once), so usable as a perceptual distance.
   */
  public Tensor features(Tensor images) {
    Tensor x = resized(images);
    for (Stage s : stages) {
      if (GradMode.isEnabled()) {
        x = s.forward(x); // the graph needs every intermediate
      } else {
        // without a graph only the stage's output lives on: 25 images peak at ~2 GB, not ~6
        try (TensorScope scope = TensorScope.open()) {
          x = scope.keep(s.forward(x));
        }
      }
    }
    return x.mean(false, 2, 3); // [N, 2048]
  }

  /** The network's input: three channels, 299x299, in [-1, 1]. */
  Tensor resized(Tensor images) {
    long[] s = images.shape();
    if (s.length != 4 || (s[1] != 1 && s[1] != 3)) {
      throw new IllegalArgumentException(
          "Inception: expected images [N, 1|3, H, W], got " + Shapes.str(s));
    }
    Tensor x = s[1] == 1 ? Tensor.concat(1, images, images, images) : images;
    if (s[2] != SIDE || s[3] != SIDE) {
      x = Fir.separable(x, bilinear((int) s[2], SIDE), SIDE, bilinear((int) s[3], SIDE), SIDE);
    }
    return x;
  }

  /**
   * The transposed operator {@code [in, out]} of 1-D bilinear resizing with {@code
   * align_corners=False}: output {@code o} reads the input at {@code (o + 0.5) in / out - 0.5},
   * clamped below at 0, between its two neighbours (the upper one clamped to the last sample).
   */
  static double[] bilinear(int in, int out) {
    double[] m = new double[in * out];
    double scale = (double) in / out;
    for (int o = 0; o < out; o++) {
      double src = Math.max((o + 0.5) * scale - 0.5, 0);
      int i0 = Math.min((int) src, in - 1);
      int i1 = Math.min(i0 + 1, in - 1);
      double t = src - i0;
      m[i0 * out + o] += 1 - t;
      m[i1 * out + o] += t;
    }
    return m;
  }

  /**
   * Pool3 features of the images rounded to 8 bits ({@link #quantized}), in this network's type.
   */
  @Override
  public Tensor measure(Tensor images) {
    return features(quantized(images).to(dtype()));
  }

  /**
   * Images rounded to 8 bits as stylegan2-ada-pytorch rounds them ({@code (x 127.5 + 128)} clamped
   * to [0, 255] and truncated), back in [-1, 1]: a dataset image read from 8-bit pixels is
   * unchanged.
   */
  static Tensor quantized(Tensor x) {
    INDArray a = x.data().mul(127.5).addi(128);
    a = Transforms.floor(Transforms.max(Transforms.min(a, 255, false), 0, false), false);
    return Tensor.of(a.divi(127.5).subi(1));
  }

  /** Convolution, batch normalisation (folded) and ReLU: {@code BasicConv2d}. */
  private static final class BasicConv extends Module implements Stage {
    private final int stride;
    private final int padH;
    private final int padW;
    private final Holder conv;
    private final Holder bn;

    BasicConv(int in, int out, int kh, int kw, int stride, int padH, int padW) {
      this.stride = stride;
      this.padH = padH;
      this.padW = padW;
      this.conv = child("conv", new Holder());
      conv.add("weight", Tensor.zeros(DType.FLOAT32, out, in, kh, kw));
      this.bn = child("bn", new Holder());
      bn.add("weight", Tensor.ones(DType.FLOAT32, out));
      bn.add("bias", Tensor.zeros(DType.FLOAT32, out));
      bn.addBuffer("running_mean", Tensor.zeros(DType.FLOAT32, out));
      bn.addBuffer("running_var", Tensor.ones(DType.FLOAT32, out));
    }

    @Override
    public Tensor forward(Tensor x) {
      Tensor w = conv.get("weight");
      long out = w.size(0);
      // batch normalisation in evaluation mode is affine per channel: fold it into the convolution
      Tensor scale = bn.get("weight").mul(bn.get("running_var").add(BN_EPS).rsqrt());
      Tensor bias = bn.get("bias").sub(bn.get("running_mean").mul(scale));
      Tensor folded = w.mul(scale.reshape(out, 1, 1, 1));
      Tensor h = x;
      int pad = 0;
      if (padH == padW) {
        pad = padH;
      } else { // the 1x7, 7x1, 1x3 and 3x1 kernels pad one axis only
        h = h.pad(2, padH, padH).pad(3, padW, padW);
      }
      return Functional.conv2d(h, folded, bias, stride, pad).relu();
    }
  }

  /** Parameters and buffers under fixed names, as a PyTorch layer registers them. */
  private static final class Holder extends Module {
    private final Map<String, Parameter> params = new HashMap<>();
    private final Map<String, Buffer> buffers = new HashMap<>();

    void add(String name, Tensor init) {
      params.put(name, param(name, init));
    }

    void addBuffer(String name, Tensor init) {
      buffers.put(name, buffer(name, init));
    }

    Tensor get(String name) {
      Parameter p = params.get(name);
      return p != null ? p.value() : buffers.get(name).value();
    }
  }

  /**
   * Three-by-three averaging with zero padding 1 that counts only the pixels inside the image
   * ({@code avg_pool2d(x, 3, 1, 1, count_include_pad=False)}): the box filter divided by the share
   * of each window that lies inside.
   */
  static Tensor averageInside(Tensor x) {
    Tensor sum = BOX3.filter(x, 1, 1, 1.0);
    long h = x.size(2);
    long w = x.size(3);
    Tensor inside = BOX3.filter(Tensor.ones(x.dtype(), 1, 1, h, w), 1, 1, 1.0);
    return sum.div(inside);
  }

  /** Block A (35x35): 1x1, 5x5, double 3x3 and pooled branches. */
  private static final class BlockA extends Module implements Stage {
    private final BasicConv b1;
    private final BasicConv b5a;
    private final BasicConv b5b;
    private final BasicConv b3a;
    private final BasicConv b3b;
    private final BasicConv b3c;
    private final BasicConv pool;

    BlockA(int in, int poolFeatures) {
      b1 = child("branch1x1", new BasicConv(in, 64, 1, 1, 1, 0, 0));
      b5a = child("branch5x5_1", new BasicConv(in, 48, 1, 1, 1, 0, 0));
      b5b = child("branch5x5_2", new BasicConv(48, 64, 5, 5, 1, 2, 2));
      b3a = child("branch3x3dbl_1", new BasicConv(in, 64, 1, 1, 1, 0, 0));
      b3b = child("branch3x3dbl_2", new BasicConv(64, 96, 3, 3, 1, 1, 1));
      b3c = child("branch3x3dbl_3", new BasicConv(96, 96, 3, 3, 1, 1, 1));
      pool = child("branch_pool", new BasicConv(in, poolFeatures, 1, 1, 1, 0, 0));
    }

    @Override
    public Tensor forward(Tensor x) {
      return Tensor.concat(
          1,
          b1.forward(x),
          b5b.forward(b5a.forward(x)),
          b3c.forward(b3b.forward(b3a.forward(x))),
          pool.forward(averageInside(x)));
    }
  }

  /** Block B (35 to 17): strided 3x3, strided double 3x3 and max-pooled branches. */
  private static final class BlockB extends Module implements Stage {
    private final BasicConv b3;
    private final BasicConv d1;
    private final BasicConv d2;
    private final BasicConv d3;

    BlockB(int in) {
      b3 = child("branch3x3", new BasicConv(in, 384, 3, 3, 2, 0, 0));
      d1 = child("branch3x3dbl_1", new BasicConv(in, 64, 1, 1, 1, 0, 0));
      d2 = child("branch3x3dbl_2", new BasicConv(64, 96, 3, 3, 1, 1, 1));
      d3 = child("branch3x3dbl_3", new BasicConv(96, 96, 3, 3, 2, 0, 0));
    }

    @Override
    public Tensor forward(Tensor x) {
      return Tensor.concat(
          1,
          b3.forward(x),
          d3.forward(d2.forward(d1.forward(x))),
          Functional.maxPool2d(x, 3, 2, 0));
    }
  }

  /** Block C (17x17): 1x1, factorised 7x7, double factorised 7x7 and pooled branches. */
  private static final class BlockC extends Module implements Stage {
    private final BasicConv b1;
    private final BasicConv[] b7 = new BasicConv[3];
    private final BasicConv[] d7 = new BasicConv[5];
    private final BasicConv pool;

    BlockC(int in, int c7) {
      b1 = child("branch1x1", new BasicConv(in, 192, 1, 1, 1, 0, 0));
      b7[0] = child("branch7x7_1", new BasicConv(in, c7, 1, 1, 1, 0, 0));
      b7[1] = child("branch7x7_2", new BasicConv(c7, c7, 1, 7, 1, 0, 3));
      b7[2] = child("branch7x7_3", new BasicConv(c7, 192, 7, 1, 1, 3, 0));
      d7[0] = child("branch7x7dbl_1", new BasicConv(in, c7, 1, 1, 1, 0, 0));
      d7[1] = child("branch7x7dbl_2", new BasicConv(c7, c7, 7, 1, 1, 3, 0));
      d7[2] = child("branch7x7dbl_3", new BasicConv(c7, c7, 1, 7, 1, 0, 3));
      d7[3] = child("branch7x7dbl_4", new BasicConv(c7, c7, 7, 1, 1, 3, 0));
      d7[4] = child("branch7x7dbl_5", new BasicConv(c7, 192, 1, 7, 1, 0, 3));
      pool = child("branch_pool", new BasicConv(in, 192, 1, 1, 1, 0, 0));
    }

    @Override
    public Tensor forward(Tensor x) {
      Tensor a = x;
      for (BasicConv c : b7) {
        a = c.forward(a);
      }
      Tensor d = x;
      for (BasicConv c : d7) {
        d = c.forward(d);
      }
      return Tensor.concat(1, b1.forward(x), a, d, pool.forward(averageInside(x)));
    }
  }

  /** Block D (17 to 8): strided 3x3, factorised 7x7 then strided 3x3, and max-pooled branches. */
  private static final class BlockD extends Module implements Stage {
    private final BasicConv b3a;
    private final BasicConv b3b;
    private final BasicConv[] b7 = new BasicConv[4];

    BlockD(int in) {
      b3a = child("branch3x3_1", new BasicConv(in, 192, 1, 1, 1, 0, 0));
      b3b = child("branch3x3_2", new BasicConv(192, 320, 3, 3, 2, 0, 0));
      b7[0] = child("branch7x7x3_1", new BasicConv(in, 192, 1, 1, 1, 0, 0));
      b7[1] = child("branch7x7x3_2", new BasicConv(192, 192, 1, 7, 1, 0, 3));
      b7[2] = child("branch7x7x3_3", new BasicConv(192, 192, 7, 1, 1, 3, 0));
      b7[3] = child("branch7x7x3_4", new BasicConv(192, 192, 3, 3, 2, 0, 0));
    }

    @Override
    public Tensor forward(Tensor x) {
      Tensor s = x;
      for (BasicConv c : b7) {
        s = c.forward(s);
      }
      return Tensor.concat(1, b3b.forward(b3a.forward(x)), s, Functional.maxPool2d(x, 3, 2, 0));
    }
  }

  /**
   * Block E (8x8): 1x1, 3x3 split into 1x3 and 3x1, double 3x3 split likewise, and a pooling
   * branch: averaged inside the image in the first E block, max-pooled in the second ({@code
   * maxPool}), as the FID graph has them.
   */
  private static final class BlockE extends Module implements Stage {
    private final boolean maxPool;
    private final BasicConv b1;
    private final BasicConv b3;
    private final BasicConv b3a;
    private final BasicConv b3b;
    private final BasicConv d1;
    private final BasicConv d2;
    private final BasicConv d3a;
    private final BasicConv d3b;
    private final BasicConv pool;

    BlockE(int in, boolean maxPool) {
      this.maxPool = maxPool;
      b1 = child("branch1x1", new BasicConv(in, 320, 1, 1, 1, 0, 0));
      b3 = child("branch3x3_1", new BasicConv(in, 384, 1, 1, 1, 0, 0));
      b3a = child("branch3x3_2a", new BasicConv(384, 384, 1, 3, 1, 0, 1));
      b3b = child("branch3x3_2b", new BasicConv(384, 384, 3, 1, 1, 1, 0));
      d1 = child("branch3x3dbl_1", new BasicConv(in, 448, 1, 1, 1, 0, 0));
      d2 = child("branch3x3dbl_2", new BasicConv(448, 384, 3, 3, 1, 1, 1));
      d3a = child("branch3x3dbl_3a", new BasicConv(384, 384, 1, 3, 1, 0, 1));
      d3b = child("branch3x3dbl_3b", new BasicConv(384, 384, 3, 1, 1, 1, 0));
      pool = child("branch_pool", new BasicConv(in, 192, 1, 1, 1, 0, 0));
    }

    @Override
    public Tensor forward(Tensor x) {
      Tensor s = b3.forward(x);
      Tensor d = d2.forward(d1.forward(x));
      Tensor pooled = maxPool ? Functional.maxPool2d(x, 3, 1, 1) : averageInside(x);
      return Tensor.concat(
          1,
          b1.forward(x),
          b3a.forward(s),
          b3b.forward(s),
          d3a.forward(d),
          d3b.forward(d),
          pool.forward(pooled));
    }
  }
}
