package org.jgan.examples;

import org.jgan.examples.bench.BenchCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code gan} command line. */
@Command(
    name = "gan",
    mixinStandardHelpOptions = true,
    version = "gan 0.1.0",
    description = "Generative adversarial networks in pure Java.",
    subcommands = {DemoCommand.class, BenchCommand.class})
public final class Gan implements Runnable {
  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  /** Runs the command line and exits with its status. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new Gan()).execute(args));
  }
}
