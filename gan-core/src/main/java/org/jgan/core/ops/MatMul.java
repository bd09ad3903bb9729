package org.jgan.core.ops;

import org.jgan.core.autograd.Node;
import org.jgan.core.autograd.Op;
import org.jgan.core.kernels.Kernels;
import org.jgan.core.kernels.Shapes;
import org.jgan.core.tensor.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code C = op(A) op(B)} for rank-2 tensors, {@code op} transposing when its flag is set (no
 * transposed copy is made: the flags go to the GEMM kernel). With {@code G = dL/dC}:
 *
 * <pre>
 *   dA = G op(B)^T   (or op(B) G^T when A is transposed)
 *   dB = op(A)^T G   (or G^T op(A) when B is transposed)
 * </pre>
 *
 * each again a {@code MatMul} with suitable flags, so the op is closed under differentiation.
 */
public final class MatMul extends Op {
  private final boolean ta;
  private final boolean tb;

  /** Matrix product with optional transposition of either operand. */
  public MatMul(boolean transposeA, boolean transposeB) {
    this.ta = transposeA;
    this.tb = transposeB;
  }

  @Override
  public String name() {
    return "matmul";
  }

  @Override
  public INDArray forward(INDArray... in) {
    INDArray a = in[0];
    INDArray b = in[1];
    Kernels.checkSameType("matmul", a, b);
    if (a.rank() != 2 || b.rank() != 2) {
      throw new IllegalArgumentException(
          "matmul expects two rank-2 tensors, got "
              + Shapes.str(a.shape())
              + " and "
              + Shapes.str(b.shape()));
    }
    long m = ta ? a.size(1) : a.size(0);
    long k = ta ? a.size(0) : a.size(1);
    long k2 = tb ? b.size(1) : b.size(0);
    long n = tb ? b.size(0) : b.size(1);
    if (k != k2) {
      throw new IllegalArgumentException(
          "matmul: inner sizes differ: "
              + Shapes.str(a.shape())
              + (ta ? "^T" : "")
              + " @ "
              + Shapes.str(b.shape())
              + (tb ? "^T" : ""));
    }
    INDArray out = Kernels.alloc(a.dataType(), m, n);
    Kernels.custom("matmul", new INDArray[] {a, b}, new INDArray[] {out}, ta ? 1 : 0, tb ? 1 : 0);
    return out;
  }

  @Override
  public Tensor[] backward(Node n, Tensor g) {
    Tensor a = n.input(0);
    Tensor b = n.input(1);
    Tensor da = null;
    Tensor db = null;
    if (n.needsGrad(0)) {
      da = ta ? b.matmul(g, tb, true) : g.matmul(b, false, !tb);
    }
    if (n.needsGrad(1)) {
      db = tb ? g.matmul(a, true, ta) : a.matmul(g, !ta, false);
    }
    return new Tensor[] {da, db};
  }
}
