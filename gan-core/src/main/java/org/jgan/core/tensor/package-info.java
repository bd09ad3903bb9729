/**
 * Tensors over ND4J arrays ({@link org.jgan.core.tensor.Tensor}), element types, seeded random
 * numbers, the scopes that free native memory deterministically ({@link
 * org.jgan.core.tensor.TensorScope}) and the in-place updates of ungraphed results.
 */
package org.jgan.core.tensor;
