/**
 * The closed set of primitive ops, one small class each, with their derivatives; see docs/ops.md
 * for the table.
 */
package org.jgan.core.ops;
