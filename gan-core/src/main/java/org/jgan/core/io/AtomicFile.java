package org.jgan.core.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Replacing a file so that it is never seen half-written: the content goes to a temporary file in
 * the same folder, is forced to disk, and is renamed over the target. A crash at any moment leaves
 * either the old file or the new one; an interrupted write leaves at most a {@code *.tmp} file,
 * which {@code TrainingRun} removes when it resumes.
 */
public final class AtomicFile {
  private AtomicFile() {}

  /** Writes the content produced by {@code body} to {@code path} atomically. */
  public static void write(Path path, Body body) throws IOException {
    Path dir = path.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, path.getFileName().toString(), ".tmp");
    try {
      // createTempFile makes it 0600, which the rename would carry over; the finished file is an
      // ordinary one (0644)
      setPermissions(tmp, "rw-r--r--");
      try (FileChannel ch =
          FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        OutputStream out = Channels.newOutputStream(ch);
        body.writeTo(out);
        out.flush();
        ch.force(true);
      }
      try {
        Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** What writes a file's content. */
  @FunctionalInterface
  public interface Body {
    /** Writes the content; the stream is closed by {@link AtomicFile}. */
    void writeTo(OutputStream out) throws IOException;
  }

  /**
   * Sets POSIX permissions ({@code "rw-r--r--"}) where the file system has them; elsewhere (not a
   * POSIX file system) leaves the file as it is.
   */
  public static void setPermissions(Path p, String permissions) throws IOException {
    try {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(permissions));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system: nothing to set
    }
  }
}
