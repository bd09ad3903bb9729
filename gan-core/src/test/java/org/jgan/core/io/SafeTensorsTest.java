package org.jgan.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jgan.core.io.WeightFileException.Kind;
import org.jgan.core.nn.Linear;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.testing.TensorAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
  @TempDir Path dir;

  private static Map<String, Tensor> sample() {
    Rng rng = new Rng(1);
    Map<String, Tensor> m = new LinkedHashMap<>();
    m.put("synthesis.b16.conv0.weight", rng.normal(DType.FLOAT32, 4, 3, 3, 3));
    m.put("mapping.w_avg", rng.normal(DType.FLOAT64, 8));
    m.put("scalar", Tensor.scalar(DType.FLOAT32, 2.5));
    m.put("empty", Tensor.zeros(DType.FLOAT32, 0, 3));
    return m;
  }

  private static byte[] file(String header, byte[] data) {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h).put(data);
    return b.array();
  }

  @Test
  void roundTripIsExactWithMetadata() throws IOException {
    Path p = dir.resolve("w.safetensors");
    SafeTensors.write(p, sample(), Map.of("family", "stylegan2", "kimg", "12.5"));
    SafeTensors.Contents c = SafeTensors.read(p);
    assertEquals(sample().keySet(), c.tensors().keySet());
    for (Map.Entry<String, Tensor> e : sample().entrySet()) {
      Tensor back = c.tensors().get(e.getKey());
      assertEquals(e.getValue().dtype(), back.dtype(), e.getKey());
      assertArrayEquals(e.getValue().shape(), back.shape(), e.getKey());
      assertArrayEquals(e.getValue().toDoubleArray(), back.toDoubleArray(), 0.0, e.getKey());
    }
    assertEquals("stylegan2", c.metadata().get("family"));
    byte[] bytes = Files.readAllBytes(p);
    long headerLength = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertEquals(0, headerLength % 8, "header padded to 8 bytes");
  }

  @Test
  void readsHalfAndBfloat16() throws IOException {
    // 1.0, -2.0, 0.5 in F16 (0x3C00, 0xC000, 0x3800) and 1.0, -2.0, 0.5 in BF16 (0x3F80, 0xC000,
    // 0x3F00)
    ByteBuffer d = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
    d.putShort((short) 0x3C00).putShort((short) 0xC000).putShort((short) 0x3800);
    d.putShort((short) 0x3F80).putShort((short) 0xC000).putShort((short) 0x3F00);
    String h =
        "{\"a\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[0,6]},"
            + "\"b\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[6,12]}}";
    SafeTensors.Contents c = SafeTensors.read(file(h, d.array()), "halves");
    assertArrayEquals(new double[] {1, -2, 0.5}, c.tensors().get("a").toDoubleArray(), 0);
    assertArrayEquals(new double[] {1, -2, 0.5}, c.tensors().get("b").toDoubleArray(), 0);
    assertEquals(DType.FLOAT32, c.tensors().get("a").dtype());
    assertEquals(65504f, SafeTensors.halfToFloat(0x7BFF));
    assertEquals(0x1.0p-24f, SafeTensors.halfToFloat(0x0001));
  }

  private static Kind kindOf(byte[] bytes) {
    return assertThrows(WeightFileException.class, () -> SafeTensors.read(bytes, "bad")).kind();
  }

  @Test
  void eachDefectGetsItsOwnError() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    SafeTensors.write(out, sample(), Map.of());
    byte[] good = out.toByteArray();
    assertEquals(Kind.TRUNCATED, kindOf(new byte[5]));
    assertEquals(Kind.TRUNCATED, kindOf(Arrays.copyOf(good, 40)));
    byte[] lying = good.clone();
    ByteBuffer.wrap(lying).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1L << 40);
    assertEquals(Kind.BAD_HEADER, kindOf(lying));
    assertEquals(Kind.BAD_HEADER, kindOf(file("[1,2]", new byte[0])));
    assertEquals(Kind.BAD_HEADER, kindOf(file("{\"a\":{\"dtype\":\"F32\"", new byte[0])));
    assertEquals(
        Kind.BAD_OFFSETS,
        kindOf(
            file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[4])));
    assertEquals(
        Kind.BAD_OFFSETS,
        kindOf(
            file(
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
                new byte[12])));
    assertEquals(
        Kind.UNKNOWN_DTYPE,
        kindOf(
            file("{\"a\":{\"dtype\":\"Q4\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[8])));
    assertEquals(
        Kind.SHAPE_MISMATCH,
        kindOf(
            file("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[8])));
    assertEquals(
        Kind.SHAPE_MISMATCH,
        kindOf(
            file(
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,4294967296],\"data_offsets\":[0,8]}}",
                new byte[8])));
    WeightFileException e =
        assertThrows(
            WeightFileException.class,
            () -> SafeTensors.read(Arrays.copyOf(good, 40), "model.safetensors"));
    assertTrue(e.getMessage().startsWith("model.safetensors: header claims"), e.getMessage());
  }

  @Test
  void aFailedWriteLeavesThePreviousFileIntact() throws IOException {
    Path p = dir.resolve("w.safetensors");
    SafeTensors.write(p, sample(), Map.of("v", "1"));
    byte[] before = Files.readAllBytes(p);
    Map<String, Tensor> broken = new LinkedHashMap<>(sample());
    broken.put(
        "__metadata__", Tensor.zeros(DType.FLOAT32, 1)); // refused half-way through the write
    assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(p, broken, Map.of()));
    assertArrayEquals(before, Files.readAllBytes(p));
    try (var files = Files.list(dir)) {
      assertEquals(1, files.count(), "no temporary file left behind");
    }
  }

  @Test
  void stateDictLoadReportsIncompatibleFilesByName() throws IOException {
    Linear a = new Linear(3, 2, new Rng(1));
    Linear b = new Linear(4, 2, new Rng(1));
    Path p = dir.resolve("a.safetensors");
    StateDict.save(a, p, Map.of());
    WeightFileException e = assertThrows(WeightFileException.class, () -> StateDict.load(b, p));
    assertEquals(Kind.INCOMPATIBLE, e.kind());
    assertTrue(e.getMessage().contains("weight (checkpoint [2, 3], model [2, 4])"), e.getMessage());
    Linear c = new Linear(3, 2, new Rng(7));
    StateDict.load(c, p);
    TensorAssert.assertClose(a.weight().value(), c.weight().value(), 0, "loaded weight");
  }
}
