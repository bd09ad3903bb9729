package org.jgan.core.io.torch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files written in {@code torch.save}'s layout read back through {@link TorchFiles} with every
 * value intact; that PyTorch itself loads them is checked by the export test against PyTorch
 * (RosinalityExportTest) where Python is installed.
 */
class TorchWriterTest {
  @TempDir Path dir;

  @Test
  void valuesRoundTripThroughTheReader() throws IOException {
    Rng rng = new Rng(5);
    Map<String, Object> inner = new LinkedHashMap<>();
    inner.put("conv.weight", rng.normal(DType.FLOAT32, 2, 3, 3, 3));
    inner.put("w_avg", rng.normal(DType.FLOAT64, 7));
    inner.put("strength", Tensor.scalar(DType.FLOAT32, 0.25));
    inner.put("empty", Tensor.zeros(DType.FLOAT32, 0, 4));
    Map<String, Object> top = new LinkedHashMap<>();
    top.put("g_ema", inner);
    top.put("size", 256);
    top.put("big", 5_000_000_000L);
    top.put("negative", -7);
    top.put("lr", 0.002);
    top.put("name", "jgan \u00e9");
    top.put("flags", List.of(true, false));
    top.put("nothing", null);
    Path p = dir.resolve("x.pt");
    TorchWriter.save(top, p);
    Map<?, ?> back = assertInstanceOf(Map.class, TorchFiles.read(p));
    assertEquals(new ArrayList<>(top.keySet()), new ArrayList<>(back.keySet()));
    assertEquals(256L, back.get("size"));
    assertEquals(5_000_000_000L, back.get("big"));
    assertEquals(-7L, back.get("negative"));
    assertEquals(0.002, back.get("lr"));
    assertEquals("jgan \u00e9", back.get("name"));
    assertEquals(List.of(true, false), back.get("flags"));
    assertNull(back.get("nothing"));
    Map<String, TorchTensor> tensors = TorchFiles.tensors(back);
    for (Map.Entry<String, Object> e : inner.entrySet()) {
      Tensor want = (Tensor) e.getValue();
      TorchTensor got = tensors.get("g_ema." + e.getKey());
      assertArrayEquals(want.shape(), got.shape(), e.getKey());
      assertEquals(want.dtype() == DType.FLOAT64 ? "float64" : "float32", got.dtype().pythonName());
      assertArrayEquals(want.toDoubleArray(), got.toDoubles(), 0.0, e.getKey());
    }
    // every storage starts on a multiple of 64 bytes, as PyTorch aligns them
    byte[] file = Files.readAllBytes(p);
    for (ZipStore.Entry e : ZipStore.open(file, "x").entries().values()) {
      if (e.name().startsWith("archive/data/")) {
        assertEquals(0, e.offset() % 64, e.name());
      }
    }
  }

  @Test
  void unsupportedValuesAreRefused() {
    assertThrows(
        IllegalArgumentException.class,
        () -> TorchWriter.save(Map.of("x", new Object()), dir.resolve("y.pt")));
    assertThrows(
        IllegalArgumentException.class, () -> TorchWriter.save(Map.of(3, 4), dir.resolve("z.pt")));
  }
}
