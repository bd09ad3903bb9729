/**
 * StyleGAN (Karras et al. 2019): mapping network, AdaIN synthesis, noise, style mixing, progressive
 * growing.
 */
package org.jgan.models.stylegan;
