/**
 * The building blocks of the GAN families, each with the property its paper defines checked by a
 * test: equalised learning rate, pixel norm, minibatch standard deviation, noise, AdaIN, modulated
 * convolution, FIR resampling, toRGB, the constant input, the mapping network and the projection
 * head. Formulas and defaults follow StyleGAN2-ADA (see docs/models.md).
 */
package org.jgan.models.blocks;
