package org.jgan.core.ops;

import org.jgan.core.autograd.Node;
import org.jgan.core.autograd.Op;
import org.jgan.core.kernels.Kernels;
import org.jgan.core.tensor.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;

/** Same elements (row-major order) in a new shape; a view when the input is contiguous. */
public final class Reshape extends Op {
  private final long[] shape;

  /** Reshapes to {@code shape} (fully specified). */
  public Reshape(long[] shape) {
    this.shape = shape.clone();
  }

  @Override
  public String name() {
    return "reshape";
  }

  @Override
  public INDArray forward(INDArray... in) {
    INDArray x = in[0];
    if (x.ordering() == 'c' && Shape.hasDefaultStridesForShape(x)) {
      return x.reshape('c', shape); // a view
    }
    // A strided input (a permutation) must be copied; the copy is ours, so that its scope frees
    // it (ND4J's own reshape would leave a garbage-collected copy behind). The copy is made in
    // the input's shape: ND4J's assign between different shapes walks element by element, several
    // times slower than between equal shapes (docs/benchmarks.md, "Changes and their effect").
    INDArray out = Kernels.alloc(x.dataType(), shape);
    out.reshape('c', x.shape()).assign(x);
    return out;
  }

  @Override
  public Tensor[] backward(Node n, Tensor g) {
    return new Tensor[] {g.reshape(n.input(0).shape())};
  }
}
