/** Tensors over ND4J arrays ({@link org.jgan.core.tensor.Tensor}), element types, shape checks and seeded random numbers. */
package org.jgan.core.tensor;
