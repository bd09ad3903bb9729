package org.jgan.core.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;

/**
 * One row of the op table (PyTorch's OpInfo): a function of some float64 inputs, their shapes and
 * the domain the inputs are drawn from.
 *
 * @param name what the row tests
 * @param f the function under test
 * @param shapes one shape per input
 * @param domain where inputs are drawn: {@code "normal"}, {@code "positive"} (0.5..2) or {@code
 *     "awayFromZero"} (|x| in 0.2..2, for kinks at 0)
 */
public record OpSpec(
    String name, Function<List<Tensor>, Tensor> f, long[][] shapes, String domain) {
  /** Fresh float64 leaves for this row. */
  public List<Tensor> inputs(long seed) {
    Rng rng = new Rng(seed);
    List<Tensor> in = new ArrayList<>();
    for (long[] s : shapes) {
      Tensor t;
      switch (domain) {
        case "positive":
          t = Tensor.of(rng.uniformArray(DType.FLOAT64, 0.5, 2.0, s));
          break;
        case "awayFromZero":
          Tensor mag = Tensor.of(rng.uniformArray(DType.FLOAT64, 0.2, 2.0, s));
          Tensor u = Tensor.of(rng.uniformArray(DType.FLOAT64, -1, 1, s));
          t = mag.mul(u.div(u.abs())); // random sign
          break;
        default:
          t = Tensor.of(rng.normalArray(DType.FLOAT64, 0, 1, s));
      }
      in.add(Tensor.leaf(t.data().dup(), true));
    }
    return in;
  }

  /** The function as a list-to-list map, as the gradient checks take it. */
  public Function<List<Tensor>, List<Tensor>> asListFunction() {
    return xs -> List.of(f.apply(xs));
  }

  @Override
  public String toString() {
    return name;
  }

  static long[][] shapes(long[]... s) {
    return s;
  }
}
