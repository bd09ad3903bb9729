package org.jgan.core.kernels;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_FROM;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_TO;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;

import java.util.ArrayList;
import java.util.List;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Float32 convolutions on oneDNN's primitives, called through oneDNN's JavaCPP preset with each
 * shape's primitives made once and kept: libnd4j's own oneDNN calls make a primitive (and compile
 * its kernel) on every call, always with the direct algorithm, which costs more than the
 * convolution itself on small maps and single-channel layers (docs/benchmarks.md). Two algorithms:
 * {@link Algo#WINOGRAD} ({@code F(4x4, 3x3)}, 3x3 stride 1 only; {@link Winograd} decides where)
 * and {@link Algo#DIRECT} (any kernel, stride and padding).
 *
 * <p>Three directions of one convolution {@code y = conv(x, w)}, {@code w [O, I, kH, kW]}: its
 * forward (with an optional bias), its input gradient (backward data: also the transposed
 * convolution with weight {@code [I, O, kH, kW]} read as the convolution's {@code [O, I]}) and its
 * weight gradient (backward weights). oneDNN floors output sizes as the library does, so the input
 * gradient of a convolution that dropped rows (a transposed convolution with output padding) is one
 * call too.
 *
 * <p>Each call converts its operands to oneDNN's blocked layouts, runs the primitive and converts
 * the result back; the blocked buffers are arrays from the engine's pool, freed before the call
 * returns, so nothing native outlives a call except the primitives, kept per shape (at most {@value
 * #PLANS} per engine, least recently used dropped). oneDNN runs on the same OpenMP runtime as
 * libnd4j (one {@code libgomp}), so no second thread pool competes for the cores. Callers get
 * {@code null} (and take libnd4j's kernels) where an operand is not a dense C-ordered float32
 * buffer from offset 0, where oneDNN has no kernel for the shape or only its naive reference kernel
 * ({@code ref:any}, which took the default DCGAN's discriminator head, a 7x7 convolution of a 7x7
 * map to one channel, and made training twice as slow), or where the native library does not load
 * ({@link #REASON}).
 */
final class DnnConv {
  private static final Logger LOG = LoggerFactory.getLogger(DnnConv.class);

  /**
   * Fewest channels on both sides for which an NCHW convolution runs on oneDNN's blocked layout
   * ({@code nChw16c}): below, its plain layout measured faster (docs/benchmarks.md).
   */
  static final int BLOCK_CHANNELS = 16;

  /** Primitives kept, one per shape, direction and algorithm. */
  static final int PLANS = 64;

  /** Why oneDNN cannot be called directly on this machine, or null when it can. */
  static final String REASON = Native.REASON;

  /** oneDNN's convolution algorithms used here. */
  enum Algo {
    /** Winograd {@code F(4x4, 3x3)}: 3x3, stride 1, AVX-512 only. */
    WINOGRAD,
    /** The direct algorithm (oneDNN's JIT kernels, as libnd4j runs them). */
    DIRECT
  }

  /** What a plan computes: the convolution, its input gradient, or its weight gradient. */
  enum Direction {
    FORWARD,
    BACKWARD_DATA,
    BACKWARD_WEIGHTS
  }

  /**
   * A convolution of {@code [n, in, h, w]} maps to {@code [n, out, oh, ow]} with a {@code kh x kw}
   * kernel (for the gradients: of the convolution they are the gradients of).
   */
  private record Key(
      Direction direction,
      Algo algo,
      DataFormat format,
      long n,
      long in,
      long out,
      long h,
      long w,
      long oh,
      long ow,
      long kh,
      long kw,
      int stride,
      int padding,
      boolean bias) {}

  private final Engine owner;
  private final KeptPlans<Key, Plan> plans = new KeptPlans<>(PLANS);

  /** oneDNN's convolutions for {@code owner}: its pool serves their scratch buffers. */
  DnnConv(Engine owner) {
    this.owner = owner;
  }

  /** Whether oneDNN's Winograd kernel loaded and runs on this machine (AVX-512). */
  static boolean winogradSupported() {
    return Native.REASON == null && Native.WINOGRAD_REASON == null;
  }

  /** Why there is no Winograd kernel here, or null; the kernel's name is {@link #winogradImpl}. */
  static String winogradReason() {
    return Native.REASON != null ? Native.REASON : Native.WINOGRAD_REASON;
  }

  /** oneDNN's name for its Winograd kernel on this machine, or null. */
  static String winogradImpl() {
    return Native.WINOGRAD_IMPL;
  }

  /**
   * {@code conv2d(x, w) + b}: {@code x} in the geometry's format, {@code w [O, I, kH, kW]}, {@code
   * b [O]} or null, output {@code [N, O, oh, ow]}; null where not for oneDNN (see the class
   * comment).
   */
  INDArray forward(INDArray x, INDArray w, INDArray b, ConvGeometry geo, Algo algo) {
    if (!usable(x, w, b)) {
      return null;
    }
    Key k = forwardKey(x, w, geo, algo, b != null);
    return run(plan(k), x, w, b, geo.format().shape(x.size(0), k.out(), k.oh(), k.ow()));
  }

  /**
   * The input gradient {@code [N, I, h, wd]} of a convolution with weight {@code w [O, I, kH, kW]}
   * whose output gradient is {@code g [N, O, ...]}: the transposed convolution of {@code g} with
   * {@code w} read as {@code [I', O', kH, kW]} = {@code [O, I]}; null where not for oneDNN.
   */
  INDArray backwardData(INDArray g, INDArray w, ConvGeometry geo, long h, long wd, Algo algo) {
    if (!usable(g, w, null)) {
      return null;
    }
    long[] src = {g.size(0), w.size(1), h, wd};
    Key k = key(Direction.BACKWARD_DATA, algo, geo, src, dims(g, geo), w.size(2), w.size(3), false);
    return run(plan(k), g, w, null, geo.format().shape(src[0], src[1], h, wd));
  }

  /**
   * The weight gradient {@code [O, I, kh, kw]} of a convolution with input {@code x [N, I, ...]}
   * and output gradient {@code gy [N, O, ...]}; null where not for oneDNN.
   */
  INDArray backwardWeights(INDArray x, INDArray gy, ConvGeometry geo, long kh, long kw, Algo algo) {
    if (!usable(x, gy, null)) {
      return null;
    }
    Key k = key(Direction.BACKWARD_WEIGHTS, algo, geo, dims(x, geo), dims(gy, geo), kh, kw, false);
    return run(plan(k), x, gy, null, new long[] {k.out(), k.in(), kh, kw});
  }

  /**
   * {@link #backwardWeights} and the bias gradient {@code [O]} (the sum of {@code gy} over all but
   * its channel axis) from one primitive, which reads {@code gy} once for both: {@code {dW, db}};
   * null where not for oneDNN.
   */
  INDArray[] backwardWeightsAndBias(
      INDArray x, INDArray gy, ConvGeometry geo, long kh, long kw, Algo algo) {
    if (!usable(x, gy, null)) {
      return null;
    }
    Key k = key(Direction.BACKWARD_WEIGHTS, algo, geo, dims(x, geo), dims(gy, geo), kh, kw, true);
    Plan plan = plan(k);
    if (plan == null) {
      return null;
    }
    INDArray gb = owner.alloc(DataType.FLOAT, new long[] {k.out()});
    INDArray gw = run(plan, x, gy, gb, new long[] {k.out(), k.in(), kh, kw});
    if (gw == null) {
      Kernels.free(gb);
      return null;
    }
    return new INDArray[] {gw, gb};
  }

  /** The forward convolution of {@code x} with {@code w [O, I, kH, kW]}. */
  private static Key forwardKey(INDArray x, INDArray w, ConvGeometry geo, Algo algo, boolean bias) {
    long[] dst = {
      x.size(0),
      w.size(0),
      geo.convOut(geo.height(x), w.size(2)),
      geo.convOut(geo.width(x), w.size(3))
    };
    return key(Direction.FORWARD, algo, geo, dims(x, geo), dst, w.size(2), w.size(3), bias);
  }

  /** {@code {n, c, h, w}} of a map in the geometry's layout. */
  private static long[] dims(INDArray a, ConvGeometry geo) {
    return new long[] {a.size(0), geo.channels(a), geo.height(a), geo.width(a)};
  }

  /**
   * The key of a convolution from its source map {@code src} to its destination {@code dst}, both
   * {@code {n, c, h, w}}, with a {@code kh x kw} kernel.
   */
  private static Key key(
      Direction d,
      Algo algo,
      ConvGeometry geo,
      long[] src,
      long[] dst,
      long kh,
      long kw,
      boolean bias) {
    return new Key(
        d,
        algo,
        geo.format(),
        src[0],
        src[1],
        dst[1],
        src[2],
        src[3],
        dst[2],
        dst[3],
        kh,
        kw,
        geo.stride(),
        geo.padding(),
        bias);
  }

  /** Dense float32 operands (the bias may be null) and a native library that loaded. */
  private static boolean usable(INDArray a, INDArray b, INDArray bias) {
    return Native.REASON == null
        && a.rank() == 4
        && b.rank() == 4
        && a.dataType() == DataType.FLOAT
        && b.dataType() == DataType.FLOAT
        && (bias == null || bias.dataType() == DataType.FLOAT && dense(bias))
        && dense(a)
        && dense(b);
  }

  /**
   * A C-ordered array with default strides from the start of its buffer: its pointer is its data.
   * Axes of size 1 may have any stride (ND4J gives them various ones).
   */
  static boolean dense(INDArray a) {
    if (a.offset() != 0) {
      return false;
    }
    long expected = 1;
    for (int i = a.rank() - 1; i >= 0; i--) {
      if (a.size(i) != 1 && a.stride(i) != expected) {
        return false;
      }
      expected *= a.size(i);
    }
    return a.length() == 0 || a.data().length() >= expected;
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
    owner.countDnn(plan.winograd);
    return out;
  }

  /**
   * Whether oneDNN has a kernel of {@code algo} for the forward convolution of {@code x} with
   * {@code w [O, I, kH, kW]} (making its plan if needed).
   */
  boolean hasForward(INDArray x, INDArray w, ConvGeometry geo, Algo algo) {
    return usable(x, w, null) && plan(forwardKey(x, w, geo, algo, false)) != null;
  }

  /**
   * The plan for this shape, made on first use; null where oneDNN has no kernel for it (or the
   * sizes do not fit), or after {@link #close()}.
   */
  private Plan plan(Key key) {
    if (key.oh() < 1 || key.ow() < 1) {
      return null;
    }
    return plans.get(key, Plan::new);
  }

  /** Frees every plan; later calls fall back to libnd4j. */
  void close() {
    plans.close();
  }

  /**
   * The primitives of one shape, direction and algorithm: two operands, each reordered from the
   * caller's layout into oneDNN's blocked one, the primitive, and the reorder of its result back,
   * with their argument maps. The memory objects carry no buffers of their own; each call points
   * them at the caller's arrays and at pooled scratch arrays.
   *
   * <pre>
   *   direction         operand a        operand b        result
   *   FORWARD           src x            weights w        dst
   *   BACKWARD_DATA     diff_dst g       weights w        diff_src
   *   BACKWARD_WEIGHTS  src x            diff_dst gy      diff_weights
   * </pre>
   *
   * A plan with a bias reads it in the forward direction and writes its gradient ({@code
   * diff_bias}) in the backward-weights one.
   */
  private static final class Plan implements KeptPlans.Plan {
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
    private boolean winograd;

    /**
     * The plan of {@code k}; throws (having freed what it made) where oneDNN has no kernel for it.
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
      winograd = k.algo() == Algo.WINOGRAD;
      engine eng = Native.ENGINE;
      memory.format_tag tag =
          k.format() == DataFormat.NHWC ? memory.format_tag.nhwc : memory.format_tag.nchw;
      long[] inDims = {k.n(), k.in(), k.h(), k.w()};
      long[] outDims = {k.n(), k.out(), k.oh(), k.ow()};
      long[] wDims = {k.out(), k.in(), k.kh(), k.kw()};
      // the maps' layout for the primitive: Winograd needs its blocked layout; the direct kernels
      // run channels-last maps as they are, and channels-first ones in 16-channel blocks unless a
      // side has too few channels to fill one (a DCGAN image layer: 5-8x faster unblocked)
      boolean unblocked =
          !winograd
              && (k.format() == DataFormat.NHWC || Math.min(k.in(), k.out()) < BLOCK_CHANNELS);
      memory.format_tag maps = unblocked ? tag : memory.format_tag.any;
      memory.desc inAny = keep(new memory.desc(inDims, memory.data_type.f32, maps));
      memory.desc outAny = keep(new memory.desc(outDims, memory.data_type.f32, maps));
      memory.desc wAny = keep(new memory.desc(wDims, memory.data_type.f32, memory.format_tag.any));
      memory.desc bDesc =
          keep(new memory.desc(new long[] {k.out()}, memory.data_type.f32, memory.format_tag.x));
      long[] strides = {k.stride(), k.stride()};
      long[] padL = {k.padding(), k.padding()};
      // oneDNN floors as the library does: the same padding on the right gives the same sizes
      long[] padRight = padL;
      algorithm algo = winograd ? algorithm.convolution_winograd : algorithm.convolution_direct;
      convolution_forward.desc fd =
          keep(
              k.bias()
                  ? new convolution_forward.desc(
                      prop_kind.forward_training,
                      algo,
                      inAny,
                      wAny,
                      bDesc,
                      outAny,
                      strides,
                      padL,
                      padRight)
                  : new convolution_forward.desc(
                      prop_kind.forward_training,
                      algo,
                      inAny,
                      wAny,
                      outAny,
                      strides,
                      padL,
                      padRight));
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
                  algo, inAny, wAny, outAny, strides, padL, padRight);
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
              k.bias()
                  ? new convolution_backward_weights.desc(
                      algo, inAny, wAny, bDesc, outAny, strides, padL, padRight)
                  : new convolution_backward_weights.desc(
                      algo, inAny, wAny, outAny, strides, padL, padRight);
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
        memory.desc plain = keep(new memory.desc(dims[i], memory.data_type.f32, tags[i]));
        user[i] = keep(new memory(plain, eng, (Pointer) null));
        if (layouts[i].equals(plain)) {
          // oneDNN works on the caller's layout: no reorder, no scratch buffer
          opArgs.put(argKeys[i], user[i]);
          continue;
        }
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
        // the forward reads the bias; the backward-weights primitive writes its gradient
        biasUser = keep(new memory(bDesc, eng, (Pointer) null));
        opArgs.put(
            k.direction() == Direction.BACKWARD_WEIGHTS ? DNNL_ARG_DIFF_BIAS : DNNL_ARG_BIAS,
            biasUser);
      }
      KeptPlans.fastKernel(pd, k);
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
          user[i].set_data_handle(arrays[i].data().addressPointer());
          if (blocked[i] != null) {
            // oneDNN's kernels load and store their blocked buffers aligned to 64 bytes
            long floats = (blocked[i].get_desc().get_size() + ALIGN + 3) / 4;
            scratch[i] = pool.alloc(DataType.FLOAT, new long[] {floats});
            blocked[i].set_data_handle(aligned(scratch[i].data().addressPointer().address()));
          }
        }
        if (biasUser != null) {
          biasUser.set_data_handle(bias.data().addressPointer());
        }
        stream s = Native.STREAM;
        for (int i = 0; i < 2; i++) {
          if (reorders[i] != null) {
            reorders[i].execute(s, reorderArgs[i]);
          }
        }
        op.execute(s, opArgs);
        if (reorders[2] != null) {
          reorders[2].execute(s, reorderArgs[2]);
        }
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

    @Override
    public synchronized void close() {
      closed = true;
      for (int i = owned.size() - 1; i >= 0; i--) {
        owned.get(i).close();
      }
      owned.clear();
    }
  }

  /**
   * oneDNN's CPU engine and stream, made once; {@code REASON} says why not where the native library
   * does not load, {@code WINOGRAD_REASON} why there is no Winograd kernel for this processor
   * (oneDNN has it for AVX-512 only).
   */
  static final class Native {
    static final engine ENGINE;
    static final stream STREAM;
    static final String REASON;
    static final String WINOGRAD_IMPL;
    static final String WINOGRAD_REASON;

    static {
      engine eng = null;
      stream st = null;
      String reason = null;
      String impl = null;
      String winoReason = null;
      try {
        eng = new engine(engine.kind.cpu, 0);
        st = new stream(eng);
      } catch (Throwable t) {
        reason = t.getClass().getSimpleName() + ": " + t.getMessage();
      }
      if (reason == null) {
        try {
          long[] dims = {1, 16, 8, 8};
          memory.desc any = new memory.desc(dims, memory.data_type.f32, memory.format_tag.any);
          memory.desc wAny =
              new memory.desc(
                  new long[] {16, 16, 3, 3}, memory.data_type.f32, memory.format_tag.any);
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
          winoReason = t.getClass().getSimpleName() + ": " + t.getMessage();
        }
      }
      ENGINE = eng;
      STREAM = st;
      REASON = reason;
      WINOGRAD_IMPL = impl;
      WINOGRAD_REASON = winoReason;
      LOG.debug(
          "oneDNN: {}; Winograd: {}",
          reason == null ? "loaded" : reason,
          winoReason == null ? impl : winoReason);
    }
  }
}
