/**
 * GAN building blocks and model families. Not yet built: the blocks (equalised learning rate,
 * pixel norm, minibatch standard deviation, noise, AdaIN, modulated convolution, FIR resampling,
 * the mapping network) and the families (vanilla GAN, DCGAN, progressive GAN, StyleGAN, StyleGAN2)
 * arrive with the models issue.
 */
package org.jgan.models;
