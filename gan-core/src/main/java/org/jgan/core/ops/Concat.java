package org.jgan.core.ops;

import org.jgan.core.autograd.Node;
import org.jgan.core.autograd.Op;
import org.jgan.core.kernels.Kernels;
import org.jgan.core.kernels.Shapes;
import org.jgan.core.tensor.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Joins tensors along an axis; the gradient of each input is its slice of the output gradient. */
public final class Concat extends Op {
  private final int axis;

  /** Concatenates along {@code axis} (non-negative). */
  public Concat(int axis) {
    this.axis = axis;
  }

  @Override
  public String name() {
    return "concat";
  }

  @Override
  public INDArray forward(INDArray... in) {
    long[] shape = in[0].shape().clone();
    long total = 0;
    for (INDArray a : in) {
      long[] s = a.shape();
      boolean ok = s.length == shape.length && a.dataType() == in[0].dataType();
      for (int i = 0; ok && i < s.length; i++) {
        ok = i == axis || s[i] == shape[i];
      }
      if (!ok) {
        throw new IllegalArgumentException(
            "concat along axis "
                + axis
                + ": shapes "
                + Shapes.str(shape)
                + " and "
                + Shapes.str(s)
                + " differ off that axis (or types differ)");
      }
      total += s[axis];
    }
    shape[axis] = total;
    INDArray out = Kernels.alloc(in[0].dataType(), shape);
    long at = 0;
    for (INDArray a : in) {
      long n = a.size(axis);
      out.get(Slice.range(shape.length, axis, at, at + n)).assign(a);
      at += n;
    }
    return out;
  }

  @Override
  public Tensor[] backward(Node n, Tensor g) {
    Tensor[] grads = new Tensor[n.inputCount()];
    long at = 0;
    for (int i = 0; i < grads.length; i++) {
      long size = n.input(i).size(axis);
      if (n.needsGrad(i)) {
        grads[i] = g.slice(axis, at, at + size);
      }
      at += size;
    }
    return grads;
  }
}
