package org.jgan.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * docs/cli.md is picocli's own help for every command, so it cannot drift from the code. To refresh
 * it after changing an option: {@code mvn -pl examples test -Dtest=CliReferenceTest
 * -Dgan.updateDocs=true}.
 */
class CliReferenceTest {
  static String render() {
    CommandLine root = Gan.commandLine();
    root.setUsageHelpWidth(100);
    StringBuilder sb = new StringBuilder("# Command-line reference\n\n");
    sb.append(
        "Generated from the commands' own help (`./gan <command> --help`); a test keeps this page"
            + " equal to it.\n\n");
    sb.append("```\n").append(root.getUsageMessage(CommandLine.Help.Ansi.OFF)).append("```\n");
    for (var e : root.getSubcommands().entrySet()) {
      CommandLine sub = e.getValue();
      sub.setUsageHelpWidth(100);
      sb.append("\n## gan ")
          .append(e.getKey())
          .append("\n\n```\n")
          .append(sub.getUsageMessage(CommandLine.Help.Ansi.OFF))
          .append("```\n");
    }
    return sb.toString();
  }

  @Test
  void docsShowTheCurrentHelp() throws IOException {
    Path doc = Path.of("../docs/cli.md");
    String now = render();
    if (Boolean.getBoolean("gan.updateDocs")) {
      Files.writeString(doc, now);
    }
    assertEquals(
        now,
        Files.exists(doc) ? Files.readString(doc) : "",
        "docs/cli.md differs from the commands' help; regenerate with -Dgan.updateDocs=true (see"
            + " the class comment)");
  }
}
