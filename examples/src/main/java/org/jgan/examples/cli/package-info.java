/** The subcommands of the {@code gan} command line. */
package org.jgan.examples.cli;
