package org.jgan.models.dcgan;

import org.jgan.core.nn.Module;
import org.jgan.core.nn.Parameter;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;

/**
 * DCGAN's initialisation: conv weights {@code N(0, 0.02)}, biases 0, batch-norm scales {@code N(1,
 * 0.02)}.
 */
final class DcganInit {
  private DcganInit() {}

  static void apply(Module m, Rng rng) {
    m.namedParameters()
        .forEach(
            (name, p) -> {
              boolean batchNorm = name.matches("(.*\\.)?bn\\d*\\.weight");
              if (name.endsWith("weight")) {
                set(p, rng.normal(DType.FLOAT32, batchNorm ? 1.0 : 0.0, 0.02, p.shape()));
              } else if (name.endsWith("bias")) {
                set(p, Tensor.zeros(DType.FLOAT32, p.shape()));
              }
            });
  }

  private static void set(Parameter p, Tensor v) {
    p.copyFrom(v.data(), "init");
  }
}
