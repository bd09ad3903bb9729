package org.jgan.core.testing;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.jgan.core.kernels.Engine;
import org.jgan.core.tensor.TensorScope;

/**
 * Asserts that a test leaves no {@link TensorScope} open and no {@link Engine} installed on its
 * thread.
 */
public final class LeakCheck {
  private LeakCheck() {}

  /**
   * Fails if a scope is still open (one was not closed, so its arrays would never be freed) or an
   * engine is still installed (later tests would run on its backend).
   */
  public static void assertNoOpenScope() {
    assertNull(TensorScope.current(), "a TensorScope was left open");
    assertSame(Engine.defaultEngine(), Engine.current(), "an Engine was left installed");
  }
}
