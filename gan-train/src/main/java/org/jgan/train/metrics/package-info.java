/**
 * Sample quality: Fréchet distance, KID and precision/recall in the feature space of a classifier
 * trained with this library on Fashion-MNIST, and mode coverage on the 2-D toys.
 */
package org.jgan.train.metrics;
