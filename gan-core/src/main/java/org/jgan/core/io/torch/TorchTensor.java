package org.jgan.core.io.torch;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.jgan.core.io.SafeTensors;
import org.jgan.core.io.WeightFileException;
import org.jgan.core.io.WeightFileException.Kind;
import org.jgan.core.kernels.Shapes;
import org.jgan.core.tensor.Tensor;

/**
 * A tensor of a PyTorch file, as {@code torch._utils._rebuild_tensor_v2} describes it: a view of
 * {@link #shape()} with element strides {@link #stride()} from element {@link #offset()} of a
 * storage. The view is checked against the storage when it is made; values are copied out only when
 * asked for ({@link #toTensor()}, {@link #toDoubles()}).
 */
public final class TorchTensor {
  private final TorchStorage storage;
  private final TorchDType dtype;
  private final long offset;
  private final long[] shape;
  private final long[] stride;

  private TorchTensor(
      TorchStorage storage, TorchDType dtype, long offset, long[] shape, long[] stride) {
    this.storage = storage;
    this.dtype = dtype;
    this.offset = offset;
    this.shape = shape;
    this.stride = stride;
  }

  /**
   * The view of {@code storage}, read as {@code dtype} (its own type unless the file reinterprets
   * an untyped storage), after checking that every element it reaches lies in the storage and that
   * it has no more elements than the storage (a broadcast view would have to be expanded).
   */
  static TorchTensor view(
      TorchStorage storage,
      TorchDType dtype,
      long offset,
      long[] shape,
      long[] stride,
      String source)
      throws WeightFileException {
    if (shape.length != stride.length || shape.length > 16) {
      throw bad(source, "a tensor of rank " + shape.length + " with " + stride.length + " strides");
    }
    long capacity = storage.byteLength() / dtype.bytes();
    long numel = 1;
    long last = offset;
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] < 0 || stride[i] < 0) {
        throw bad(source, "a tensor with a negative size or stride " + Shapes.str(shape));
      }
      numel = Math.multiplyHigh(numel, shape[i]) != 0 ? Long.MAX_VALUE : numel * shape[i];
      if (numel > capacity) {
        throw bad(
            source,
            "a tensor of shape "
                + Shapes.str(shape)
                + " has more elements than its storage's "
                + capacity);
      }
      try {
        last = Math.addExact(last, Math.multiplyExact(Math.max(shape[i] - 1, 0), stride[i]));
      } catch (ArithmeticException e) {
        last = Long.MAX_VALUE; // reported below as reaching past the storage
      }
    }
    if (offset < 0 || (numel > 0 && (last < offset || last >= capacity))) {
      throw new WeightFileException(
          Kind.BAD_OFFSETS,
          source
              + ": a tensor of shape "
              + Shapes.str(shape)
              + ", strides "
              + Arrays.toString(stride)
              + " from element "
              + offset
              + " reaches past its storage of "
              + capacity
              + " elements");
    }
    return new TorchTensor(storage, dtype, offset, shape.clone(), stride.clone());
  }

  private static WeightFileException bad(String source, String what) {
    return new WeightFileException(Kind.SHAPE_MISMATCH, source + ": " + what);
  }

  /** The element type. */
  public TorchDType dtype() {
    return dtype;
  }

  /** The shape. */
  public long[] shape() {
    return shape.clone();
  }

  /** Element strides, as {@code tensor.stride()}. */
  public long[] stride() {
    return stride.clone();
  }

  /** Element offset into the storage. */
  public long offset() {
    return offset;
  }

  /** Number of elements. */
  public long numel() {
    long n = 1;
    for (long s : shape) {
      n *= s;
    }
    return n;
  }

  /**
   * The values as a library tensor, row-major: float32 for float32, float16 and bfloat16 storages,
   * float64 for float64 ones.
   *
   * @throws IllegalStateException for an integer or boolean tensor (use {@link #toDoubles()})
   */
  public Tensor toTensor() {
    if (!dtype.floating()) {
      throw new IllegalStateException(
          "a torch." + dtype.pythonName() + " tensor is not floating point; read toDoubles()");
    }
    if (dtype == TorchDType.FLOAT64) {
      return Tensor.of(toDoubles(), shape);
    }
    float[] f;
    if (dtype == TorchDType.FLOAT32 && contiguous()) {
      f = new float[(int) numel()]; // the common case: one bulk copy
      buffer().position(storage.byteOffset() + (int) (offset * 4)).asFloatBuffer().get(f);
    } else {
      double[] v = toDoubles();
      f = new float[v.length];
      for (int i = 0; i < v.length; i++) {
        f[i] = (float) v[i];
      }
    }
    return Tensor.of(f, shape);
  }

  /** Whether the view is row-major without gaps. */
  private boolean contiguous() {
    long expected = 1;
    for (int d = shape.length - 1; d >= 0; d--) {
      if (shape[d] != 1 && stride[d] != expected) {
        return false;
      }
      expected *= shape[d];
    }
    return true;
  }

  private ByteBuffer buffer() {
    return ByteBuffer.wrap(storage.bytes())
        .order(storage.bigEndian() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
  }

  /** The values in row-major order, whatever the type (booleans as 0 and 1). */
  public double[] toDoubles() {
    if (!storage.bound()) {
      throw new IllegalStateException("storage '" + storage.key() + "' has no bytes");
    }
    int n = (int) numel();
    double[] out = new double[n];
    ByteBuffer buf = buffer();
    long[] index = new long[shape.length];
    long at = offset;
    for (int i = 0; i < n; i++) {
      out[i] = read(buf, storage.byteOffset() + (int) (at * dtype.bytes()));
      // the next row-major index, and its element position through the strides
      for (int d = shape.length - 1; d >= 0; d--) {
        if (++index[d] < shape[d]) {
          at += stride[d];
          break;
        }
        at -= (shape[d] - 1) * stride[d];
        index[d] = 0;
      }
    }
    return out;
  }

  private double read(ByteBuffer b, int at) {
    return switch (dtype) {
      case FLOAT32 -> b.getFloat(at);
      case FLOAT64 -> b.getDouble(at);
      case FLOAT16 -> SafeTensors.halfToFloat(b.getShort(at) & 0xFFFF);
      case BFLOAT16 -> Float.intBitsToFloat((b.getShort(at) & 0xFFFF) << 16);
      case INT64 -> b.getLong(at);
      case INT32 -> b.getInt(at);
      case INT16 -> b.getShort(at);
      case INT8 -> b.get(at);
      case UINT8, BOOL -> b.get(at) & 0xFF;
    };
  }

  @Override
  public String toString() {
    return "torch." + dtype.pythonName() + Shapes.str(shape);
  }
}
