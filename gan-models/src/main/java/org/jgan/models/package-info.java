/**
 * The model families behind two abstractions, {@link org.jgan.models.Generator} and {@link
 * org.jgan.models.Discriminator}: the vanilla GAN, DCGAN, progressive GAN, StyleGAN and StyleGAN2,
 * each built from an immutable config record (see docs/models.md).
 */
package org.jgan.models;
