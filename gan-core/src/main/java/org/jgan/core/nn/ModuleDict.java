package org.jgan.core.nn;

/**
 * A named group of sub-modules with no forward of its own (PyTorch's {@code nn.ModuleDict}), used
 * to give a network's parts readable state-dict names such as {@code b16.conv0.weight}.
 */
public final class ModuleDict extends Module {
  /** Registers {@code module} under {@code name} and returns it. */
  public <M extends Module> M put(String name, M module) {
    return child(name, module);
  }
}
