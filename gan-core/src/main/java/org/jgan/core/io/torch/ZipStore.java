package org.jgan.core.io.torch;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jgan.core.io.WeightFileException;
import org.jgan.core.io.WeightFileException.Kind;

/**
 * The entries of a ZIP archive held in memory, as {@code torch.save} writes them: stored (not
 * compressed), with ZIP64 records where sizes or offsets need them. Only the central directory and
 * the local headers are read; every size and offset is checked against the bytes there are.
 */
final class ZipStore {
  /** Where an entry's bytes lie in the archive. */
  record Entry(String name, int offset, int size) {}

  private static final int EOCD = 0x06054b50;
  private static final int EOCD64 = 0x06064b50;
  private static final int EOCD64_LOCATOR = 0x07064b50;
  private static final int CENTRAL = 0x02014b50;
  private static final int LOCAL = 0x04034b50;

  private final byte[] b;
  private final String source;
  private final Map<String, Entry> entries = new LinkedHashMap<>();

  private ZipStore(byte[] bytes, String source) {
    this.b = bytes;
    this.source = source;
  }

  /** Whether {@code bytes} begin like a ZIP archive. */
  static boolean isZip(byte[] bytes) {
    return bytes.length >= 4 && u32(bytes, 0) == LOCAL;
  }

  /** Reads the directory of the archive in {@code bytes}. */
  static ZipStore open(byte[] bytes, String source) throws WeightFileException {
    ZipStore z = new ZipStore(bytes, source);
    z.readDirectory();
    return z;
  }

  /** The entries by name, in directory order. */
  Map<String, Entry> entries() {
    return entries;
  }

  private void readDirectory() throws WeightFileException {
    int end = -1;
    for (int at = b.length - 22; at >= Math.max(0, b.length - 22 - 65_535); at--) {
      if (u32(b, at) == EOCD) {
        end = at;
        break;
      }
    }
    if (end < 0) {
      throw bad(Kind.TRUNCATED, "no end-of-central-directory record (a cut-off ZIP archive?)");
    }
    long count = u16(b, end + 10);
    long dirSize = u32(b, end + 12) & 0xFFFFFFFFL;
    long dirOffset = u32(b, end + 16) & 0xFFFFFFFFL;
    if ((count == 0xFFFF || dirSize == 0xFFFFFFFFL || dirOffset == 0xFFFFFFFFL)
        && end >= 20
        && u32(b, end - 20) == EOCD64_LOCATOR) {
      long at = u64(b, end - 12);
      if (at < 0 || at > b.length - 56 || u32(b, (int) at) != EOCD64) {
        throw bad(Kind.BAD_OFFSETS, "its ZIP64 end record lies outside the file");
      }
      count = u64(b, (int) at + 32);
      dirSize = u64(b, (int) at + 40);
      dirOffset = u64(b, (int) at + 48);
    }
    if (dirOffset < 0 || dirSize < 0 || dirOffset + dirSize > b.length || count > dirSize / 46) {
      throw bad(Kind.BAD_OFFSETS, "its central directory lies outside the file");
    }
    int at = (int) dirOffset;
    for (long i = 0; i < count; i++) {
      at = readCentral(at, (int) (dirOffset + dirSize));
    }
  }

  /** Reads the central-directory record at {@code at}; returns where the next one starts. */
  private int readCentral(int at, int dirEnd) throws WeightFileException {
    if (at > dirEnd - 46 || u32(b, at) != CENTRAL) {
      throw bad(Kind.BAD_HEADER, "a broken central-directory record at byte " + at);
    }
    int method = u16(b, at + 10);
    long compressed = u32(b, at + 20) & 0xFFFFFFFFL;
    long size = u32(b, at + 24) & 0xFFFFFFFFL;
    int nameLength = u16(b, at + 28);
    int extraLength = u16(b, at + 30);
    int commentLength = u16(b, at + 32);
    long local = u32(b, at + 42) & 0xFFFFFFFFL;
    int next = at + 46 + nameLength + extraLength + commentLength;
    if (next > dirEnd) {
      throw bad(Kind.BAD_HEADER, "a central-directory record runs past the directory");
    }
    String name = new String(b, at + 46, nameLength, StandardCharsets.UTF_8);
    // ZIP64 extra field: the 64-bit values of those fields that were saturated, in this order
    int extrasEnd = at + 46 + nameLength + extraLength;
    for (int e = at + 46 + nameLength; e + 4 <= extrasEnd; ) {
      int id = u16(b, e);
      int fieldEnd = Math.min(e + 4 + u16(b, e + 2), extrasEnd);
      int p = e + 4;
      if (id == 0x0001) {
        if (size == 0xFFFFFFFFL && p + 8 <= fieldEnd) {
          size = u64(b, p);
          p += 8;
        }
        if (compressed == 0xFFFFFFFFL && p + 8 <= fieldEnd) {
          compressed = u64(b, p);
          p += 8;
        }
        if (local == 0xFFFFFFFFL && p + 8 <= fieldEnd) {
          local = u64(b, p);
        }
      }
      e = fieldEnd;
    }
    if (method != 0) {
      throw bad(
          Kind.BAD_HEADER,
          "entry '" + name + "' is compressed (method " + method + "); torch.save stores entries");
    }
    if (local < 0 || local > b.length - 30 || u32(b, (int) local) != LOCAL) {
      throw bad(Kind.BAD_OFFSETS, "entry '" + name + "' has no local header where it says");
    }
    long data = local + 30 + u16(b, (int) local + 26) + u16(b, (int) local + 28);
    if (size != compressed || size < 0 || data + size > b.length) {
      throw bad(
          Kind.BAD_OFFSETS,
          "entry '" + name + "' of " + size + " bytes at byte " + data + " runs past the file");
    }
    entries.put(name, new Entry(name, (int) data, (int) size));
    return next;
  }

  private WeightFileException bad(Kind kind, String what) {
    return new WeightFileException(kind, source + ": " + what);
  }

  static int u16(byte[] b, int at) {
    return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8;
  }

  static int u32(byte[] b, int at) {
    return u16(b, at) | u16(b, at + 2) << 16;
  }

  static long u64(byte[] b, int at) {
    return (u32(b, at) & 0xFFFFFFFFL) | ((long) u32(b, at + 4)) << 32;
  }
}
