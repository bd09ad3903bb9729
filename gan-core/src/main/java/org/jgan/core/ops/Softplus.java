package org.jgan.core.ops;

import org.jgan.core.autograd.Node;
import org.jgan.core.autograd.Op;
import org.jgan.core.kernels.Kernels;
import org.jgan.core.tensor.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.api.ops.impl.transforms.same.Abs;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Log1p;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code log(1 + e^x)}, computed as {@code max(x, 0) + log1p(e^-|x|)} so that large logits neither
 * overflow nor lose precision; d/dx = g sigmoid(x).
 */
public final class Softplus extends Op {
  @Override
  public String name() {
    return "softplus";
  }

  @Override
  public INDArray forward(INDArray... in) {
    INDArray x = in[0];
    INDArray t = Kernels.unary(x, Abs::new);
    t.negi();
    Nd4j.getExecutioner().exec(new org.nd4j.linalg.api.ops.impl.transforms.strict.Exp(t, t));
    Nd4j.getExecutioner().exec(new Log1p(t, t));
    INDArray r = Kernels.unary(x, RectifiedLinear::new);
    r.addi(t);
    Kernels.free(t);
    return r;
  }

  @Override
  public Tensor[] backward(Node n, Tensor g) {
    return new Tensor[] {g.mul(n.input(0).sigmoid())};
  }
}
