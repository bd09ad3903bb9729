package org.jgan.core.kernels;

import java.util.function.BiFunction;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.Op;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarAdd;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarMultiplication;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.api.ops.impl.transforms.custom.Max;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.DivOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Array-level kernels on ND4J: every result is a fresh, detached, C-ordered array that its caller
 * owns (and a {@code TensorScope} frees). ND4J's allocating convenience methods ({@code x.add(y)})
 * allocate zero-filled, garbage-collected memory and are many times slower for large arrays
 * (docs/benchmarks.md), so nothing here uses them. Allocation goes through the thread's {@link
 * Engine} (its pool and counters).
 */
public final class Kernels {
  private Kernels() {}

  /** An uninitialised detached array, from the current engine's pool when it holds one. */
  public static INDArray alloc(DataType type, long... shape) {
    return Engine.current().alloc(type, shape);
  }

  /**
   * Frees an array made by {@link #alloc} (its buffer goes to the current engine's pool when
   * pooled); null, views and already-freed arrays are left alone. Never pass an array ND4J
   * allocated, nor a permuted alias (which ND4J reports as closeable).
   */
  public static void free(INDArray a) {
    if (a != null && !a.wasClosed() && a.closeable()) {
      Engine.current().free(a);
    }
  }

  /** A detached array filled with {@code value}. */
  public static INDArray full(DataType type, double value, long... shape) {
    INDArray a = alloc(type, shape);
    a.assign(value);
    return a;
  }

  /** A detached, C-ordered copy. */
  public static INDArray copy(INDArray a) {
    return copy(a, a.dataType());
  }

  /** A detached, C-ordered copy converted to {@code type}. */
  public static INDArray copy(INDArray a, DataType type) {
    INDArray out = alloc(type, a.shape());
    out.assign(a);
    return out;
  }

  /** {@code a + b} with broadcasting. */
  public static INDArray add(INDArray a, INDArray b) {
    INDArray out = alloc(a.dataType(), broadcast(a, b));
    Nd4j.exec(new AddOp(new INDArray[] {a, b}, new INDArray[] {out}));
    return out;
  }

  /** {@code a - b} with broadcasting. */
  public static INDArray sub(INDArray a, INDArray b) {
    INDArray out = alloc(a.dataType(), broadcast(a, b));
    Nd4j.exec(new SubOp(new INDArray[] {a, b}, new INDArray[] {out}));
    return out;
  }

  /** {@code a * b} with broadcasting. */
  public static INDArray mul(INDArray a, INDArray b) {
    INDArray out = alloc(a.dataType(), broadcast(a, b));
    Nd4j.exec(new MulOp(new INDArray[] {a, b}, new INDArray[] {out}));
    return out;
  }

  /** {@code a / b} with broadcasting. */
  public static INDArray div(INDArray a, INDArray b) {
    INDArray out = alloc(a.dataType(), broadcast(a, b));
    Nd4j.exec(new DivOp(new INDArray[] {a, b}, new INDArray[] {out}));
    return out;
  }

  /** {@code target *= b} in place, {@code b} broadcast to {@code target}'s shape. */
  public static void mulInPlace(INDArray target, INDArray b) {
    Nd4j.exec(new MulOp(new INDArray[] {target, b}, new INDArray[] {target}));
  }

  /** {@code target += b} in place, {@code b} broadcast to {@code target}'s shape. */
  public static void addInPlace(INDArray target, INDArray b) {
    Nd4j.exec(new AddOp(new INDArray[] {target, b}, new INDArray[] {target}));
  }

  /** {@code a + c}. */
  public static INDArray addScalar(INDArray a, double c) {
    INDArray out = alloc(a.dataType(), a.shape());
    Nd4j.getExecutioner().exec(new ScalarAdd(a, null, out, c));
    return out;
  }

  /** {@code a * c}. */
  public static INDArray mulScalar(INDArray a, double c) {
    INDArray out = alloc(a.dataType(), a.shape());
    Nd4j.getExecutioner().exec(new ScalarMultiplication(a, null, out, c));
    return out;
  }

  /**
   * Applies an ND4J transform {@code (x, z) -> op} into a fresh array of {@code a}'s shape, e.g.
   * {@code unary(a, Exp::new)}.
   */
  public static INDArray unary(INDArray a, BiFunction<INDArray, INDArray, ? extends Op> op) {
    INDArray out = alloc(a.dataType(), a.shape());
    Nd4j.getExecutioner().exec(op.apply(a, out));
    return out;
  }

  /** Sum over {@code axes} (all axes when empty), keeping reduced axes as size 1 if asked. */
  public static INDArray sum(INDArray a, boolean keepDims, int... axes) {
    return Sums.sum(a, keepDims, axes);
  }

  /**
   * {@code max(x, alpha x)}, the leaky ReLU for {@code 0 <= alpha <= 1} without a mask: {@code
   * alpha x} into a fresh array, then the maximum into that array, or with {@code inPlace} into
   * {@code x}'s own (the scaled array is then freed). Two passes over memory against four for the
   * masked form that a backward needs.
   */
  public static INDArray leakyReluNoMask(INDArray x, double alpha, boolean inPlace) {
    INDArray scaled = mulScalar(x, alpha);
    INDArray out = inPlace ? x : scaled;
    Nd4j.exec(new Max(new INDArray[] {x, scaled}, new INDArray[] {out}));
    if (inPlace) {
      free(scaled);
    }
    return out;
  }

  /**
   * {@code x > 0 ? gain : gain alpha}, a fresh array: the leaky ReLU's derivative, which its
   * forward multiplies by. libnd4j's own {@code LeakyReLU} and {@code lrelu_bp} kernels are scalar
   * loops, several times slower on large arrays than this vectorised step and multiply.
   */
  public static INDArray leakyReluMask(INDArray x, double alpha, double gain) {
    INDArray m = unary(x, (a, z) -> new Step(a, z, 0.0));
    if (alpha != 0.0 || gain != 1.0) {
      m.muli(gain * (1.0 - alpha)).addi(gain * alpha);
    }
    return m;
  }

  /**
   * {@code gain * lrelu(x + b + n, alpha)} for {@code 0 <= alpha <= 1} and {@code gain > 0}: {@code
   * b} one value per channel (of {@code x}'s rank, size 1 except along {@code channelAxis}), {@code
   * n} one value per pixel ({@code x}'s shape with the channel axis 1); either may be null, and
   * with neither the channel axis is ignored. Into a fresh array, or with {@code inPlace} into
   * {@code x}'s own. On oneDNN's primitives (one pass over memory) where the engine has them and
   * the operands are dense float32 arrays; otherwise libnd4j's additions and {@link
   * #leakyReluNoMask}.
   */
  public static INDArray biasLeakyRelu(
      INDArray x,
      INDArray b,
      INDArray n,
      int channelAxis,
      double alpha,
      double gain,
      boolean inPlace) {
    DnnEltwise dnn = Engine.current().oneDnnEltwise();
    if (dnn != null) {
      INDArray out = dnn.biasLeakyRelu(x, b, n, channelAxis, alpha, gain, inPlace);
      if (out == null && n != null && b != null) {
        // oneDNN takes the bias but not this noise (channels first): the noise on its own first
        INDArray z = inPlace ? x : add(x, n);
        if (inPlace) {
          addInPlace(z, n);
        }
        out = dnn.biasLeakyRelu(z, b, null, channelAxis, alpha, gain, true);
        if (out == null) {
          return leakyReluComposed(z, b, null, alpha, gain, true);
        }
      }
      if (out != null) {
        return out;
      }
    }
    return leakyReluComposed(x, b, n, alpha, gain, inPlace);
  }

  /** {@link #biasLeakyRelu} on libnd4j's ops. */
  private static INDArray leakyReluComposed(
      INDArray x, INDArray b, INDArray n, double alpha, double gain, boolean inPlace) {
    INDArray z = x;
    boolean own = inPlace;
    for (INDArray term : new INDArray[] {n, b}) {
      if (term == null) {
        continue;
      }
      if (own) {
        addInPlace(z, term);
      } else {
        z = add(z, term);
        own = true;
      }
    }
    if (gain != 1.0) {
      if (own) {
        z.muli(gain);
      } else {
        z = mulScalar(z, gain);
        own = true;
      }
    }
    return leakyReluNoMask(z, alpha, own);
  }

  /**
   * {@code g * gain * (y > 0 ? 1 : alpha)}: the gradient of {@link #biasLeakyRelu} read from its
   * output {@code y} (whose sign is its input's for {@code alpha >= 0} and {@code gain > 0}), into
   * a fresh array.
   */
  public static INDArray leakyReluGrad(INDArray g, INDArray y, double alpha, double gain) {
    DnnEltwise dnn = Engine.current().oneDnnEltwise();
    INDArray out = dnn == null ? null : dnn.leakyReluGrad(g, y, alpha, gain);
    if (out != null) {
      return out;
    }
    INDArray m = leakyReluMask(y, alpha, gain);
    out = mul(g, m);
    free(m);
    return out;
  }

  /** Runs a libnd4j custom op by name with the given outputs and integer arguments. */
  public static void custom(String name, INDArray[] inputs, INDArray[] outputs, int... iargs) {
    exec(name, inputs, outputs, new double[0], new boolean[0], iargs);
  }

  /** Runs a libnd4j custom op with boolean and integer arguments. */
  public static void custom(
      String name, INDArray[] inputs, INDArray[] outputs, boolean[] bargs, int... iargs) {
    exec(name, inputs, outputs, new double[0], bargs, iargs);
  }

  /** Runs a libnd4j custom op with floating-point and integer arguments. */
  public static void custom(
      String name, INDArray[] inputs, INDArray[] outputs, double[] targs, int... iargs) {
    exec(name, inputs, outputs, targs, new boolean[0], iargs);
  }

  private static void exec(
      String name,
      INDArray[] inputs,
      INDArray[] outputs,
      double[] targs,
      boolean[] bargs,
      int[] iargs) {
    DynamicCustomOp.DynamicCustomOpsBuilder b =
        DynamicCustomOp.builder(name)
            .addInputs(inputs)
            .addOutputs(outputs)
            .addIntegerArguments(iargs);
    if (targs.length > 0) {
      Double[] t = new Double[targs.length];
      for (int i = 0; i < t.length; i++) {
        t[i] = targs[i];
      }
      b.addFloatingPointArguments(t);
    }
    if (bargs.length > 0) {
      b.addBooleanArguments(bargs);
    }
    Nd4j.exec(b.build());
  }

  /**
   * Checks that two operands have one element type.
   *
   * @throws IllegalArgumentException naming the op and both types
   */
  public static void checkSameType(String op, INDArray a, INDArray b) {
    if (a.dataType() != b.dataType()) {
      throw new IllegalArgumentException(
          op
              + ": operands have different types "
              + a.dataType()
              + " and "
              + b.dataType()
              + "; convert one with to(DType)");
    }
  }

  /** The shape {@code a} and {@code b} broadcast to. */
  static long[] broadcast(INDArray a, INDArray b) {
    return Shapes.broadcast(a.shape(), b.shape());
  }
}
