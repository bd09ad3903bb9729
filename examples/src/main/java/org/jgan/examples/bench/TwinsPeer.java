package org.jgan.examples.bench;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.jgan.core.tensor.Tensor;

/**
 * Another implementation of the twins (TWINS.md) that {@code gan bench twins} times beside the
 * library's in alternating rounds: PyTorch in a child process ({@link PytorchPeer}), or DJL with
 * libtorch in this JVM (the {@code bench-djl} module, found through {@link java.util.ServiceLoader}
 * when it is on the class path).
 *
 * <p>Row names are those of {@link TwinsBenchmark#library()}: {@code dcgan28_step_b64}, {@code
 * sg2_32_step_r1_b32}, {@code sg2_32_step_b32}, {@code sg2_32_generate_b64}, and the same for
 * {@code sg2_64} with its batch.
 */
public interface TwinsPeer {
  /** Short name for tables: {@code PyTorch}, {@code DJL}. */
  String name();

  /**
   * One line saying what runs the peer (engine and version, BLAS and oneDNN where known, threads).
   *
   * @throws IllegalStateException when the peer's figures would not be a peer's, saying why and how
   *     to set it up
   */
  String describe(int threads) throws IOException, InterruptedException;

  /** The rows of {@code specs} (and DCGAN-28) that this peer cannot run, each with the reason. */
  Map<String, String> unsupported(List<Twins.Sg2Spec> specs);

  /**
   * One round: median seconds per row over {@code steps} timed steps after {@code warmup}, for
   * every row it can run. The StyleGAN2 training rows take the step counts the library's side takes
   * ({@link TwinsBenchmark#trainSteps}).
   */
  Map<String, Double> round(int threads, int steps, int warmup, List<Twins.Sg2Spec> specs)
      throws IOException, InterruptedException;

  /**
   * The peer's images and logits for the weights and inputs in {@code io} (keys {@code
   * G.dcgan.<param>}, {@code D.dcgan.<param>}, {@code dcgan.z}, {@code dcgan.x}, and the same with
   * each spec's name), under the keys {@code dcgan.images}, {@code dcgan.logits}, {@code
   * <spec>.images}, {@code <spec>.logits}; the StyleGAN2 images without noise. With them, the
   * gradients of the summed logits of D(G(z)) (no noise) with respect to every parameter, keyed
   * {@code dcgan.grad.G.<param>}, {@code dcgan.grad.D.<param>} and the same with each spec's name,
   * in the library's layouts.
   */
  Map<String, Tensor> outputs(Map<String, Tensor> io, List<Twins.Sg2Spec> specs)
      throws IOException, InterruptedException;
}
