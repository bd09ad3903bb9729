package org.jgan.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {
  @Test
  void parsesEveryValueType() {
    Map<String, Object> m =
        Json.parseObject(
            "{\"a\": [1, -2.5e3, true, false, null], \"s\": \"x\\n"
                + "\\u00e9\\\"\", \"big\": 12345678901234567890, \"o\": {}}");
    assertEquals(List.of(1L, -2500.0, true, false), ((List<?>) m.get("a")).subList(0, 4));
    assertEquals("x\né\"", m.get("s"));
    assertEquals(1.2345678901234567e19, (Double) m.get("big"), 1e5);
    assertEquals(Map.of(), m.get("o"));
  }

  @Test
  void writeThenParseRoundTrips() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("lr", 0.0025);
    m.put("batch", 32L);
    m.put("name", "tab\tquote\"");
    m.put("shape", List.of(1L, 2L));
    m.put("nested", Map.of("k", true));
    assertEquals(m, Json.parseObject(Json.write(m)));
    assertEquals(m, Json.parseObject(Json.writePretty(m)));
  }

  @Test
  void primitiveArraysAreWrittenAsLists() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("d", new double[] {0.5, -2.0});
    m.put("i", new int[] {3, 4});
    m.put("l", new long[] {5L});
    Map<String, Object> back = Json.parseObject(Json.write(m));
    assertEquals(List.of(0.5, -2.0), back.get("d"));
    assertEquals(List.of(3L, 4L), back.get("i"));
    assertEquals(List.of(5L), back.get("l"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "{",
        "{\"a\":1,}",
        "[1 2]",
        "{\"a\":1}x",
        "01",
        "\"\\x\"",
        "{\"a\":1,\"a\":2}",
        "nul",
        "1.",
        "-"
      })
  void rejectsMalformedInput(String text) {
    assertThrows(Json.JsonException.class, () -> Json.parse(text));
  }

  @Test
  void deepNestingIsRefusedNotAStackOverflow() {
    String deep = "[".repeat(100_000);
    assertThrows(Json.JsonException.class, () -> Json.parse(deep));
  }
}
