/** Benchmarks run from the command line ({@code gan bench}). */
package org.jgan.examples.bench;
