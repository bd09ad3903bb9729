package org.jgan.core.autograd;

/**
 * Whether ops record a graph on this thread, after {@code torch.no_grad()} / {@code
 * torch.enable_grad()}. Scopes nest and restore the previous mode when closed:
 *
 * <pre>{@code
 * try (GradMode.Guard g = GradMode.disabled()) {
 *   Tensor fake = generator.forward(z); // no graph
 * }
 * }</pre>
 */
public final class GradMode {
  private static final ThreadLocal<boolean[]> ENABLED =
      ThreadLocal.withInitial(() -> new boolean[] {true});

  private GradMode() {}

  /** True when ops record their graph (the default). */
  public static boolean isEnabled() {
    return ENABLED.get()[0];
  }

  /** Turns recording off until the guard closes. */
  public static Guard disabled() {
    return set(false);
  }

  /** Turns recording on until the guard closes. */
  public static Guard enabled() {
    return set(true);
  }

  /** Sets recording on or off until the guard closes. */
  public static Guard set(boolean on) {
    boolean[] state = ENABLED.get();
    Guard g = new Guard(state, state[0]);
    state[0] = on;
    return g;
  }

  /** Restores the previous mode on close. */
  public static final class Guard implements AutoCloseable {
    private final boolean[] state;
    private final boolean previous;

    private Guard(boolean[] state, boolean previous) {
      this.state = state;
      this.previous = previous;
    }

    @Override
    public void close() {
      state[0] = previous;
    }
  }
}
