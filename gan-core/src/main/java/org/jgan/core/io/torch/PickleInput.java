package org.jgan.core.io.torch;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.jgan.core.io.WeightFileException;
import org.jgan.core.io.WeightFileException.Kind;

/**
 * The bytes of one pickle, read forward: fixed-size numbers, lengths checked against the bytes left
 * before anything is allocated, text lines, and the text forms of protocol 0's values (integers,
 * floats, quoted and raw-unicode-escaped strings).
 */
final class PickleInput {
  /** Decimal integers longer than this are refused (Python's own limit is 4,300 digits). */
  static final int MAX_DIGITS = 4300;

  private final byte[] b;
  private final int end;
  private final String source;
  private int pos;

  PickleInput(byte[] bytes, int start, int end, String source) {
    this.b = bytes;
    this.pos = start;
    this.end = end;
    this.source = source;
  }

  /** The position of the next byte. */
  int position() {
    return pos;
  }

  int u8() throws WeightFileException {
    need(1);
    return b[pos++] & 0xFF;
  }

  int s32() throws WeightFileException {
    need(4);
    int v = ZipStore.u32(b, pos);
    pos += 4;
    return v;
  }

  long long8() throws WeightFileException {
    need(8);
    long v = ZipStore.u64(b, pos);
    pos += 8;
    return v;
  }

  long beLong() throws WeightFileException {
    need(8);
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = v << 8 | (b[pos++] & 0xFF);
    }
    return v;
  }

  int length(long n) throws WeightFileException {
    if (n < 0 || n > end - pos) {
      throw new WeightFileException(
          Kind.TRUNCATED,
          source + ": a value of " + n + " bytes at byte " + pos + " runs past the pickle's end");
    }
    return (int) n;
  }

  void need(int n) throws WeightFileException {
    length(n);
  }

  void skip(int n) throws WeightFileException {
    need(n);
    pos += n;
  }

  byte[] bytes(long n) throws WeightFileException {
    int len = length(n);
    byte[] out = Arrays.copyOfRange(b, pos, pos + len);
    pos += len;
    return out;
  }

  String line() throws WeightFileException {
    int at = pos;
    while (at < end && b[at] != '\n') {
      at++;
    }
    if (at >= end) {
      throw new WeightFileException(Kind.TRUNCATED, source + ": a text line runs past the end");
    }
    String s = new String(b, pos, at - pos, StandardCharsets.ISO_8859_1);
    pos = at + 1;
    return s;
  }

  Object integer(String digits) throws WeightFileException {
    String d = digits.trim();
    if (d.length() > MAX_DIGITS) {
      throw bad("an integer of " + d.length() + " digits (at most " + MAX_DIGITS + ")");
    }
    try {
      return normal(new BigInteger(d));
    } catch (NumberFormatException e) {
      throw bad("'" + d + "' is not an integer");
    }
  }

  Object littleEndianInteger(int n) throws WeightFileException {
    if (n > MAX_DIGITS) {
      throw bad("an integer of " + n + " bytes (at most " + MAX_DIGITS + ")");
    }
    byte[] le = bytes(n);
    if (n == 0) {
      return 0L;
    }
    byte[] be = new byte[n];
    for (int i = 0; i < n; i++) {
      be[i] = le[n - 1 - i];
    }
    return normal(new BigInteger(be));
  }

  private static Object normal(BigInteger v) {
    return v.bitLength() < 64 ? (Object) v.longValue() : v;
  }

  Double parseFloat(String s) throws WeightFileException {
    String t = s.trim();
    switch (t) {
      case "inf":
        return Double.POSITIVE_INFINITY;
      case "-inf":
        return Double.NEGATIVE_INFINITY;
      case "nan":
        return Double.NaN;
      default:
        try {
          return Double.parseDouble(t);
        } catch (NumberFormatException e) {
          throw bad("'" + t + "' is not a float");
        }
    }
  }

  /** A protocol-0 string: Python's repr of a str, quotes included, with its escapes. */
  byte[] quoted(String s) throws WeightFileException {
    if (s.length() < 2
        || s.charAt(0) != s.charAt(s.length() - 1)
        || (s.charAt(0) != '\'' && s.charAt(0) != '"')) {
      throw bad("a STRING that is not quoted");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 1; i < s.length() - 1; i++) {
      char c = s.charAt(i);
      if (c != '\\') {
        out.write(c);
        continue;
      }
      if (++i >= s.length() - 1) {
        throw bad("a STRING ends in a backslash");
      }
      char e = s.charAt(i);
      switch (e) {
        case 'n' -> out.write('\n');
        case 'r' -> out.write('\r');
        case 't' -> out.write('\t');
        case '\\', '\'', '"' -> out.write(e);
        case 'x' -> {
          if (i + 3 > s.length() - 1) {
            throw bad("a STRING with a cut \\x escape");
          }
          out.write(hex(s.substring(i + 1, i + 3)));
          i += 2;
        }
        default -> throw bad("a STRING with the escape \\" + e);
      }
    }
    return out.toByteArray();
  }

  /** Protocol 0's raw-unicode-escape: {@code \\uXXXX} and {@code \\UXXXXXXXX}, all else as is. */
  String rawUnicode(String s) throws WeightFileException {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length() && (s.charAt(i + 1) == 'u' || s.charAt(i + 1) == 'U')) {
        int n = s.charAt(i + 1) == 'u' ? 4 : 8;
        if (i + 2 + n > s.length()) {
          throw bad("a UNICODE value with a cut escape");
        }
        int cp = hex(s.substring(i + 2, i + 2 + n));
        if (!Character.isValidCodePoint(cp)) {
          throw bad("a UNICODE value with the invalid code point " + cp);
        }
        out.appendCodePoint(cp);
        i += 1 + n;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  int hex(String digits) throws WeightFileException {
    try {
      return (int) Long.parseLong(digits, 16);
    } catch (NumberFormatException e) {
      throw bad("'" + digits + "' is not hexadecimal");
    }
  }

  WeightFileException bad(String what) {
    return new WeightFileException(Kind.BAD_HEADER, source + ": pickle: " + what);
  }
}
