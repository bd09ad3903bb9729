/** Deterministic release of native memory ({@link org.jgan.core.memory.TensorScope}) and native-memory accounting. */
package org.jgan.core.memory;
