/**
 * The layer below the op set: array-level kernels on ND4J and oneDNN ({@link
 * org.jgan.core.kernels.Kernels}, {@link org.jgan.core.kernels.ConvKernels}), shapes and memory
 * layouts, and the explicit backend ({@link org.jgan.core.kernels.Backend}) with the engine that
 * runs it ({@link org.jgan.core.kernels.Engine}: buffer pool, Winograd plans, counters). Nothing
 * here knows tensors or graphs: an op says what it computes and its derivative, a kernel says how
 * fast.
 */
package org.jgan.core.kernels;
