/** The original GAN (Goodfellow et al. 2014): MLP generator and discriminator. */
package org.jgan.models.vanilla;
