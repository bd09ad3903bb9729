package org.jgan.core.kernels;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_ATTR_MULTIPLE_POST_OP_BASE;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC_0;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC_1;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.binary;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.global.dnnl.algorithm;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.post_ops;
import org.bytedeco.dnnl.primitive;
import org.bytedeco.dnnl.primitive_attr;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Float32 bias, noise and leaky ReLU in one pass over memory on oneDNN's binary primitive (its
 * plans kept per shape, as {@link DnnConv} keeps its convolutions): StyleGAN2-ADA's {@code
 * bias_act} for the leaky ReLU. The forward {@code gain * lrelu(x + b + n)} is one binary primitive
 * ({@code x + n} or {@code x + b}) with the rest as post-ops, where the composition of libnd4j's
 * ops streams the array seven times (two additions, then the mask's step, scale and shift and the
 * product). The backward {@code g * gain * (y > 0 ? 1 : alpha)} reads the output {@code y}: the
 * comparison {@code y > 0}, then the mask's affine map and the product with {@code g} as post-ops,
 * one pass too; the forward keeps no mask.
 *
 * <p>The channel axis decides the view: channels last ({@code [N, C]}, {@code [N, H, W, C]}) is a
 * matrix {@code [P, C]} with the bias a row {@code [1, C]} and the noise a column {@code [P, 1]};
 * channels first ({@code [N, C, H, W]}) is {@code [N, C, HW]} with the bias {@code [1, C, 1]} and
 * the noise {@code [N, 1, HW]}. A view oneDNN has only its reference kernel for (measured: the
 * noise of channels-first maps, 250x slower) is refused, and callers take libnd4j's ops ({@link
 * Kernels#biasLeakyRelu}).
 */
final class DnnEltwise {

  /** Primitives kept, one per shape and kind. */
  static final int PLANS = 64;

  /**
   * A forward {@code [p, c, s]} (channels axis in the middle) or a backward of {@code p} floats.
   */
  private record Key(
      boolean backward,
      long p,
      long c,
      long s,
      boolean bias,
      boolean noise,
      float alpha,
      float gain) {}

  private final Engine owner;
  private final KeptPlans<Key, Plan> plans = new KeptPlans<>(PLANS);

  /** oneDNN's element-wise primitives for {@code owner}, which allocates their results. */
  DnnEltwise(Engine owner) {
    this.owner = owner;
  }

  /**
   * {@code gain * lrelu(x + b + n, alpha)} into a fresh array, or into {@code x} itself when {@code
   * inPlace}; {@code b} ({@code C} elements) and {@code n} (one value per pixel, {@code x}'s shape
   * with the channel axis 1) may be null. Null (nothing written) where not for oneDNN.
   */
  INDArray biasLeakyRelu(
      INDArray x,
      INDArray b,
      INDArray n,
      int channelAxis,
      double alpha,
      double gain,
      boolean inPlace) {
    if (!usable(x) || b != null && !usable(b) || n != null && !usable(n)) {
      return null;
    }
    // without a bias or noise the layout does not matter: one row of every element (as a column,
    // [L, 1], oneDNN's kernel ran 15x slower)
    long[] pcs =
        b == null && n == null ? new long[] {1, x.length(), 1} : view(x.shape(), channelAxis);
    if (pcs == null
        || b != null && b.length() != pcs[1]
        || n != null && n.length() * pcs[1] != x.length()) {
      return null;
    }
    Plan plan =
        plan(
            new Key(
                false, pcs[0], pcs[1], pcs[2], b != null, n != null, (float) alpha, (float) gain));
    if (plan == null) {
      return null;
    }
    INDArray out = inPlace ? x : owner.alloc(DataType.FLOAT, x.shape());
    if (!plan.run(new INDArray[] {x, b, n, out})) {
      if (!inPlace) {
        Kernels.free(out);
      }
      return null;
    }
    return out;
  }

  /**
   * {@code g * gain * (y > 0 ? 1 : alpha)}, the gradient of {@link #biasLeakyRelu} from its output
   * {@code y} (same shape as {@code g}), into a fresh array; null where not for oneDNN.
   */
  INDArray leakyReluGrad(INDArray g, INDArray y, double alpha, double gain) {
    if (!usable(g) || !usable(y) || g.length() != y.length()) {
      return null;
    }
    Plan plan = plan(new Key(true, g.length(), 1, 1, false, false, (float) alpha, (float) gain));
    if (plan == null) {
      return null;
    }
    INDArray out = owner.alloc(DataType.FLOAT, g.shape());
    if (!plan.run(new INDArray[] {y, g, out})) {
      Kernels.free(out);
      return null;
    }
    return out;
  }

  /**
   * {@code {P, C, S}}: the sizes before the channel axis, of it, and after it; null for rank {@code
   * < 2}.
   */
  private static long[] view(long[] shape, int channelAxis) {
    if (shape.length < 2 || channelAxis < 0 || channelAxis >= shape.length) {
      return null;
    }
    long[] pcs = {1, shape[channelAxis], 1};
    for (int i = 0; i < shape.length; i++) {
      if (i < channelAxis) {
        pcs[0] *= shape[i];
      } else if (i > channelAxis) {
        pcs[2] *= shape[i];
      }
    }
    return pcs;
  }

  /** A dense float32 array (see {@link DnnConv#dense}) and a native library that loaded. */
  private static boolean usable(INDArray a) {
    return DnnConv.Native.REASON == null
        && a.dataType() == DataType.FLOAT
        && a.length() > 0
        && DnnConv.dense(a);
  }

  private Plan plan(Key key) {
    return plans.get(key, Plan::new);
  }

  /** Frees every plan; later calls fall back to libnd4j. */
  void close() {
    plans.close();
  }

  /**
   * One primitive and its memory objects, which carry no buffers of their own: each call points
   * them at the caller's arrays. Forward operands: {@code x, b, n, out} (absent ones null);
   * backward: {@code y, g, out}.
   */
  private static final class Plan implements KeptPlans.Plan {
    private final List<Pointer> owned = new ArrayList<>();
    private memory[] mems;
    private primitive op;
    private IntMemoryMap args;
    private boolean closed;

    Plan(Key k) {
      try {
        if (k.backward()) {
          buildBackward(k);
        } else {
          buildForward(k);
        }
      } catch (RuntimeException e) {
        close();
        throw e;
      }
    }

    private void buildForward(Key k) {
      engine eng = DnnConv.Native.ENGINE;
      boolean channelsLast = k.s() == 1;
      // channels last: [P, C], bias [1, C], noise [P, 1]; channels first: [P, C, S], bias
      // [1, C, 1], noise [P, 1, S]
      long[] dims = channelsLast ? new long[] {k.p(), k.c()} : new long[] {k.p(), k.c(), k.s()};
      long[] biasDims = channelsLast ? new long[] {1, k.c()} : new long[] {1, k.c(), 1};
      long[] noiseDims = channelsLast ? new long[] {k.p(), 1} : new long[] {k.p(), 1, k.s()};
      memory.desc data = desc(dims);
      memory.desc biasDesc = desc(biasDims);
      memory.desc noiseDesc = desc(noiseDims);
      // the noise is the primitive's second operand and the bias a post-op: the other order has
      // only oneDNN's reference kernel for channels-last maps (measured)
      long[] one = new long[dims.length];
      Arrays.fill(one, 1);
      memory.desc second = k.noise() ? noiseDesc : k.bias() ? biasDesc : desc(one);
      post_ops po = keep(new post_ops());
      if (k.noise() && k.bias()) {
        po.append_binary(algorithm.binary_add, biasDesc);
      }
      po.append_eltwise(k.gain(), algorithm.eltwise_relu, k.alpha(), 0f);
      primitive_attr attr = keep(new primitive_attr());
      attr.set_post_ops(po);
      binary.primitive_desc pd =
          keep(
              new binary.primitive_desc(
                  keep(new binary.desc(algorithm.binary_add, data, second, data)), attr, eng));
      KeptPlans.fastKernel(pd, k);
      op = keep(new binary(pd));
      args = keep(new IntMemoryMap());
      memory x = keep(new memory(data, eng, (Pointer) null));
      memory out = keep(new memory(data, eng, (Pointer) null));
      memory src1 = keep(new memory(second, eng, (Pointer) null));
      args.put(DNNL_ARG_SRC_0, x);
      args.put(DNNL_ARG_SRC_1, src1);
      args.put(DNNL_ARG_DST, out);
      memory postBias = null;
      if (k.noise() && k.bias()) {
        postBias = keep(new memory(biasDesc, eng, (Pointer) null));
        args.put(DNNL_ARG_ATTR_MULTIPLE_POST_OP_BASE | DNNL_ARG_SRC_1, postBias);
      }
      if (!k.noise() && !k.bias()) {
        // x + 0: the binary primitive carries the activation as its post-op
        FloatPointer zero = keep(new FloatPointer(1));
        zero.put(0f);
        src1.set_data_handle(zero);
      }
      // operands in the order the callers pass them: x, b, n, out
      mems =
          new memory[] {
            x, k.noise() ? postBias : k.bias() ? src1 : null, k.noise() ? src1 : null, out
          };
    }

    private void buildBackward(Key k) {
      // (y > 0) as 1 or 0, mapped to the mask gain (1 - alpha) m + gain alpha, times g: one pass
      // (oneDNN's own leaky ReLU backward has no gain, which then cost a second pass)
      engine eng = DnnConv.Native.ENGINE;
      memory.desc row = desc(new long[] {1, k.p()});
      memory.desc scalar = desc(new long[] {1, 1});
      post_ops po = keep(new post_ops());
      float a = k.alpha();
      float gain = k.gain();
      po.append_eltwise(1f, algorithm.eltwise_linear, gain * (1 - a), gain * a);
      po.append_binary(algorithm.binary_mul, row);
      primitive_attr attr = keep(new primitive_attr());
      attr.set_post_ops(po);
      binary.primitive_desc pd =
          keep(
              new binary.primitive_desc(
                  keep(new binary.desc(algorithm.binary_gt, row, scalar, row)), attr, eng));
      KeptPlans.fastKernel(pd, k);
      op = keep(new binary(pd));
      args = keep(new IntMemoryMap());
      memory y = keep(new memory(row, eng, (Pointer) null));
      memory zero = keep(new memory(scalar, eng, (Pointer) null));
      memory g = keep(new memory(row, eng, (Pointer) null));
      memory out = keep(new memory(row, eng, (Pointer) null));
      FloatPointer zeroValue = keep(new FloatPointer(1));
      zeroValue.put(0f);
      zero.set_data_handle(zeroValue);
      args.put(DNNL_ARG_SRC_0, y);
      args.put(DNNL_ARG_SRC_1, zero);
      args.put(2 * DNNL_ARG_ATTR_MULTIPLE_POST_OP_BASE | DNNL_ARG_SRC_1, g);
      args.put(DNNL_ARG_DST, out);
      mems = new memory[] {y, g, out};
    }

    private memory.desc desc(long[] dims) {
      memory.format_tag tag =
          switch (dims.length) {
            case 1 -> memory.format_tag.a;
            case 2 -> memory.format_tag.ab;
            default -> memory.format_tag.abc;
          };
      return keep(new memory.desc(dims, memory.data_type.f32, tag));
    }

    private <P extends Pointer> P keep(P p) {
      owned.add(p);
      return p;
    }

    /** Runs on the operands (see the class comment); false if the plan was closed meanwhile. */
    synchronized boolean run(INDArray[] operands) {
      if (closed) {
        return false;
      }
      for (int i = 0; i < operands.length; i++) {
        if (mems[i] != null) {
          mems[i].set_data_handle(operands[i].data().addressPointer());
        }
      }
      op.execute(DnnConv.Native.STREAM, args);
      DnnConv.Native.STREAM._wait();
      return true;
    }

    @Override
    public synchronized void close() {
      closed = true;
      for (int i = owned.size() - 1; i >= 0; i--) {
        owned.get(i).close();
      }
      owned.clear();
    }
  }
}
