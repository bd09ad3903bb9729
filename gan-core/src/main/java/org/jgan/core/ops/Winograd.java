package org.jgan.core.ops;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_FROM;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_TO;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.convolution_backward_data;
import org.bytedeco.dnnl.convolution_forward;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.global.dnnl.algorithm;
import org.bytedeco.dnnl.global.dnnl.prop_kind;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.primitive;
import org.bytedeco.dnnl.primitive_desc;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.stream;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * 3x3, stride-1, padding-1 convolutions of float32 maps on oneDNN's Winograd kernels ({@code
 * F(4x4, 3x3)}, {@code jit_wino_4x3}), called through oneDNN's JavaCPP preset: libnd4j's own
 * oneDNN calls always ask for the direct algorithm. Winograd does 2.25 times fewer multiplications
 * per output; measured here (2 cores, AVX-512) at {@code [64, 32, 32, 128]} to 128 channels, 24.6
 * ms with the layout conversions against 41.9 ms for libnd4j's direct convolution, at {@code [32,
 * 16, 16, 128]} 3.0 against 4.7 ms (docs/benchmarks.md). The results differ from the direct
 * algorithm's by rounding only (about {@code 3e-6} of the largest output).
 *
 * <p>Two operators use it: {@link Conv2d}'s forward, and {@link ConvTranspose2d}'s forward with
 * stride 1 (the input gradient of a convolution, oneDNN's backward-data primitive). Both fall back
 * to libnd4j (the caller gets {@code null}) for anything else: other kernel sizes, strides or
 * paddings, float64 (so the finite-difference checks test libnd4j's kernels and the tests of this
 * class compare the two), maps under 8x8 (no faster there), channel counts oneDNN's Winograd
 * kernel does not take, arrays that are not dense C-ordered buffers from offset 0, and machines
 * where the kernel or the native library is missing ({@link #available}). {@code
 * -Djgan.winograd=false} turns it off.
 *
 * <p>Each call converts the input and weight to oneDNN's blocked layouts, runs the primitive and
 * converts the output back; the blocked buffers are arrays from the library's pool ({@link
 * Kernels#alloc}), freed before the call returns, so nothing native outlives a call except the
 * primitives, which are kept per shape (at most {@value #PLANS}, least recently used dropped).
 * oneDNN runs on the same OpenMP runtime as libnd4j (one {@code libgomp}), so no second thread
 * pool competes for the cores.
 */
public final class Winograd {
  private static final Logger LOG = LoggerFactory.getLogger(Winograd.class);

  /** Smallest height and width sent to the Winograd kernel: below 8x8 it is not faster. */
  static final int MIN_SIZE = 8;

  /** Primitives kept, one per shape and direction. */
  static final int PLANS = 32;

  private Winograd() {}

  /** True when oneDNN's Winograd kernel loaded and runs on this machine, and it is not turned off. */
  public static boolean available() {
    return !"false".equals(System.getProperty("jgan.winograd")) && Native.REASON == null;
  }

  /** One line for logs and benchmarks: which kernel runs 3x3 convolutions, or why not Winograd. */
  public static String status() {
    if (Native.REASON != null) {
      return "libnd4j direct (oneDNN Winograd unavailable: " + Native.REASON + ")";
    }
    return available() ? "oneDNN Winograd (" + Native.IMPL + ") for 3x3 stride 1" : "libnd4j direct (jgan.winograd=false)";
  }

  /**
   * {@code conv2d(x, w) + b} for {@code x} in {@code format}, {@code w [O, I, 3, 3]}, {@code b [O]}
   * or null; null when this shape or array is not for the Winograd kernel (see the class comment).
   */
  static INDArray conv2d(INDArray x, INDArray w, INDArray b, ConvGeometry geo) {
    if (!eligible(x, w, b, geo)) {
      return null;
    }
    DataFormat f = geo.format();
    Plan plan = plan(new Key(false, f, x.size(0), w.size(1), w.size(0), geo.height(x), geo.width(x), b != null));
    if (plan == null) {
      return null;
    }
    INDArray out = Kernels.alloc(DataType.FLOAT, f.shape(x.size(0), w.size(0), geo.height(x), geo.width(x)));
    plan.run(x, w, b, out);
    return out;
  }

  /**
   * The transposed convolution (stride 1, padding 1) of {@code x} in {@code format} with {@code w
   * [I, O, 3, 3]}, without bias: the input gradient of a convolution whose weight is {@code w};
   * null when not for the Winograd kernel.
   */
  static INDArray convTranspose2d(INDArray x, INDArray w, ConvGeometry geo) {
    if (!eligible(x, w, null, geo)) {
      return null;
    }
    DataFormat f = geo.format();
    // the convolution whose input gradient this is maps w.size(1) channels to w.size(0)
    Plan plan = plan(new Key(true, f, x.size(0), w.size(1), w.size(0), geo.height(x), geo.width(x), false));
    if (plan == null) {
      return null;
    }
    INDArray out = Kernels.alloc(DataType.FLOAT, f.shape(x.size(0), w.size(1), geo.height(x), geo.width(x)));
    plan.run(x, w, null, out);
    return out;
  }

  private static boolean eligible(INDArray x, INDArray w, INDArray b, ConvGeometry geo) {
    return available()
        && geo.stride() == 1
        && geo.padding() == 1
        && w.size(2) == 3
        && w.size(3) == 3
        && x.dataType() == DataType.FLOAT
        && w.dataType() == DataType.FLOAT
        && (b == null || b.dataType() == DataType.FLOAT)
        && geo.height(x) >= MIN_SIZE
        && geo.width(x) >= MIN_SIZE
        && dense(x)
        && dense(w)
        && (b == null || dense(b));
  }

  /** A C-ordered array with default strides from the start of its buffer: its pointer is its data. */
  private static boolean dense(INDArray a) {
    return a.ordering() == 'c' && a.offset() == 0 && Shape.hasDefaultStridesForShape(a);
  }

  /**
   * A convolution shape: {@code in} and {@code out} channels of the forward convolution (for the
   * transposed direction, of the convolution it is the input gradient of).
   */
  private record Key(boolean transposed, DataFormat format, long n, long in, long out, long h, long w, boolean bias) {}

  private static final Map<Key, Plan> PLANS_BY_KEY = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Key, Plan> eldest) {
      if (size() > PLANS) {
        if (eldest.getValue() != Plan.UNSUPPORTED) {
          eldest.getValue().close();
        }
        return true;
      }
      return false;
    }
  };

  /** The plan for this shape, made on first use; null where oneDNN has no Winograd kernel for it. */
  private static Plan plan(Key key) {
    synchronized (PLANS_BY_KEY) {
      Plan p = PLANS_BY_KEY.get(key);
      if (p == null) {
        try {
          p = new Plan(key);
        } catch (RuntimeException e) {
          LOG.debug("no Winograd kernel for {}: {}", key, e.getMessage());
          p = Plan.UNSUPPORTED;
        }
        PLANS_BY_KEY.put(key, p);
      }
      return p == Plan.UNSUPPORTED ? null : p;
    }
  }

  /**
   * The primitives of one shape: the reorders into oneDNN's blocked layouts, the convolution (or
   * its backward-data primitive) and the reorder back, with their argument maps. The memory objects
   * carry no buffers of their own; each call points them at the caller's arrays and at pooled
   * scratch arrays.
   */
  private static final class Plan {
    static final Plan UNSUPPORTED = new Plan();

    private final List<Pointer> owned = new ArrayList<>();
    private memory srcUser;
    private memory weightUser;
    private memory biasUser;
    private memory dstUser;
    private memory src;
    private memory weight;
    private memory dst;
    private primitive toSrc;
    private primitive toWeight;
    private primitive conv;
    private primitive fromDst;
    private IntMemoryMap toSrcArgs;
    private IntMemoryMap toWeightArgs;
    private IntMemoryMap convArgs;
    private IntMemoryMap fromDstArgs;
    private boolean closed;

    private Plan() {}

    Plan(Key k) {
      engine eng = Native.ENGINE;
      memory.format_tag tag = k.format() == DataFormat.NHWC ? memory.format_tag.nhwc : memory.format_tag.nchw;
      long[] inDims = {k.n(), k.in(), k.h(), k.w()};
      long[] outDims = {k.n(), k.out(), k.h(), k.w()};
      long[] wDims = {k.out(), k.in(), 3, 3};
      memory.desc inAny = keep(new memory.desc(inDims, memory.data_type.f32, memory.format_tag.any));
      memory.desc outAny = keep(new memory.desc(outDims, memory.data_type.f32, memory.format_tag.any));
      memory.desc wAny = keep(new memory.desc(wDims, memory.data_type.f32, memory.format_tag.any));
      memory.desc bDesc = keep(new memory.desc(new long[] {k.out()}, memory.data_type.f32, memory.format_tag.x));
      long[] one = {1, 1};
      convolution_forward.desc fd = keep(k.bias()
          ? new convolution_forward.desc(prop_kind.forward_training, algorithm.convolution_winograd, inAny, wAny, bDesc,
              outAny, one, one, one)
          : new convolution_forward.desc(prop_kind.forward_training, algorithm.convolution_winograd, inAny, wAny, outAny,
              one, one, one));
      convolution_forward.primitive_desc fpd = keep(new convolution_forward.primitive_desc(fd, eng));
      // forward: src (in channels) -> dst (out channels); transposed: diff_dst (out) -> diff_src (in)
      memory.desc srcBlocked;
      memory.desc dstBlocked;
      memory.desc weightBlocked;
      primitive_desc pd;
      if (k.transposed()) {
        convolution_backward_data.desc bd = keep(new convolution_backward_data.desc(
            algorithm.convolution_winograd, inAny, wAny, outAny, one, one, one));
        convolution_backward_data.primitive_desc bpd = keep(new convolution_backward_data.primitive_desc(bd, eng, fpd));
        srcBlocked = keep(bpd.diff_dst_desc());
        dstBlocked = keep(bpd.diff_src_desc());
        weightBlocked = keep(bpd.weights_desc());
        pd = bpd;
        conv = keep(new convolution_backward_data(bpd));
      } else {
        srcBlocked = keep(fpd.src_desc());
        dstBlocked = keep(fpd.dst_desc());
        weightBlocked = keep(fpd.weights_desc());
        pd = fpd;
        conv = keep(new convolution_forward(fpd));
      }
      srcUser = userMemory(k.transposed() ? outDims : inDims, tag);
      dstUser = userMemory(k.transposed() ? inDims : outDims, tag);
      weightUser = userMemory(wDims, memory.format_tag.oihw);
      src = keep(new memory(srcBlocked, eng, (Pointer) null));
      dst = keep(new memory(dstBlocked, eng, (Pointer) null));
      weight = keep(new memory(weightBlocked, eng, (Pointer) null));
      toSrc = keep(new reorder(srcUser, src));
      toWeight = keep(new reorder(weightUser, weight));
      fromDst = keep(new reorder(dst, dstUser));
      toSrcArgs = args(DNNL_ARG_FROM, srcUser, DNNL_ARG_TO, src);
      toWeightArgs = args(DNNL_ARG_FROM, weightUser, DNNL_ARG_TO, weight);
      fromDstArgs = args(DNNL_ARG_FROM, dst, DNNL_ARG_TO, dstUser);
      if (k.transposed()) {
        convArgs = args(DNNL_ARG_DIFF_DST, src, DNNL_ARG_WEIGHTS, weight, DNNL_ARG_DIFF_SRC, dst);
      } else {
        convArgs = args(DNNL_ARG_SRC, src, DNNL_ARG_WEIGHTS, weight, DNNL_ARG_DST, dst);
        if (k.bias()) {
          biasUser = keep(new memory(bDesc, eng, (Pointer) null));
          convArgs.put(DNNL_ARG_BIAS, biasUser);
        }
      }
      LOG.debug("Winograd plan {}: {}", k, pd.impl_info_str().getString());
    }

    private memory userMemory(long[] dims, memory.format_tag tag) {
      memory.desc d = keep(new memory.desc(dims, memory.data_type.f32, tag));
      return keep(new memory(d, Native.ENGINE, (Pointer) null));
    }

    private IntMemoryMap args(int k0, memory m0, int k1, memory m1) {
      IntMemoryMap m = keep(new IntMemoryMap());
      m.put(k0, m0);
      m.put(k1, m1);
      return m;
    }

    private IntMemoryMap args(int k0, memory m0, int k1, memory m1, int k2, memory m2) {
      IntMemoryMap m = args(k0, m0, k1, m1);
      m.put(k2, m2);
      return m;
    }

    private <P extends Pointer> P keep(P p) {
      owned.add(p);
      return p;
    }

    /** Runs the plan on the caller's arrays; {@code out} receives the result. */
    synchronized void run(INDArray x, INDArray w, INDArray b, INDArray out) {
      if (closed) {
        throw new IllegalStateException("Winograd plan used after it was dropped from the cache");
      }
      INDArray srcBuf = scratch(src);
      INDArray weightBuf = scratch(weight);
      INDArray dstBuf = scratch(dst);
      try {
        srcUser.set_data_handle(x.data().addressPointer());
        weightUser.set_data_handle(w.data().addressPointer());
        dstUser.set_data_handle(out.data().addressPointer());
        src.set_data_handle(srcBuf.data().addressPointer());
        weight.set_data_handle(weightBuf.data().addressPointer());
        dst.set_data_handle(dstBuf.data().addressPointer());
        if (biasUser != null) {
          biasUser.set_data_handle(b.data().addressPointer());
        }
        stream s = Native.STREAM;
        toWeight.execute(s, toWeightArgs);
        toSrc.execute(s, toSrcArgs);
        conv.execute(s, convArgs);
        fromDst.execute(s, fromDstArgs);
        s._wait();
      } finally {
        Kernels.free(srcBuf);
        Kernels.free(weightBuf);
        Kernels.free(dstBuf);
      }
    }

    /** A pooled float array at least as large as {@code m}'s blocked layout. */
    private static INDArray scratch(memory m) {
      return Kernels.alloc(DataType.FLOAT, (m.get_desc().get_size() + 3) / 4);
    }

    synchronized void close() {
      closed = true;
      for (int i = owned.size() - 1; i >= 0; i--) {
        owned.get(i).close();
      }
      owned.clear();
    }
  }

  /**
   * oneDNN's CPU engine and stream, made once; {@code REASON} says why not where the native
   * library does not load or has no Winograd kernel for this processor (oneDNN has it for AVX-512
   * only).
   */
  private static final class Native {
    static final engine ENGINE;
    static final stream STREAM;
    static final String IMPL;
    static final String REASON;

    static {
      engine eng = null;
      stream st = null;
      String impl = null;
      String reason = null;
      try {
        eng = new engine(engine.kind.cpu, 0);
        st = new stream(eng);
        long[] dims = {1, 16, 8, 8};
        memory.desc any = new memory.desc(dims, memory.data_type.f32, memory.format_tag.any);
        memory.desc wAny = new memory.desc(new long[] {16, 16, 3, 3}, memory.data_type.f32, memory.format_tag.any);
        long[] one = {1, 1};
        convolution_forward.primitive_desc pd = new convolution_forward.primitive_desc(new convolution_forward.desc(
            prop_kind.forward_training, algorithm.convolution_winograd, any, wAny, any, one, one, one), eng);
        impl = pd.impl_info_str().getString();
        pd.close();
      } catch (Throwable t) {
        reason = t.getClass().getSimpleName() + ": " + t.getMessage();
      }
      ENGINE = eng;
      STREAM = st;
      IMPL = impl;
      REASON = reason;
      LOG.debug("3x3 convolutions: {}", reason == null ? "oneDNN Winograd (" + impl + ")" : "libnd4j (" + reason + ")");
    }
  }
}
