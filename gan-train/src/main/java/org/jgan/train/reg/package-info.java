/** Regularisers that differentiate through a gradient: R1, WGAN-GP's penalty, path length. */
package org.jgan.train.reg;
