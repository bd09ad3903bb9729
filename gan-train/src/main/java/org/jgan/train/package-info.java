/**
 * Training. Not yet built: datasets, losses, regularisers, the adversarial loop, checkpoints and
 * metrics arrive with the training issue.
 */
package org.jgan.train;
