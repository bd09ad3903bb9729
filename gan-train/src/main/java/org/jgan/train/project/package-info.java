/**
 * Taking a real image into a trained generator: projection to {@code W} and {@code W+} (after
 * stylegan2-ada-pytorch's {@code projector.py}).
 */
package org.jgan.train.project;
