package org.jgan.core.ops;

import org.jgan.core.autograd.Autograd;
import org.jgan.core.autograd.Node;
import org.jgan.core.autograd.Op;
import org.jgan.core.kernels.Kernels;
import org.jgan.core.tensor.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The transpose of {@link GatherTaps}: each output pixel {@code p} of image {@code n} adds {@code
 * w[n, p, k] g[n, c, p]} to input pixel {@code index[n, p, k]}, summing where taps meet. Its
 * gradient is the gather again.
 */
public final class ScatterTaps extends Op {
  private final INDArray index;
  private final INDArray weight;
  private final long inH;
  private final long inW;

  /**
   * @param index the gather's taps {@code [N, P, K]}
   * @param weight the gather's weights {@code [N, P, K]}
   * @param inH the gather's input height (this op's output)
   * @param inW the gather's input width
   */
  public ScatterTaps(INDArray index, INDArray weight, long inH, long inW) {
    this.index = index;
    this.weight = weight;
    this.inH = inH;
    this.inW = inW;
  }

  @Override
  public String name() {
    return "scatter_taps";
  }

  @Override
  public INDArray forward(INDArray... in) {
    INDArray g = in[0];
    long n = g.size(0);
    long c = g.size(1);
    long p = g.size(2) * g.size(3);
    GatherTaps.check(name(), g.shape(), index, weight, p);
    Kernels.checkSameType(name(), g, weight);
    long k = index.size(2);
    INDArray rows = GatherTaps.toRows(g);
    INDArray updates =
        Kernels.mul(rows.reshape('c', n * p, 1, c), weight.reshape('c', n * p, k, 1));
    GatherTaps.free(rows, g);
    INDArray sums = Kernels.full(g.dataType(), 0.0, n * inH * inW, c);
    // lock: taps of neighbouring output pixels meet on one input pixel; the sum must not race
    Kernels.custom(
        "scatter_add",
        new INDArray[] {
          sums, index.reshape('c', new long[] {n * p * k}), updates.reshape('c', n * p * k, c)
        },
        new INDArray[] {sums},
        new boolean[] {true, false});
    Kernels.free(updates);
    INDArray out = GatherTaps.fromRows(sums, n, c, inH, inW);
    Kernels.free(sums);
    return out;
  }

  @Override
  public Tensor[] backward(Node node, Tensor g) {
    Tensor in = node.input(0);
    return new Tensor[] {Autograd.apply(new GatherTaps(index, weight, in.size(2), in.size(3)), g)};
  }
}
