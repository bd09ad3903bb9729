/** The exponential moving average of the generator. */
package org.jgan.train.ema;
