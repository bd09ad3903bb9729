/**
 * The reverse-mode engine: {@link org.jgan.core.autograd.Op} (forward on arrays, backward in tensor
 * ops), graph nodes, gradient mode and {@link org.jgan.core.autograd.Autograd#grad}.
 */
package org.jgan.core.autograd;
