/**
 * Training data: IDX files (MNIST, Fashion-MNIST), folders of PNG/JPEG images, 2-D toy mixtures,
 * the embedded Fashion-MNIST test split, and seeded minibatches with flips.
 */
package org.jgan.train.data;
