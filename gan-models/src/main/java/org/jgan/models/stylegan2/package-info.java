/**
 * StyleGAN2 (Karras et al. 2020): modulated convolutions, skip generator, residual discriminator;
 * optional progressive growing and class conditioning (projection discriminator).
 */
package org.jgan.models.stylegan2;
