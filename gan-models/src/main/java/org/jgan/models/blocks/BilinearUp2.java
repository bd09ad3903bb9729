package org.jgan.models.blocks;

import org.jgan.core.autograd.Node;
import org.jgan.core.autograd.Op;
import org.jgan.core.kernels.DataFormat;
import org.jgan.core.kernels.Kernels;
import org.jgan.core.kernels.Shapes;
import org.jgan.core.tensor.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Bilinear up-sampling by 2 of channels-last maps {@code [N, H, W, C]} (PyTorch's {@code
 * F.interpolate(mode='bilinear', align_corners=False)}) on libnd4j's native {@code resize_bilinear}
 * with half-pixel centres, which is the same map: one pass over the output, where the
 * matrix-product form ({@link Fir#separable}) needs two products and, for NHWC maps, four layout
 * copies (docs/benchmarks.md, "Changes and their effect").
 *
 * <p>The gradient is the adjoint, {@code M_H^T g M_W}, computed by {@link Fir#separable} with the
 * transposed one-dimensional operators; being made of matrix products it is differentiable again.
 */
final class BilinearUp2 extends Op {
  @Override
  public String name() {
    return "bilinear_up2";
  }

  @Override
  public INDArray forward(INDArray... in) {
    INDArray x = in[0];
    if (x.rank() != 4) {
      throw new IllegalArgumentException(
          "bilinear_up2: expected NHWC maps [N, H, W, C], got " + Shapes.str(x.shape()));
    }
    INDArray out = Kernels.alloc(x.dataType(), x.size(0), 2 * x.size(1), 2 * x.size(2), x.size(3));
    Kernels.custom(
        "resize_bilinear",
        new INDArray[] {x},
        new INDArray[] {out},
        new boolean[] {false, true},
        (int) out.size(1),
        (int) out.size(2));
    return out;
  }

  @Override
  public Tensor[] backward(Node n, Tensor g) {
    int h = (int) n.input(0).size(1);
    int w = (int) n.input(0).size(2);
    return new Tensor[] {
      Fir.separable(
          g,
          Fir.transpose(Fir.bilinearOperator(h), h, 2 * h),
          h,
          Fir.transpose(Fir.bilinearOperator(w), w, 2 * w),
          w,
          DataFormat.NHWC)
    };
  }
}
