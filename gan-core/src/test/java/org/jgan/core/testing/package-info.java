/**
 * Test utilities shipped in gan-core's test jar: float64 gradient checks of first and second order,
 * tensor assertions, golden PyTorch values and a scope leak check.
 */
package org.jgan.core.testing;
