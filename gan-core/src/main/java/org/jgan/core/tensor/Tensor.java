package org.jgan.core.tensor;

import java.util.Arrays;
import java.util.function.Supplier;
import org.jgan.core.autograd.Autograd;
import org.jgan.core.autograd.GradMode;
import org.jgan.core.autograd.Node;
import org.jgan.core.kernels.Kernels;
import org.jgan.core.kernels.Shapes;
import org.jgan.core.ops.Abs;
import org.jgan.core.ops.Add;
import org.jgan.core.ops.AddScalar;
import org.jgan.core.ops.Cast;
import org.jgan.core.ops.Concat;
import org.jgan.core.ops.Div;
import org.jgan.core.ops.Exp;
import org.jgan.core.ops.Expand;
import org.jgan.core.ops.Flip;
import org.jgan.core.ops.GatherTaps;
import org.jgan.core.ops.LeakyRelu;
import org.jgan.core.ops.Log;
import org.jgan.core.ops.MatMul;
import org.jgan.core.ops.Mul;
import org.jgan.core.ops.MulScalar;
import org.jgan.core.ops.Neg;
import org.jgan.core.ops.Pad;
import org.jgan.core.ops.Permute;
import org.jgan.core.ops.PowScalar;
import org.jgan.core.ops.Relu;
import org.jgan.core.ops.Reshape;
import org.jgan.core.ops.Rsqrt;
import org.jgan.core.ops.Sigmoid;
import org.jgan.core.ops.Slice;
import org.jgan.core.ops.Softplus;
import org.jgan.core.ops.Sqrt;
import org.jgan.core.ops.Square;
import org.jgan.core.ops.Sub;
import org.jgan.core.ops.Sum;
import org.jgan.core.ops.Tanh;
import org.jgan.core.ops.Taps;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An n-dimensional array with reverse-mode automatic differentiation, after {@code torch.Tensor}.
 *
 * <p>A tensor is an immutable handle on one ND4J {@link INDArray} (C order; images are {@code [N,
 * C, H, W]}), a flag saying whether gradients flow into it, and, when an op computed it while
 * gradients were recorded, the {@link Node} that made it. Every math method returns a new tensor;
 * nothing here modifies an array in place. Leaves that require a gradient (and {@code Parameter}s,
 * which hold such a leaf) accumulate it in {@link #grad()} when {@link #backward()} runs.
 *
 * <p>Arrays made by ops belong to the innermost open {@link TensorScope} and are freed when it
 * closes; reading a freed tensor throws {@link IllegalStateException} rather than touching freed
 * native memory.
 */
public final class Tensor {
  private final INDArray data;
  private final boolean requiresGrad;
  private final Node node;
  private final boolean ownsGrad;
  private Tensor grad;

  private Tensor(INDArray data, boolean requiresGrad, Node node) {
    this(data, requiresGrad, node, false);
  }

  private Tensor(INDArray data, boolean requiresGrad, Node node, boolean ownsGrad) {
    this.data = data;
    this.requiresGrad = requiresGrad;
    this.node = node;
    this.ownsGrad = ownsGrad;
  }

  // ---------------------------------------------------------------- construction

  /**
   * Wraps an array made by an op. Used by {@link Autograd}; {@code node} is null for results that
   * carry no graph.
   */
  public static Tensor fromOp(INDArray data, Node node) {
    return new Tensor(data, node != null, node);
  }

  /** A constant (no gradient) over {@code data}; the caller keeps ownership of the array. */
  public static Tensor of(INDArray data) {
    DType.of(data.dataType());
    return new Tensor(data, false, null);
  }

  /**
   * A leaf over {@code data}; with {@code requiresGrad} it receives gradients. The caller keeps
   * ownership of the array. Its gradient, like the arrays of ops, belongs to the scope that is open
   * when {@link #backward()} delivers it, and is freed with that scope (with no scope open, the
   * garbage collector frees it).
   */
  public static Tensor leaf(INDArray data, boolean requiresGrad) {
    DType.of(data.dataType());
    return new Tensor(data, requiresGrad, null);
  }

  /**
   * A leaf that requires a gradient and owns it across scopes until {@link #clearGrad()}: what a
   * {@code Parameter} holds. The caller keeps ownership of the array.
   */
  public static Tensor parameterLeaf(INDArray data) {
    DType.of(data.dataType());
    return new Tensor(data, true, null, true);
  }

  /** A new array owned by the current scope, wrapped as a constant. */
  public static Tensor owned(INDArray data) {
    TensorScope.register(data);
    return of(data);
  }

  /** Zeros of the given type and shape. */
  public static Tensor zeros(DType type, long... shape) {
    return full(type, 0.0, shape);
  }

  /** Ones of the given type and shape. */
  public static Tensor ones(DType type, long... shape) {
    return full(type, 1.0, shape);
  }

  /** {@code value} everywhere. */
  public static Tensor full(DType type, double value, long... shape) {
    return owned(Kernels.full(type.nd4j(), value, shape));
  }

  /** A scalar (rank 0). */
  public static Tensor scalar(DType type, double value) {
    return full(type, value, new long[0]);
  }

  /** A float32 tensor from row-major values. */
  public static Tensor of(float[] values, long... shape) {
    checkLength(values.length, shape);
    INDArray a = Kernels.alloc(DType.FLOAT32.nd4j(), shape);
    a.assign(Nd4j.createFromArray(values).reshape('c', shape));
    return owned(a);
  }

  /** A float64 tensor from row-major values. */
  public static Tensor of(double[] values, long... shape) {
    checkLength(values.length, shape);
    INDArray a = Kernels.alloc(DType.FLOAT64.nd4j(), shape);
    a.assign(Nd4j.createFromArray(values).reshape('c', shape));
    return owned(a);
  }

  private static void checkLength(int length, long[] shape) {
    if (length != Shapes.numel(shape)) {
      throw new IllegalArgumentException(
          length
              + " values do not fill shape "
              + Shapes.str(shape)
              + " ("
              + Shapes.numel(shape)
              + " elements)");
    }
  }

  // ---------------------------------------------------------------- properties

  /**
   * The array behind this tensor. Treat it as read-only: modifying it in place corrupts any graph
   * that saved it.
   *
   * @throws IllegalStateException when the array was freed by its scope
   */
  public INDArray data() {
    if (data.wasClosed()) {
      throw new IllegalStateException(
          "tensor "
              + Shapes.str(data.shape())
              + " was freed when its TensorScope closed; keep it"
              + " with scope.keep(t) or compute it outside the scope");
    }
    return data;
  }

  /** The shape; a fresh copy (ND4J's {@code shape()} returns its internal array). */
  public long[] shape() {
    return data.shape().clone();
  }

  /** Size of axis {@code i} (negative counts from the end). */
  public long size(int i) {
    return data.size(Shapes.axis(i, data.rank()));
  }

  /** Number of axes. */
  public int rank() {
    return data.rank();
  }

  /** Number of elements. */
  public long numel() {
    return data.length();
  }

  /** Element type. */
  public DType dtype() {
    return DType.of(data.dataType());
  }

  /** Whether gradients flow into this tensor. */
  public boolean requiresGrad() {
    return requiresGrad;
  }

  /** The op node that computed this tensor, or null for leaves and constants. */
  public Node node() {
    return node;
  }

  /** True for tensors not computed by a recorded op. */
  public boolean isLeaf() {
    return node == null;
  }

  /**
   * The accumulated gradient of a leaf, or null if none has arrived (or, for a leaf that is not a
   * parameter's, if the scope that owned it has closed).
   */
  public Tensor grad() {
    return grad == null || grad.data.wasClosed() ? null : grad;
  }

  /**
   * Adds {@code g} to this leaf's gradient (a parameter leaf owns the buffer; any other leaf's
   * buffer belongs to the current scope, and a gradient whose scope has closed starts again from
   * zero). Used by the autograd engine.
   */
  public void accumulateGrad(INDArray g) {
    if (grad == null || grad.data.wasClosed()) {
      INDArray copy = Kernels.copy(g);
      if (!ownsGrad) {
        TensorScope.register(copy);
      }
      grad = Tensor.of(copy);
    } else {
      grad.data.addi(g);
    }
  }

  /** Frees and forgets this leaf's gradient (PyTorch's {@code zero_grad(set_to_none=True)}). */
  public void clearGrad() {
    if (grad != null) {
      Kernels.free(grad.data);
      grad = null;
    }
  }

  /** The single value of a one-element tensor. */
  public double item() {
    if (numel() != 1) {
      throw new IllegalStateException(
          "item() needs one element, tensor has shape " + Shapes.str(shape()));
    }
    return data().getDouble(0);
  }

  /** All values in row-major order. */
  public double[] toDoubleArray() {
    return data().dup('c').data().asDouble();
  }

  /** All values in row-major order as floats. */
  public float[] toFloatArray() {
    return data().dup('c').data().asFloat();
  }

  /** A tensor over the same array that carries no graph and requires no gradient. */
  public Tensor detach() {
    return new Tensor(data(), false, null);
  }

  @Override
  public String toString() {
    return "Tensor"
        + Arrays.toString(data.shape())
        + " "
        + dtype()
        + (node != null ? " grad_fn=" + node.op().name() : requiresGrad ? " requires_grad" : "");
  }

  // ---------------------------------------------------------------- autograd

  /** Back-propagates from this scalar, accumulating into leaves' {@link #grad()}. */
  public void backward() {
    Autograd.backward(this, null, false);
  }

  /** Back-propagates {@code gradOutput} (same shape as this tensor) into leaves. */
  public void backward(Tensor gradOutput) {
    Autograd.backward(this, gradOutput, false);
  }

  // ---------------------------------------------------------------- elementwise

  /** {@code this + other}, broadcasting. */
  public Tensor add(Tensor other) {
    return Autograd.apply(new Add(), this, other);
  }

  /** {@code this - other}, broadcasting. */
  public Tensor sub(Tensor other) {
    return Autograd.apply(new Sub(), this, other);
  }

  /** {@code this * other}, broadcasting. */
  public Tensor mul(Tensor other) {
    return Autograd.apply(new Mul(), this, other);
  }

  /** {@code this / other}, broadcasting. */
  public Tensor div(Tensor other) {
    return Autograd.apply(new Div(), this, other);
  }

  /** {@code this + c}. */
  public Tensor add(double c) {
    return Autograd.apply(new AddScalar(c), this);
  }

  /** {@code this - c}. */
  public Tensor sub(double c) {
    return add(-c);
  }

  /** {@code c - this}. */
  public Tensor rsub(double c) {
    return neg().add(c);
  }

  /** {@code this * c}. */
  public Tensor mul(double c) {
    return Autograd.apply(new MulScalar(c), this);
  }

  /** {@code this / c}. */
  public Tensor div(double c) {
    return mul(1.0 / c);
  }

  /** {@code this ^ p} for a constant exponent. */
  public Tensor pow(double p) {
    return Autograd.apply(new PowScalar(p), this);
  }

  /** {@code -this}. */
  public Tensor neg() {
    return Autograd.apply(new Neg(), this);
  }

  /** {@code e^this}. */
  public Tensor exp() {
    return Autograd.apply(new Exp(), this);
  }

  /** Natural logarithm. */
  public Tensor log() {
    return Autograd.apply(new Log(), this);
  }

  /** Square root. */
  public Tensor sqrt() {
    return Autograd.apply(new Sqrt(), this);
  }

  /** {@code 1 / sqrt(this)}. */
  public Tensor rsqrt() {
    return Autograd.apply(new Rsqrt(), this);
  }

  /** Absolute value. */
  public Tensor abs() {
    return Autograd.apply(new Abs(), this);
  }

  /** {@code this^2}. */
  public Tensor square() {
    return Autograd.apply(new Square(), this);
  }

  /** {@code max(this, 0)}. */
  public Tensor relu() {
    return Autograd.apply(new Relu(), this);
  }

  /** {@code this > 0 ? this : alpha * this}. */
  public Tensor leakyRelu(double alpha) {
    return leakyRelu(alpha, 1.0);
  }

  /** {@code gain * (this > 0 ? this : alpha * this)} in one op (StyleGAN2's lrelu with gain). */
  public Tensor leakyRelu(double alpha, double gain) {
    return Autograd.apply(new LeakyRelu(alpha, gain, GradMode.isEnabled() && requiresGrad()), this);
  }

  /** Logistic sigmoid. */
  public Tensor sigmoid() {
    return Autograd.apply(new Sigmoid(), this);
  }

  /** Hyperbolic tangent. */
  public Tensor tanh() {
    return Autograd.apply(new Tanh(), this);
  }

  /** {@code log(1 + e^this)}, computed without overflow. */
  public Tensor softplus() {
    return Autograd.apply(new Softplus(), this);
  }

  /** Converts to another element type (differentiable; the gradient is converted back). */
  public Tensor to(DType type) {
    return type == dtype() ? this : Autograd.apply(new Cast(type), this);
  }

  // ---------------------------------------------------------------- reductions

  /** Sum of all elements, as a scalar (rank 0). */
  public Tensor sum() {
    return Autograd.apply(new Sum(new int[0], false), this);
  }

  /** Sum over {@code axes} (negative counts from the end). */
  public Tensor sum(boolean keepDims, int... axes) {
    return Autograd.apply(new Sum(normalize(axes), keepDims), this);
  }

  /** Mean of all elements, as a scalar. */
  public Tensor mean() {
    return sum().mul(1.0 / numel());
  }

  /** Mean over {@code axes}. */
  public Tensor mean(boolean keepDims, int... axes) {
    int[] ax = normalize(axes);
    long n = 1;
    for (int a : ax) {
      n *= size(a);
    }
    return sum(keepDims, ax).mul(1.0 / n);
  }

  /**
   * Variance over {@code axes}: {@code mean((x - mean(x))^2)}, divided by {@code n} (biased, as in
   * instance and batch norm) or by {@code n - 1} when {@code unbiased}.
   */
  public Tensor variance(boolean keepDims, boolean unbiased, int... axes) {
    int[] ax = normalize(axes);
    long n = 1;
    for (int a : ax) {
      n *= size(a);
    }
    Tensor centered = sub(mean(true, ax));
    Tensor ss = centered.square().sum(keepDims, ax);
    return ss.mul(1.0 / (unbiased ? n - 1 : n));
  }

  /** Sums this tensor down to {@code shape}, the reverse of broadcasting. */
  public Tensor sumTo(long... shape) {
    long[] s = shape();
    if (Arrays.equals(s, shape)) {
      return this;
    }
    int lead = s.length - shape.length;
    if (lead < 0) {
      throw new IllegalArgumentException(
          "cannot sum " + Shapes.str(s) + " down to the larger rank of " + Shapes.str(shape));
    }
    int[] axes = new int[s.length];
    int n = 0;
    for (int i = 0; i < s.length; i++) {
      if (i < lead || (shape[i - lead] == 1 && s[i] != 1)) {
        axes[n++] = i;
      } else if (shape[i - lead] != s[i]) {
        throw new IllegalArgumentException(
            "cannot sum " + Shapes.str(s) + " down to " + Shapes.str(shape));
      }
    }
    Tensor r = n == 0 ? this : sum(true, Arrays.copyOf(axes, n));
    return r.reshape(shape);
  }

  private int[] normalize(int[] axes) {
    int[] out = new int[axes.length];
    for (int i = 0; i < axes.length; i++) {
      out[i] = Shapes.axis(axes[i], rank());
    }
    Arrays.sort(out);
    for (int i = 1; i < out.length; i++) {
      if (out[i] == out[i - 1]) {
        throw new IllegalArgumentException(
            "axis " + out[i] + " given twice in " + Arrays.toString(axes));
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- shape

  /** Same elements in a new shape; one size may be {@code -1} (inferred). */
  public Tensor reshape(long... shape) {
    long[] s = shape.clone();
    int infer = -1;
    long known = 1;
    for (int i = 0; i < s.length; i++) {
      if (s[i] == -1) {
        if (infer >= 0) {
          throw new IllegalArgumentException("only one size may be -1 in " + Shapes.str(shape));
        }
        infer = i;
      } else {
        known *= s[i];
      }
    }
    if (infer >= 0) {
      s[infer] = known == 0 ? 0 : numel() / known;
    }
    if (Shapes.numel(s) != numel()) {
      throw new IllegalArgumentException(
          "cannot reshape "
              + Shapes.str(shape())
              + " ("
              + numel()
              + " elements) to "
              + Shapes.str(shape));
    }
    return Arrays.equals(s, shape()) ? this : Autograd.apply(new Reshape(s), this);
  }

  /**
   * The same values in row-major memory: this tensor when it already is, otherwise a copy (after
   * {@link #permute}, for instance), as PyTorch's {@code contiguous()}.
   */
  public Tensor contiguous() {
    INDArray d = data();
    if (d.ordering() == 'c' && Shape.hasDefaultStridesForShape(d)) {
      return this;
    }
    return Autograd.apply(new Reshape(shape()), this);
  }

  /** Flattens axes {@code from..end} into one. */
  public Tensor flatten(int from) {
    int f = Shapes.axis(from, rank());
    long[] s = shape();
    long[] out = Arrays.copyOf(s, f + 1);
    out[f] = -1;
    return reshape(out);
  }

  /** Inserts a size-1 axis at {@code axis}. */
  public Tensor unsqueeze(int axis) {
    long[] s = shape();
    int a = axis < 0 ? axis + s.length + 1 : axis;
    long[] out = new long[s.length + 1];
    for (int i = 0, j = 0; i < out.length; i++) {
      out[i] = i == a ? 1 : s[j++];
    }
    return reshape(out);
  }

  /** Removes the size-1 axis {@code axis}. */
  public Tensor squeeze(int axis) {
    int a = Shapes.axis(axis, rank());
    long[] s = shape();
    if (s[a] != 1) {
      throw new IllegalArgumentException("cannot squeeze axis " + a + " of size " + s[a]);
    }
    long[] out = new long[s.length - 1];
    for (int i = 0, j = 0; i < s.length; i++) {
      if (i != a) {
        out[j++] = s[i];
      }
    }
    return reshape(out);
  }

  /** Reorders axes: result axis {@code i} is input axis {@code perm[i]}. */
  public Tensor permute(int... perm) {
    return Autograd.apply(new Permute(perm), this);
  }

  /** Swaps two axes. */
  public Tensor transpose(int a, int b) {
    int[] perm = new int[rank()];
    for (int i = 0; i < perm.length; i++) {
      perm[i] = i;
    }
    int x = Shapes.axis(a, rank());
    int y = Shapes.axis(b, rank());
    perm[x] = y;
    perm[y] = x;
    return permute(perm);
  }

  /**
   * Broadcasts to {@code shape} (materialised); size-1 axes are repeated and missing leading axes
   * added; {@code -1} keeps a size.
   */
  public Tensor expand(long... shape) {
    long[] s = shape();
    long[] target = shape.clone();
    for (int i = 0; i < target.length; i++) {
      int j = i - (target.length - s.length);
      if (target[i] == -1) {
        target[i] = s[j];
      }
    }
    Shapes.broadcast(s, target);
    return Arrays.equals(s, target) ? this : Autograd.apply(new Expand(target), this);
  }

  /** Elements {@code start..end-1} along {@code axis} (copied). */
  public Tensor slice(int axis, long start, long end) {
    int a = Shapes.axis(axis, rank());
    long n = size(a);
    if (start < 0 || end > n || start >= end) {
      throw new IllegalArgumentException(
          "slice [" + start + ", " + end + ") out of range for axis " + a + " of size " + n);
    }
    return start == 0 && end == n ? this : Autograd.apply(new Slice(a, start, end), this);
  }

  /** Reverses the order of elements along {@code axes}. */
  public Tensor flip(int... axes) {
    return Autograd.apply(new Flip(normalize(axes)), this);
  }

  /** Zero-pads {@code before} and {@code after} elements along {@code axis}. */
  public Tensor pad(int axis, long before, long after) {
    if (before < 0 || after < 0) {
      throw new IllegalArgumentException("padding must be >= 0, got " + before + ", " + after);
    }
    return before == 0 && after == 0
        ? this
        : Autograd.apply(new Pad(Shapes.axis(axis, rank()), before, after), this);
  }

  /** Joins tensors of equal shape but for {@code axis}. */
  public static Tensor concat(int axis, Tensor... tensors) {
    if (tensors.length == 0) {
      throw new IllegalArgumentException("concat needs at least one tensor");
    }
    if (tensors.length == 1) {
      return tensors[0];
    }
    return Autograd.apply(new Concat(Shapes.axis(axis, tensors[0].rank())), tensors);
  }

  /** Stacks tensors of equal shape along a new axis. */
  public static Tensor stack(int axis, Tensor... tensors) {
    Tensor[] u = new Tensor[tensors.length];
    for (int i = 0; i < u.length; i++) {
      u[i] = tensors[i].unsqueeze(axis);
    }
    return concat(axis, u);
  }

  /**
   * Resamples images {@code [N, C, H, W]} through a sparse linear map per image ({@link Taps}):
   * output pixel {@code p} of image {@code n} is {@code sum_k weight[n, p, k]} times image {@code
   * n}'s pixel {@code index[n, p, k] = y W + x}, in every channel. Bilinear warps are four taps;
   * the gradient is the transposed map (and is differentiable again).
   */
  public Tensor gatherTaps(INDArray index, INDArray weight, long outH, long outW) {
    return gatherTaps(new Taps(index, weight, size(2), size(3), outH, outW));
  }

  /** Resamples images {@code [N, C, inH, inW]} through {@code taps} ({@link #gatherTaps}). */
  public Tensor gatherTaps(Taps taps) {
    return Autograd.apply(new GatherTaps(taps), this);
  }

  // ---------------------------------------------------------------- linear algebra

  /** Matrix product of two rank-2 tensors. */
  public Tensor matmul(Tensor other) {
    return matmul(other, false, false);
  }

  /** {@code op(this) @ op(other)} where {@code op} transposes when its flag is set. */
  public Tensor matmul(Tensor other, boolean transposeThis, boolean transposeOther) {
    return Autograd.apply(new MatMul(transposeThis, transposeOther), this, other);
  }

  /**
   * {@code alpha op(this) @ op(other)}: the factor goes to the GEMM kernel, forward and backward,
   * instead of a pass over either operand.
   */
  public Tensor matmul(Tensor other, boolean transposeThis, boolean transposeOther, double alpha) {
    return Autograd.apply(new MatMul(transposeThis, transposeOther, alpha), this, other);
  }

  /** Runs {@code body} with gradient recording off (PyTorch's {@code torch.no_grad()}). */
  public static <T> T noGrad(Supplier<T> body) {
    try (GradMode.Guard g = GradMode.disabled()) {
      return body.get();
    }
  }
}
