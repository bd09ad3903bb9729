/**
 * Sample quality: Fréchet distance, KID and precision/recall in a {@link
 * org.jgan.train.metrics.FeatureSpace}: a classifier trained with this library on Fashion-MNIST, or
 * Inception-v3's pool3 (the FID of the papers) with weights the user supplies; and mode coverage on
 * the 2-D toys.
 */
package org.jgan.train.metrics;
