package org.jgan.core.ops;

import java.util.Arrays;
import org.jgan.core.autograd.Node;
import org.jgan.core.autograd.Op;
import org.jgan.core.tensor.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Reorders axes (output axis {@code i} = input axis {@code perm[i]}); a strided view of the input.
 * The gradient is permuted back.
 */
public final class Permute extends Op {
  private final int[] perm;

  /** Permutes by {@code perm}. */
  public Permute(int... perm) {
    boolean[] seen = new boolean[perm.length];
    for (int p : perm) {
      if (p < 0 || p >= perm.length || seen[p]) {
        throw new IllegalArgumentException(
            "permute: "
                + Arrays.toString(perm)
                + " is not a permutation of 0.."
                + (perm.length - 1));
      }
      seen[p] = true;
    }
    this.perm = perm.clone();
  }

  @Override
  public String name() {
    return "permute";
  }

  @Override
  public INDArray forward(INDArray... in) {
    if (in[0].rank() != perm.length) {
      throw new IllegalArgumentException(
          "permute: " + Arrays.toString(perm) + " given for a tensor of rank " + in[0].rank());
    }
    return in[0].permute(perm);
  }

  @Override
  public boolean aliasesInput() {
    return true;
  }

  @Override
  public Tensor[] backward(Node n, Tensor g) {
    int[] inverse = new int[perm.length];
    for (int i = 0; i < perm.length; i++) {
      inverse[perm[i]] = i;
    }
    return new Tensor[] {g.permute(inverse)};
  }
}
