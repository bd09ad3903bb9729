/**
 * Reading PyTorch's files without running them: {@code torch.save} archives (the ZIP layout and the
 * legacy one) and plain pickles of state dicts or of whole networks, through a restricted unpickler
 * that understands the opcodes and the handful of globals a state dict needs and turns every other
 * global into inert data. Nothing is imported, nothing is called.
 */
package org.jgan.core.io.torch;
