/**
 * Progressive GAN (Karras et al. 2018): growing networks with fade-in, pixel norm, minibatch
 * stddev.
 */
package org.jgan.models.progressive;
