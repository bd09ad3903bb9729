/**
 * Differentiable augmentation of everything the discriminator sees, for training on small datasets
 * (DiffAugment; the adaptive pipeline of StyleGAN2-ADA).
 */
package org.jgan.train.augment;
