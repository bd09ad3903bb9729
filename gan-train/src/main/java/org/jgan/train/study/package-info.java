/** Experiments built from whole training runs: does a generator's data help a classifier? */
package org.jgan.train.study;
