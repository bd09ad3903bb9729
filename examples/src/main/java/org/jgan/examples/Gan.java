package org.jgan.examples;

import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import org.jgan.core.io.BuildInfo;
import org.jgan.core.kernels.Engine;
import org.jgan.examples.bench.BenchCommand;
import org.jgan.examples.cli.AugmentEvalCommand;
import org.jgan.examples.cli.BackendOptions;
import org.jgan.examples.cli.Cli;
import org.jgan.examples.cli.ConvertCommand;
import org.jgan.examples.cli.DatasetCommand;
import org.jgan.examples.cli.DirectionsCommand;
import org.jgan.examples.cli.EditCommand;
import org.jgan.examples.cli.EvaluateCommand;
import org.jgan.examples.cli.GenerateCommand;
import org.jgan.examples.cli.InfoCommand;
import org.jgan.examples.cli.InterpolateCommand;
import org.jgan.examples.cli.MixCommand;
import org.jgan.examples.cli.ProjectCommand;
import org.jgan.examples.cli.RestoreCommand;
import org.jgan.examples.cli.TrainClassifierCommand;
import org.jgan.examples.cli.TrainCommand;
import org.jgan.train.data.DatasetException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The {@code gan} command line. Errors are one line on standard error with a non-zero exit status
 * (1 for a failure, 2 for a wrong argument); {@code --verbose} adds the stack trace.
 */
@Command(
    name = "gan",
    mixinStandardHelpOptions = true,
    versionProvider = Gan.Version.class,
    description = "Generative adversarial networks in pure Java: train, sample, evaluate.",
    subcommands = {
      TrainCommand.class,
      GenerateCommand.class,
      DatasetCommand.class,
      MixCommand.class,
      DirectionsCommand.class,
      InterpolateCommand.class,
      EvaluateCommand.class,
      RestoreCommand.class,
      ConvertCommand.class,
      ProjectCommand.class,
      EditCommand.class,
      AugmentEvalCommand.class,
      InfoCommand.class,
      ExampleCommand.class,
      BenchCommand.class,
      TrainClassifierCommand.class
    })
public final class Gan implements Runnable {
  @Option(
      names = "--verbose",
      scope = CommandLine.ScopeType.INHERIT,
      description = "Print stack traces of errors.")
  boolean verbose;

  @Mixin BackendOptions backend = new BackendOptions();

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  /** A configured command line (used by {@link #main} and by tests). */
  public static CommandLine commandLine() {
    Gan gan = new Gan();
    CommandLine cl = new CommandLine(gan);
    // Every command runs on the engine its backend flags describe, installed for its duration.
    cl.setExecutionStrategy(
        parsed -> {
          try (Engine engine = Engine.start(gan.backend.backend())) {
            return new CommandLine.RunLast().execute(parsed);
          } catch (OutOfMemoryError e) {
            // an Error passes the exception handler: said here in one line, like the others
            parsed
                .commandSpec()
                .commandLine()
                .getErr()
                .println(
                    "gan: out of memory ("
                        + e.getMessage()
                        + "); use a smaller --batch, or give Java more heap (JAVA_OPTS=-Xmx...)");
            if (gan.verbose || parsed.originalArgs().contains("--verbose")) {
              e.printStackTrace(parsed.commandSpec().commandLine().getErr());
            }
            return 1;
          }
        });
    cl.setExecutionExceptionHandler(
        (e, line, parsed) -> {
          boolean verbose = gan.verbose || parsed.originalArgs().contains("--verbose");
          Throwable cause =
              e instanceof UncheckedIOException u && u.getCause() instanceof DatasetException d
                  ? d
                  : e;
          boolean user =
              cause instanceof Cli.UserError
                  || cause instanceof DatasetException
                  || cause instanceof FileAlreadyExistsException;
          String msg =
              cause instanceof FileAlreadyExistsException f
                  ? f.getFile() + " " + f.getReason()
                  : user
                      ? cause.getMessage()
                      : e.getClass().getSimpleName() + ": " + e.getMessage();
          line.getErr().println("gan " + line.getCommandName() + ": " + msg);
          if (verbose) {
            e.printStackTrace(line.getErr());
          } else if (!user) {
            line.getErr().println("(run with --verbose for the stack trace)");
          }
          return 1;
        });
    return cl;
  }

  /** The library's version, from the build. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"gan " + BuildInfo.version() + " (ND4J " + BuildInfo.nd4j() + ")"};
    }
  }

  /** Runs the command line and exits with its status. */
  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }
}
