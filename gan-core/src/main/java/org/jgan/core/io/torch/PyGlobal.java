package org.jgan.core.io.torch;

/**
 * A Python global that a pickle names ({@code module.name}): a function or class, never imported or
 * looked up, only recorded.
 */
public record PyGlobal(String module, String name) {
  /** {@code module.name}. */
  @Override
  public String toString() {
    return module + "." + name;
  }

  /** Whether this is {@code module.name}. */
  public boolean is(String module, String name) {
    return this.module.equals(module) && this.name.equals(name);
  }
}
