/** The {@code gan} command line and runnable examples. */
package org.jgan.examples;
