/** Adversarial losses. */
package org.jgan.train.loss;
