package org.jgan.core.ops;

import org.jgan.core.autograd.Node;
import org.jgan.core.autograd.Op;
import org.jgan.core.kernels.Kernels;
import org.jgan.core.kernels.Shapes;
import org.jgan.core.tensor.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code C = alpha op(A) op(B)} for rank-2 tensors, {@code op} transposing when its flag is set (no
 * transposed copy is made: the flags and {@code alpha} go to the GEMM kernel). With {@code G =
 * dL/dC}:
 *
 * <pre>
 *   dA = alpha G op(B)^T   (or alpha op(B) G^T when A is transposed)
 *   dB = alpha op(A)^T G   (or alpha G^T op(A) when B is transposed)
 * </pre>
 *
 * each again a {@code MatMul} with suitable flags and the same {@code alpha}, so the op is closed
 * under differentiation. A constant factor on one operand (the equalised learning rate's weight
 * gain) costs no pass of its own this way.
 */
public final class MatMul extends Op {
  private final boolean ta;
  private final boolean tb;
  private final double alpha;

  /** Matrix product with optional transposition of either operand. */
  public MatMul(boolean transposeA, boolean transposeB) {
    this(transposeA, transposeB, 1.0);
  }

  /** Matrix product times {@code alpha}, with optional transposition of either operand. */
  public MatMul(boolean transposeA, boolean transposeB, double alpha) {
    if (!Double.isFinite(alpha)) {
      throw new IllegalArgumentException("matmul: alpha must be finite, got " + alpha);
    }
    this.ta = transposeA;
    this.tb = transposeB;
    this.alpha = alpha;
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
    INDArray[] ins = {a, b};
    INDArray[] outs = {out};
    if (alpha == 1.0) {
      Kernels.custom("matmul", ins, outs, ta ? 1 : 0, tb ? 1 : 0);
    } else {
      Kernels.custom("matmul", ins, outs, new double[] {alpha, 0.0}, ta ? 1 : 0, tb ? 1 : 0);
    }
    return out;
  }

  @Override
  public Tensor[] backward(Node n, Tensor g) {
    Tensor a = n.input(0);
    Tensor b = n.input(1);
    Tensor da = null;
    Tensor db = null;
    if (n.needsGrad(0)) {
      da = ta ? b.matmul(g, tb, true, alpha) : g.matmul(b, false, !tb, alpha);
    }
    if (n.needsGrad(1)) {
      db = tb ? g.matmul(a, true, ta, alpha) : a.matmul(g, !ta, false, alpha);
    }
    return new Tensor[] {da, db};
  }
}
