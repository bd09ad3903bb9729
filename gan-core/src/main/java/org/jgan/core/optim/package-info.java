/** Optimisers: Adam and SGD with per-group learning rates and saveable state. */
package org.jgan.core.optim;
