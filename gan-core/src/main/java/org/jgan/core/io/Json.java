package org.jgan.core.io;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small, strict JSON (RFC 8259) reader and writer for weight-file headers, checkpoints and
 * configs. Values map to {@code LinkedHashMap<String, Object>}, {@code List<Object>}, {@code
 * String}, {@code Long} (integers that fit), {@code Double}, {@code Boolean} and {@code null}.
 * Nesting deeper than 256 levels, duplicate keys and trailing content are errors; work is linear in
 * the input's length.
 */
public final class Json {
  private static final int MAX_DEPTH = 256;

  private final String s;
  private int pos;

  private Json(String s) {
    this.s = s;
  }

  /** Thrown for malformed JSON; the message gives the character offset. */
  public static final class JsonException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    JsonException(String message) {
      super(message);
    }
  }

  /**
   * Parses one JSON value.
   *
   * @throws JsonException naming the offset and what was expected
   */
  public static Object parse(String text) {
    Json p = new Json(text);
    p.ws();
    Object v = p.value(0);
    p.ws();
    if (p.pos != text.length()) {
      throw p.error("unexpected content after the JSON value");
    }
    return v;
  }

  /** Parses a JSON object. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> parseObject(String text) {
    Object v = parse(text);
    if (!(v instanceof Map)) {
      throw new JsonException("expected a JSON object, got " + typeName(v));
    }
    return (Map<String, Object>) v;
  }

  /** The JSON type of a parsed value, for messages. */
  public static String typeName(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof Map) {
      return "object";
    }
    if (v instanceof List) {
      return "array";
    }
    if (v instanceof String) {
      return "string";
    }
    if (v instanceof Boolean) {
      return "boolean";
    }
    return "number";
  }

  private JsonException error(String what) {
    return new JsonException("invalid JSON at offset " + pos + ": " + what);
  }

  private void ws() {
    while (pos < s.length()) {
      char c = s.charAt(pos);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      pos++;
    }
  }

  private Object value(int depth) {
    if (depth > MAX_DEPTH) {
      throw error("nesting deeper than " + MAX_DEPTH);
    }
    if (pos >= s.length()) {
      throw error("unexpected end of input");
    }
    char c = s.charAt(pos);
    switch (c) {
      case '{':
        return object(depth);
      case '[':
        return array(depth);
      case '"':
        return string();
      case 't':
        return literal("true", Boolean.TRUE);
      case 'f':
        return literal("false", Boolean.FALSE);
      case 'n':
        return literal("null", null);
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          return number();
        }
        throw error("unexpected character '" + c + "'");
    }
  }

  private Object literal(String word, Object v) {
    if (!s.startsWith(word, pos)) {
      throw error("expected '" + word + "'");
    }
    pos += word.length();
    return v;
  }

  private Map<String, Object> object(int depth) {
    Map<String, Object> m = new LinkedHashMap<>();
    pos++;
    ws();
    if (pos < s.length() && s.charAt(pos) == '}') {
      pos++;
      return m;
    }
    while (true) {
      ws();
      if (pos >= s.length() || s.charAt(pos) != '"') {
        throw error("expected a string key");
      }
      String key = string();
      ws();
      expect(':');
      ws();
      Object v = value(depth + 1);
      if (m.containsKey(key)) {
        throw error("duplicate key \"" + key + "\"");
      }
      m.put(key, v);
      ws();
      if (pos < s.length() && s.charAt(pos) == ',') {
        pos++;
        continue;
      }
      expect('}');
      return m;
    }
  }

  private List<Object> array(int depth) {
    List<Object> list = new ArrayList<>();
    pos++;
    ws();
    if (pos < s.length() && s.charAt(pos) == ']') {
      pos++;
      return list;
    }
    while (true) {
      ws();
      list.add(value(depth + 1));
      ws();
      if (pos < s.length() && s.charAt(pos) == ',') {
        pos++;
        continue;
      }
      expect(']');
      return list;
    }
  }

  private void expect(char c) {
    if (pos >= s.length() || s.charAt(pos) != c) {
      throw error("expected '" + c + "'");
    }
    pos++;
  }

  private String string() {
    pos++;
    StringBuilder sb = new StringBuilder();
    while (true) {
      if (pos >= s.length()) {
        throw error("unterminated string");
      }
      char c = s.charAt(pos++);
      if (c == '"') {
        return sb.toString();
      }
      if (c < 0x20) {
        throw error("control character in string");
      }
      if (c != '\\') {
        sb.append(c);
        continue;
      }
      if (pos >= s.length()) {
        throw error("unterminated escape");
      }
      char e = s.charAt(pos++);
      switch (e) {
        case '"':
        case '\\':
        case '/':
          sb.append(e);
          break;
        case 'b':
          sb.append('\b');
          break;
        case 'f':
          sb.append('\f');
          break;
        case 'n':
          sb.append('\n');
          break;
        case 'r':
          sb.append('\r');
          break;
        case 't':
          sb.append('\t');
          break;
        case 'u':
          if (pos + 4 > s.length()) {
            throw error("truncated \\u escape");
          }
          int cp = 0;
          for (int i = 0; i < 4; i++) {
            int d = Character.digit(s.charAt(pos++), 16);
            if (d < 0) {
              throw error("bad hex digit in \\u escape");
            }
            cp = cp * 16 + d;
          }
          sb.append((char) cp);
          break;
        default:
          throw error("bad escape \\" + e);
      }
    }
  }

  private Object number() {
    int start = pos;
    if (s.charAt(pos) == '-') {
      pos++;
    }
    if (pos >= s.length()) {
      throw error("truncated number");
    }
    if (s.charAt(pos) == '0') {
      pos++;
    } else if (s.charAt(pos) >= '1' && s.charAt(pos) <= '9') {
      digits();
    } else {
      throw error("expected a digit");
    }
    boolean integral = true;
    if (pos < s.length() && s.charAt(pos) == '.') {
      integral = false;
      pos++;
      if (pos >= s.length() || !Character.isDigit(s.charAt(pos))) {
        throw error("expected a digit after '.'");
      }
      digits();
    }
    if (pos < s.length() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
      integral = false;
      pos++;
      if (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) {
        pos++;
      }
      if (pos >= s.length() || !Character.isDigit(s.charAt(pos))) {
        throw error("expected a digit in the exponent");
      }
      digits();
    }
    String text = s.substring(start, pos);
    if (integral && text.length() <= 18) {
      return Long.parseLong(text);
    }
    if (text.length() > 400) {
      throw error("number too long");
    }
    BigDecimal d = new BigDecimal(text);
    if (integral) {
      try {
        return d.longValueExact();
      } catch (ArithmeticException e) {
        return d.doubleValue();
      }
    }
    return d.doubleValue();
  }

  private void digits() {
    while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
      pos++;
    }
  }

  // ---------------------------------------------------------------- writing

  /** Compact JSON for a value made of maps, lists, strings, numbers, booleans and null. */
  public static String write(Object value) {
    StringBuilder sb = new StringBuilder();
    write(sb, value, -1, 0);
    return sb.toString();
  }

  /** Indented JSON (two spaces), for files people read. */
  public static String writePretty(Object value) {
    StringBuilder sb = new StringBuilder();
    write(sb, value, 2, 0);
    return sb.append('\n').toString();
  }

  private static void write(StringBuilder sb, Object v, int indent, int level) {
    if (v == null) {
      sb.append("null");
    } else if (v instanceof String) {
      quote(sb, (String) v);
    } else if (v instanceof Boolean) {
      sb.append(v);
    } else if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      if (!Double.isFinite(d)) {
        throw new IllegalArgumentException("JSON cannot hold " + d);
      }
      sb.append(
          d == Math.rint(d) && Math.abs(d) < 1e15
              ? Long.toString((long) d) + ".0"
              : Double.toString(d));
    } else if (v instanceof Number) {
      sb.append(((Number) v).longValue());
    } else if (v instanceof Enum) {
      quote(sb, ((Enum<?>) v).name());
    } else if (v instanceof Map) {
      Iterator<? extends Map.Entry<?, ?>> it = ((Map<?, ?>) v).entrySet().iterator();
      sb.append('{');
      boolean first = true;
      while (it.hasNext()) {
        Map.Entry<?, ?> e = it.next();
        sb.append(first ? "" : ",");
        newline(sb, indent, level + 1);
        quote(sb, String.valueOf(e.getKey()));
        sb.append(indent >= 0 ? ": " : ":");
        write(sb, e.getValue(), indent, level + 1);
        first = false;
      }
      if (!first) {
        newline(sb, indent, level);
      }
      sb.append('}');
    } else if (v instanceof List) {
      sb.append('[');
      boolean first = true;
      for (Object o : (List<?>) v) {
        sb.append(first ? "" : indent >= 0 ? ", " : ",");
        write(sb, o, indent, level + 1);
        first = false;
      }
      sb.append(']');
    } else if (v instanceof long[]) {
      List<Object> l = new ArrayList<>();
      for (long x : (long[]) v) {
        l.add(x);
      }
      write(sb, l, indent, level);
    } else if (v instanceof int[]) {
      List<Object> l = new ArrayList<>();
      for (int x : (int[]) v) {
        l.add((long) x);
      }
      write(sb, l, indent, level);
    } else if (v instanceof double[]) {
      List<Object> l = new ArrayList<>();
      for (double x : (double[]) v) {
        l.add(x);
      }
      write(sb, l, indent, level);
    } else {
      throw new IllegalArgumentException("cannot write " + v.getClass().getName() + " as JSON");
    }
  }

  private static void newline(StringBuilder sb, int indent, int level) {
    if (indent >= 0) {
      sb.append('\n');
      for (int i = 0; i < indent * level; i++) {
        sb.append(' ');
      }
    }
  }

  private static void quote(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"':
          sb.append("\\\"");
          break;
        case '\\':
          sb.append("\\\\");
          break;
        case '\n':
          sb.append("\\n");
          break;
        case '\r':
          sb.append("\\r");
          break;
        case '\t':
          sb.append("\\t");
          break;
        default:
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
      }
    }
    sb.append('"');
  }
}
