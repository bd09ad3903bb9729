package org.jgan.core.tensor;

import org.nd4j.linalg.api.buffer.DataType;

/**
 * The floating-point types a {@link Tensor} can hold: float32 for training, float64 for gradient
 * checks.
 */
public enum DType {
  /** 32-bit IEEE float, the default for models and training. */
  FLOAT32(DataType.FLOAT),
  /** 64-bit IEEE float, used by finite-difference gradient checks and golden-value tests. */
  FLOAT64(DataType.DOUBLE);

  private final DataType nd4j;

  DType(DataType nd4j) {
    this.nd4j = nd4j;
  }

  /** The ND4J data type behind this type. */
  public DataType nd4j() {
    return nd4j;
  }

  /** Size of one element in bytes. */
  public int bytes() {
    return this == FLOAT32 ? 4 : 8;
  }

  /**
   * The {@code DType} for an ND4J type.
   *
   * @throws IllegalArgumentException for anything but FLOAT and DOUBLE
   */
  public static DType of(DataType type) {
    switch (type) {
      case FLOAT:
        return FLOAT32;
      case DOUBLE:
        return FLOAT64;
      default:
        throw new IllegalArgumentException(
            "unsupported array type "
                + type
                + ": tensors hold FLOAT (float32) or DOUBLE (float64)");
    }
  }
}
