package org.jgan.core.kernels;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_WEIGHTS;
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
import org.bytedeco.dnnl.convolution_backward_weights;
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
 * 3x3, stride-1, padding-1 convolutions of float32 maps on oneDNN's Winograd kernels ({@code F(4x4,
 * 3x3)}, {@code jit_wino_4x3}), called through oneDNN's JavaCPP preset: libnd4j's own oneDNN calls
 * always ask for the direct algorithm. Winograd multiplies 4 times less (36 products for a 4x4 tile
 * of outputs instead of 144) and pays with transforms of input, weight and output;
 * docs/benchmarks.md measures the gain on the StyleGAN2 shapes. The results differ from the direct
 * algorithm's by rounding only (about {@code 3e-6} of the largest output).
 *
 * <p>Three directions use it: a convolution's forward, its input gradient (the stride-1 transposed
 * convolution, oneDNN's backward-data primitive) and its weight gradient (the backward-weights
 * primitive); {@link ConvKernels} asks here first. Where the Winograd kernels take a convolution,
 * its two gradients run as two separate Winograd calls rather than libnd4j's fused backward kernel,
 * which measured slower. Everything else falls back to libnd4j (the caller gets {@code null}):
 * other kernel sizes, strides or paddings, float64 (so the finite-difference checks test libnd4j's
 * kernels and the tests of this class compare the two), maps under 8x8, fewer than {@value
 * #MIN_CHANNELS} channels or {@value #MIN_POSITIONS} positions (no faster there), channel counts
 * oneDNN's Winograd kernel does not take, arrays that are not dense C-ordered buffers from offset
 * 0, and machines where the kernel or the native library is missing ({@link #status}).
 *
 * <p>Each call converts the input and weight to oneDNN's blocked layouts, runs the primitive and
 * converts the output back; the blocked buffers are arrays from the engine's pool, freed before the
 * call returns, so nothing native outlives a call except the primitives, which are kept per shape
 * (at most {@value #PLANS} per engine, least recently used dropped). oneDNN runs on the same OpenMP
 * runtime as libnd4j (one {@code libgomp}), so no second thread pool competes for the cores. One
 * instance per {@link Engine} whose backend turns Winograd on.
 */
final class Winograd {
  private static final Logger LOG = LoggerFactory.getLogger(Winograd.class);

  /** Smallest height and width sent to the Winograd kernel: below 8x8 it is not faster. */
  static final int MIN_SIZE = 8;

  /**
   * Fewest input and output channels sent to the Winograd kernel: at 16 channels its transforms
   * cost more than they save (docs/benchmarks.md).
   */
  static final int MIN_CHANNELS = 32;

  /**
   * Fewest positions {@code N H W} sent to the Winograd kernel: below, the call's fixed costs
   * decide (docs/benchmarks.md).
   */
  static final int MIN_POSITIONS = 1024;

  /** Primitives kept, one per shape and direction. */
  static final int PLANS = 32;

  private final Engine owner;
  private final Map<Key, Plan> plans =
      new LinkedHashMap<>(16, 0.75f, true) {
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
  private boolean closed;

  /** The Winograd kernels of {@code engine}: its pool serves their scratch buffers. */
  Winograd(Engine owner) {
    this.owner = owner;
  }

  /** Whether oneDNN's Winograd kernel loaded and runs on this machine (AVX-512). */
  static boolean supported() {
    return Native.REASON == null;
  }

  /**
   * One line for logs and benchmarks: which kernel runs 3x3 convolutions, or why not Winograd.
   *
   * @param on whether the backend asks for Winograd
   */
  static String status(boolean on) {
    if (!on) {
      return "libnd4j direct (Winograd off in the backend)";
    }
    if (Native.REASON != null) {
      return "libnd4j direct (oneDNN Winograd unavailable: " + Native.REASON + ")";
    }
    return "oneDNN Winograd (" + Native.IMPL + ") for 3x3 stride 1";
  }

  /**
   * {@code conv2d(x, w) + b} for {@code x} in the geometry's format, {@code w [O, I, 3, 3]}, {@code
   * b [O]} or null; null when this shape or array is not for the Winograd kernel (see the class
   * comment).
   */
  INDArray conv2d(INDArray x, INDArray w, INDArray b, ConvGeometry geo) {
    if (!isWeight(w) || !eligible(x, w, b, geo)) {
      return null;
    }
    Plan plan = plan(Direction.FORWARD, geo.format(), x, w.size(1), w.size(0), b != null);
    return run(
        plan, x, w, b, geo.format().shape(x.size(0), w.size(0), geo.height(x), geo.width(x)));
  }

  /**
   * The transposed convolution (stride 1, padding 1) of {@code x} with {@code w [I, O, 3, 3]},
   * without bias: the input gradient of a convolution whose weight is {@code w}; null when not for
   * the Winograd kernel.
   */
  INDArray convTranspose2d(INDArray x, INDArray w, ConvGeometry geo) {
    if (!isWeight(w) || !eligible(x, w, null, geo)) {
      return null;
    }
    // the convolution whose input gradient this is maps w.size(1) channels to w.size(0)
    Plan plan = plan(Direction.BACKWARD_DATA, geo.format(), x, w.size(1), w.size(0), false);
    return run(
        plan, x, w, null, geo.format().shape(x.size(0), w.size(1), geo.height(x), geo.width(x)));
  }

  /**
   * The weight gradient {@code [O, I, 3, 3]} of a 3x3 convolution (stride 1, padding 1) with input
   * {@code x} and output gradient {@code gy}; null when not for the Winograd kernel.
   */
  INDArray weightGrad(INDArray x, INDArray gy, ConvGeometry geo) {
    if (!eligible(x, gy, null, geo)
        || gy.rank() != 4
        || gy.size(0) != x.size(0)
        || geo.height(gy) != geo.height(x)
        || geo.width(gy) != geo.width(x)) {
      return null;
    }
    long in = geo.channels(x);
    long out = geo.channels(gy);
    Plan plan = plan(Direction.BACKWARD_WEIGHTS, geo.format(), x, in, out, false);
    return run(plan, x, gy, null, new long[] {out, in, 3, 3});
  }

  /**
   * Runs {@code plan} into a fresh array of {@code shape}; null (the caller takes libnd4j's kernel)
   * when there is no plan, or when another thread dropped it from the cache meanwhile.
   */
  private INDArray run(Plan plan, INDArray a, INDArray b, INDArray bias, long[] shape) {
    if (plan == null) {
      return null;
    }
    INDArray out = owner.alloc(DataType.FLOAT, shape);
    if (!plan.run(owner, a, b, bias, out)) {
      Kernels.free(out);
      return null;
    }
    owner.countWinograd();
    return out;
  }

  /**
   * True when a 3x3 convolution of {@code x} with {@code w [O, I, 3, 3]} runs on the Winograd
   * kernel: then its gradients do too, and the callers take the separate gradient ops (two Winograd
   * calls) over libnd4j's fused {@code conv2d_bp}.
   */
  boolean takes(INDArray x, INDArray w, ConvGeometry geo) {
    return isWeight(w)
        && eligible(x, w, null, geo)
        && plan(Direction.FORWARD, geo.format(), x, w.size(1), w.size(0), false) != null;
  }

  /**
   * What every direction asks of its operands: {@code w} is the weight or, for the weight gradient,
   * the output gradient; the callers check its shape.
   */
  private static boolean eligible(INDArray x, INDArray w, INDArray b, ConvGeometry geo) {
    return Native.REASON == null
        && geo.stride() == 1
        && geo.padding() == 1
        && x.rank() == 4
        && x.dataType() == DataType.FLOAT
        && w.dataType() == DataType.FLOAT
        && (b == null || b.dataType() == DataType.FLOAT)
        && geo.height(x) >= MIN_SIZE
        && geo.width(x) >= MIN_SIZE
        && dense(x)
        && dense(w)
        && (b == null || dense(b));
  }

  private static boolean isWeight(INDArray w) {
    return w.rank() == 4 && w.size(2) == 3 && w.size(3) == 3;
  }

  /**
   * A C-ordered array with default strides from the start of its buffer: its pointer is its data.
   */
  private static boolean dense(INDArray a) {
    return a.ordering() == 'c' && a.offset() == 0 && Shape.hasDefaultStridesForShape(a);
  }

  /** What a plan computes: the convolution, its input gradient, or its weight gradient. */
  enum Direction {
    FORWARD,
    BACKWARD_DATA,
    BACKWARD_WEIGHTS
  }

  /**
   * A convolution shape: {@code in} and {@code out} channels of the forward convolution (for the
   * gradients, of the convolution they are the gradients of).
   */
  private record Key(
      Direction direction,
      DataFormat format,
      long n,
      long in,
      long out,
      long h,
      long w,
      boolean bias) {}

  /**
   * The plan for this shape, made on first use; null where oneDNN has no Winograd kernel for it, or
   * after {@link #close()}.
   */
  private Plan plan(Direction d, DataFormat f, INDArray x, long in, long out, boolean bias) {
    ConvGeometry geo = new ConvGeometry(1, 1, f);
    long positions = x.size(0) * geo.height(x) * geo.width(x);
    if (in < MIN_CHANNELS || out < MIN_CHANNELS || positions < MIN_POSITIONS) {
      return null;
    }
    Key key = new Key(d, f, x.size(0), in, out, geo.height(x), geo.width(x), bias);
    synchronized (plans) {
      if (closed) {
        return null;
      }
      Plan p = plans.get(key);
      if (p == null) {
        try {
          p = new Plan(key);
        } catch (RuntimeException e) {
          LOG.debug("no Winograd kernel for {}: {}", key, e.getMessage());
          p = Plan.UNSUPPORTED;
        }
        plans.put(key, p);
      }
      return p == Plan.UNSUPPORTED ? null : p;
    }
  }

  /** Frees every plan; later calls fall back to libnd4j. */
  void close() {
    synchronized (plans) {
      closed = true;
      for (Plan p : plans.values()) {
        if (p != Plan.UNSUPPORTED) {
          p.close();
        }
      }
      plans.clear();
    }
  }

  /**
   * The primitives of one shape and direction: two operands, each reordered from the caller's
   * layout into oneDNN's blocked one, the primitive, and the reorder of its result back, with their
   * argument maps. The memory objects carry no buffers of their own; each call points them at the
   * caller's arrays and at pooled scratch arrays.
   *
   * <pre>
   *   direction         operand a        operand b        result
   *   FORWARD           src x            weights w        dst
   *   BACKWARD_DATA     diff_dst x       weights w        diff_src
   *   BACKWARD_WEIGHTS  src x            diff_dst gy      diff_weights
   * </pre>
   */
  private static final class Plan {
    static final Plan UNSUPPORTED = new Plan();
    static final int ALIGN = 64;

    private final List<Pointer> owned = new ArrayList<>();
    private memory[] user;
    private memory[] blocked;
    private primitive[] reorders;
    private IntMemoryMap[] reorderArgs;
    private memory biasUser;
    private primitive op;
    private IntMemoryMap opArgs;
    private boolean closed;

    private Plan() {}

    /**
     * The plan of {@code k}; throws (having freed what it made) where oneDNN has no Winograd kernel
     * for it.
     */
    Plan(Key k) {
      try {
        build(k);
      } catch (RuntimeException e) {
        close();
        throw e;
      }
    }

    private void build(Key k) {
      engine eng = Native.ENGINE;
      memory.format_tag tag =
          k.format() == DataFormat.NHWC ? memory.format_tag.nhwc : memory.format_tag.nchw;
      long[] inDims = {k.n(), k.in(), k.h(), k.w()};
      long[] outDims = {k.n(), k.out(), k.h(), k.w()};
      long[] wDims = {k.out(), k.in(), 3, 3};
      memory.desc inAny =
          keep(new memory.desc(inDims, memory.data_type.f32, memory.format_tag.any));
      memory.desc outAny =
          keep(new memory.desc(outDims, memory.data_type.f32, memory.format_tag.any));
      memory.desc wAny = keep(new memory.desc(wDims, memory.data_type.f32, memory.format_tag.any));
      memory.desc bDesc =
          keep(new memory.desc(new long[] {k.out()}, memory.data_type.f32, memory.format_tag.x));
      long[] one = {1, 1};
      convolution_forward.desc fd =
          keep(
              k.bias()
                  ? new convolution_forward.desc(
                      prop_kind.forward_training,
                      algorithm.convolution_winograd,
                      inAny,
                      wAny,
                      bDesc,
                      outAny,
                      one,
                      one,
                      one)
                  : new convolution_forward.desc(
                      prop_kind.forward_training,
                      algorithm.convolution_winograd,
                      inAny,
                      wAny,
                      outAny,
                      one,
                      one,
                      one));
      convolution_forward.primitive_desc fpd =
          keep(new convolution_forward.primitive_desc(fd, eng));
      memory.desc[] layouts;
      long[][] dims;
      memory.format_tag[] tags = {tag, memory.format_tag.oihw, tag};
      int[] argKeys;
      primitive_desc pd;
      switch (k.direction()) {
        case FORWARD -> {
          layouts = new memory.desc[] {fpd.src_desc(), fpd.weights_desc(), fpd.dst_desc()};
          dims = new long[][] {inDims, wDims, outDims};
          argKeys = new int[] {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST};
          pd = fpd;
          op = keep(new convolution_forward(fpd));
        }
        case BACKWARD_DATA -> {
          convolution_backward_data.desc bd =
              new convolution_backward_data.desc(
                  algorithm.convolution_winograd, inAny, wAny, outAny, one, one, one);
          var bpd = keep(new convolution_backward_data.primitive_desc(keep(bd), eng, fpd));
          layouts =
              new memory.desc[] {bpd.diff_dst_desc(), bpd.weights_desc(), bpd.diff_src_desc()};
          dims = new long[][] {outDims, wDims, inDims};
          argKeys = new int[] {DNNL_ARG_DIFF_DST, DNNL_ARG_WEIGHTS, DNNL_ARG_DIFF_SRC};
          pd = bpd;
          op = keep(new convolution_backward_data(bpd));
        }
        default -> {
          convolution_backward_weights.desc bd =
              new convolution_backward_weights.desc(
                  algorithm.convolution_winograd, inAny, wAny, outAny, one, one, one);
          var bpd = keep(new convolution_backward_weights.primitive_desc(keep(bd), eng, fpd));
          layouts =
              new memory.desc[] {bpd.src_desc(), bpd.diff_dst_desc(), bpd.diff_weights_desc()};
          dims = new long[][] {inDims, outDims, wDims};
          tags = new memory.format_tag[] {tag, tag, memory.format_tag.oihw};
          argKeys = new int[] {DNNL_ARG_SRC, DNNL_ARG_DIFF_DST, DNNL_ARG_DIFF_WEIGHTS};
          pd = bpd;
          op = keep(new convolution_backward_weights(bpd));
        }
      }
      user = new memory[3];
      blocked = new memory[3];
      reorders = new primitive[3];
      reorderArgs = new IntMemoryMap[3];
      opArgs = keep(new IntMemoryMap());
      for (int i = 0; i < 3; i++) {
        user[i] =
            keep(
                new memory(
                    keep(new memory.desc(dims[i], memory.data_type.f32, tags[i])),
                    eng,
                    (Pointer) null));
        blocked[i] = keep(new memory(keep(layouts[i]), eng, (Pointer) null));
        boolean result = i == 2;
        reorders[i] =
            keep(result ? new reorder(blocked[i], user[i]) : new reorder(user[i], blocked[i]));
        reorderArgs[i] = keep(new IntMemoryMap());
        reorderArgs[i].put(DNNL_ARG_FROM, result ? blocked[i] : user[i]);
        reorderArgs[i].put(DNNL_ARG_TO, result ? user[i] : blocked[i]);
        opArgs.put(argKeys[i], blocked[i]);
      }
      if (k.bias()) {
        biasUser = keep(new memory(bDesc, eng, (Pointer) null));
        opArgs.put(DNNL_ARG_BIAS, biasUser);
      }
      LOG.debug("Winograd plan {}: {}", k, pd.impl_info_str().getString());
    }

    private <P extends Pointer> P keep(P p) {
      owned.add(p);
      return p;
    }

    /**
     * Runs the plan on the caller's operands {@code a}, {@code b} (and bias) into {@code out};
     * false, with nothing run, if the plan was dropped from the cache (and closed) meanwhile.
     */
    synchronized boolean run(Engine pool, INDArray a, INDArray b, INDArray bias, INDArray out) {
      if (closed) {
        return false;
      }
      INDArray[] arrays = {a, b, out};
      INDArray[] scratch = new INDArray[3];
      try {
        for (int i = 0; i < 3; i++) {
          // oneDNN's Winograd kernels load and store their blocked buffers aligned to 64 bytes
          long floats = (blocked[i].get_desc().get_size() + ALIGN + 3) / 4;
          scratch[i] = pool.alloc(DataType.FLOAT, new long[] {floats});
          user[i].set_data_handle(arrays[i].data().addressPointer());
          blocked[i].set_data_handle(aligned(scratch[i].data().addressPointer().address()));
        }
        if (biasUser != null) {
          biasUser.set_data_handle(bias.data().addressPointer());
        }
        stream s = Native.STREAM;
        reorders[0].execute(s, reorderArgs[0]);
        reorders[1].execute(s, reorderArgs[1]);
        op.execute(s, opArgs);
        reorders[2].execute(s, reorderArgs[2]);
        s._wait();
        return true;
      } finally {
        for (INDArray t : scratch) {
          if (t != null) {
            Kernels.free(t);
          }
        }
      }
    }

    /** A pointer to the first {@value #ALIGN}-byte boundary at or after {@code address}. */
    private static Pointer aligned(long address) {
      long a = (address + ALIGN - 1) & -ALIGN;
      return new Pointer() {
        {
          this.address = a;
        }
      };
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
   * oneDNN's CPU engine and stream, made once; {@code REASON} says why not where the native library
   * does not load or has no Winograd kernel for this processor (oneDNN has it for AVX-512 only).
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
        memory.desc wAny =
            new memory.desc(new long[] {16, 16, 3, 3}, memory.data_type.f32, memory.format_tag.any);
        long[] one = {1, 1};
        convolution_forward.primitive_desc pd =
            new convolution_forward.primitive_desc(
                new convolution_forward.desc(
                    prop_kind.forward_training,
                    algorithm.convolution_winograd,
                    any,
                    wAny,
                    any,
                    one,
                    one,
                    one),
                eng);
        impl = pd.impl_info_str().getString();
        pd.close();
      } catch (Throwable t) {
        reason = t.getClass().getSimpleName() + ": " + t.getMessage();
      }
      ENGINE = eng;
      STREAM = st;
      IMPL = impl;
      REASON = reason;
      LOG.debug(
          "3x3 convolutions: {}",
          reason == null ? "oneDNN Winograd (" + impl + ")" : "libnd4j (" + reason + ")");
    }
  }
}
