package org.jgan.core.testing;

import static org.junit.jupiter.api.Assertions.assertNull;

import org.jgan.core.memory.TensorScope;

/** Asserts that a test leaves no {@link TensorScope} open on its thread. */
public final class LeakCheck {
  private LeakCheck() {}

  /** Fails if a scope is still open (one was not closed, so its arrays would never be freed). */
  public static void assertNoOpenScope() {
    assertNull(TensorScope.current(), "a TensorScope was left open");
  }
}
