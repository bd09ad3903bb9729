package org.jgan.core.tensor;

import org.jgan.core.kernels.Kernels;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.random.impl.GaussianDistribution;
import org.nd4j.linalg.api.ops.random.impl.UniformDistribution;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An explicit, seeded random number generator; there is no global one (no hidden state, no global
 * seeding).
 *
 * <p>Counter-based: the {@code k}-th draw is generated from a stream seeded with a hash of {@code
 * (seed, k)}, so the whole state is the pair {@code (seed, counter)}, which checkpoints save and
 * restore exactly. {@link #split(long)} derives independent generators for components.
 */
public final class Rng {
  private final long seed;
  private long counter;
  private Random stream;

  /** A generator starting at draw 0 of {@code seed}. */
  public Rng(long seed) {
    this(seed, 0);
  }

  /** A generator positioned at draw {@code counter} of {@code seed} (a restored state). */
  public Rng(long seed, long counter) {
    this.seed = seed;
    this.counter = counter;
  }

  /** The seed. */
  public long seed() {
    return seed;
  }

  /** How many draws have been made; with {@link #seed()} this is the whole state. */
  public long counter() {
    return counter;
  }

  /** Moves to draw {@code counter} (a restored state). */
  public void setCounter(long counter) {
    this.counter = counter;
  }

  /** An independent generator for a component, identified by {@code salt}. */
  public Rng split(long salt) {
    return new Rng(mix(seed ^ mix(salt + 0x632BE59BD9B4E019L)), 0);
  }

  /** Standard normal values. */
  public Tensor normal(DType type, long... shape) {
    return Tensor.owned(normalArray(type, 0.0, 1.0, shape));
  }

  /** Normal values with the given mean and standard deviation. */
  public Tensor normal(DType type, double mean, double std, long... shape) {
    return Tensor.owned(normalArray(type, mean, std, shape));
  }

  /** Uniform values in {@code [low, high)}. */
  public Tensor uniform(DType type, double low, double high, long... shape) {
    return Tensor.owned(uniformArray(type, low, high, shape));
  }

  /** A detached array of normal values, not owned by any scope. */
  public INDArray normalArray(DType type, double mean, double std, long... shape) {
    INDArray a = Kernels.alloc(type.nd4j(), shape);
    if (a.length() > 0) {
      Nd4j.getExecutioner().exec(new GaussianDistribution(a, mean, std), next());
    }
    return a;
  }

  /** A detached array of uniform values in {@code [low, high)}, not owned by any scope. */
  public INDArray uniformArray(DType type, double low, double high, long... shape) {
    INDArray a = Kernels.alloc(type.nd4j(), shape);
    if (a.length() > 0) {
      Nd4j.getExecutioner().exec(new UniformDistribution(a, low, high), next());
    }
    return a;
  }

  /** A uniform integer in {@code [0, bound)}. */
  public int nextInt(int bound) {
    if (bound <= 0) {
      throw new IllegalArgumentException("bound must be positive, got " + bound);
    }
    long r = mix(seed + 0x9E3779B97F4A7C15L * (++counter)) >>> 1;
    return (int) (r % bound);
  }

  /** A uniform double in {@code [0, 1)}. */
  public double nextDouble() {
    return (mix(seed + 0x9E3779B97F4A7C15L * (++counter)) >>> 11) * 0x1.0p-53;
  }

  /** A uniformly random permutation of {@code 0..n-1} (Fisher-Yates). */
  public int[] permutation(int n) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  private Random next() {
    if (stream == null) {
      stream = Nd4j.getRandomFactory().getNewRandomInstance(0);
    }
    stream.setSeed(mix(seed + 0x9E3779B97F4A7C15L * (++counter)));
    return stream;
  }

  /** SplitMix64's finaliser: a bijective 64-bit mix. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
