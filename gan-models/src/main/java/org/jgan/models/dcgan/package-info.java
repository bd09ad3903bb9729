/**
 * DCGAN (Radford et al. 2015): transposed-conv generator with batch norm, strided-conv
 * discriminator.
 */
package org.jgan.models.dcgan;
