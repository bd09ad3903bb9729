package org.jgan.core.ops;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Checks shared by the binary ops. */
final class Binary {
  private Binary() {}

  static void checkTypes(String op, INDArray a, INDArray b) {
    if (a.dataType() != b.dataType()) {
      throw new IllegalArgumentException(
          op + ": operands have different types " + a.dataType() + " and " + b.dataType()
              + "; convert one with to(DType)");
    }
  }
}
