/** Pictures of training: sample grids, loss curves and scatter plots as PNG files. */
package org.jgan.train.image;
