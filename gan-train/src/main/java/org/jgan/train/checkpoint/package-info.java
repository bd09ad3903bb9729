/** Atomic, complete checkpoints of a training run, and resuming from them. */
package org.jgan.train.checkpoint;
