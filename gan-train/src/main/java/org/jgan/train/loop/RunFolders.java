package org.jgan.train.loop;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Run folders that never collide and are never taken over: a new run starts only in a folder that
 * holds no run, and default folders are numbered like stylegan2-ada-pytorch's ({@code
 * runs/00003-dcgan-embedded}), each created atomically with the next free number.
 */
public final class RunFolders {
  private RunFolders() {}

  /** The files whose presence marks a folder as holding a run. */
  public static final List<String> RUN_FILES =
      List.of(
          "checkpoint.safetensors", "config.json", "log.jsonl", "losses.csv", "provenance.jsonl");

  private static final Pattern NUMBERED = Pattern.compile("^(\\d{5,})-.*");

  /** Whether {@code dir} holds any file of a run ({@link #RUN_FILES}). */
  public static boolean holdsRun(Path dir) {
    return RUN_FILES.stream().anyMatch(f -> Files.exists(dir.resolve(f)));
  }

  /**
   * Refuses a folder that holds a run, naming it and the two ways on: resuming the run or another
   * folder.
   *
   * @throws FileAlreadyExistsException when {@code dir} holds a run
   */
  public static void checkFree(Path dir) throws FileAlreadyExistsException {
    for (String f : RUN_FILES) {
      if (Files.exists(dir.resolve(f))) {
        Path ckpt = dir.resolve("checkpoint.safetensors");
        throw new FileAlreadyExistsException(
            dir.toString(),
            null,
            "holds a training run ("
                + f
                + "); nothing was changed. Continue it with --resume "
                + ckpt
                + " or choose another --out folder");
      }
    }
  }

  /**
   * Creates and returns {@code parent/NNNNN-name}, NNNNN one more than the largest number in use
   * there (00000 for the first); a folder made by someone else meanwhile moves to the next number.
   */
  public static Path next(Path parent, String name) throws IOException {
    Files.createDirectories(parent);
    int id = 0;
    try (Stream<Path> s = Files.list(parent)) {
      for (Path p : s.toList()) {
        Matcher m = NUMBERED.matcher(p.getFileName().toString());
        if (m.matches() && m.group(1).length() < 10) {
          id = Math.max(id, Integer.parseInt(m.group(1)) + 1);
        }
      }
    }
    String safe = name.replaceAll("[^A-Za-z0-9._-]", "_");
    for (; ; id++) {
      Path dir = parent.resolve(String.format("%05d-%s", id, safe));
      try {
        return Files.createDirectory(dir);
      } catch (FileAlreadyExistsException e) {
        // taken between the listing and now: try the next number
      }
    }
  }
}
