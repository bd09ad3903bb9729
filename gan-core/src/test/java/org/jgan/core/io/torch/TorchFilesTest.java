package org.jgan.core.io.torch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.jgan.core.io.Json;
import org.jgan.core.io.WeightFileException;
import org.jgan.core.io.WeightFileException.Kind;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The PyTorch reader against files that PyTorch 1.13 wrote ({@code make_fixtures.py} beside them in
 * the test resources, with what they hold in {@code expected.json}), against hostile pickles, and
 * against every truncation and many corruptions of real files.
 */
class TorchFilesTest {
  static byte[] resource(String name) throws IOException {
    try (InputStream in = TorchFilesTest.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IOException("missing test resource " + name);
      }
      return in.readAllBytes();
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> expected(String part) throws IOException {
    String json = new String(resource("expected.json"), StandardCharsets.UTF_8);
    return (Map<String, Object>) Json.parseObject(json).get(part);
  }

  /** Every tensor: same names in the same order, dtype, shape and values (exactly). */
  @SuppressWarnings("unchecked")
  private static void assertHolds(Map<String, Object> want, Map<String, TorchTensor> got) {
    assertEquals(new ArrayList<>(want.keySet()), new ArrayList<>(got.keySet()));
    for (Map.Entry<String, Object> e : want.entrySet()) {
      Map<String, Object> w = (Map<String, Object>) e.getValue();
      TorchTensor t = got.get(e.getKey());
      assertEquals(w.get("dtype"), t.dtype().pythonName(), e.getKey());
      List<Object> shape = (List<Object>) w.get("shape");
      long[] s = new long[shape.size()];
      for (int i = 0; i < s.length; i++) {
        s[i] = ((Number) shape.get(i)).longValue();
      }
      assertArrayEquals(s, t.shape(), e.getKey());
      List<Object> values = (List<Object>) w.get("values");
      double[] v = new double[values.size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = ((Number) values.get(i)).doubleValue();
      }
      assertArrayEquals(v, t.toDoubles(), 0.0, e.getKey());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"state_dict.pt", "state_dict_legacy.pt"})
  void stateDictsReadAsPytorchWroteThem(String file) throws IOException {
    Object root = TorchFiles.read(resource(file), file);
    assertHolds(expected("state_dict"), TorchFiles.tensors(root));
  }

  @Test
  void floatingTensorsBecomeLibraryTensors() throws IOException {
    Map<String, TorchTensor> t =
        TorchFiles.tensors(TorchFiles.read(resource("state_dict.pt"), "sd"));
    Tensor half = t.get("half").toTensor(); // 6.1e-5 is the subnormal 1023 x 2^-24 in float16
    assertEquals(DType.FLOAT32, half.dtype());
    assertArrayEquals(new double[] {1.0, -2.5, 65504.0, 0x3FFp-24}, half.toDoubleArray(), 0);
    Tensor strided = t.get("transposed").toTensor(); // a non-contiguous view
    assertArrayEquals(new long[] {4, 3}, strided.shape());
    assertArrayEquals(t.get("transposed").toDoubles(), strided.toDoubleArray(), 0);
    Tensor dbl = t.get("double_tail").toTensor();
    assertEquals(DType.FLOAT64, dbl.dtype());
    assertArrayEquals(t.get("double_tail").toDoubles(), dbl.toDoubleArray(), 0);
    assertThrows(IllegalStateException.class, () -> t.get("steps").toTensor());
  }

  @Test
  void aPickledModuleYieldsItsStateDictNames() throws IOException {
    Object root = TorchFiles.read(resource("module.pt"), "module.pt");
    assertHolds(expected("module"), TorchFiles.tensors(root));
  }

  @Test
  void anAdaStyleNetworkPickleIsWalkedForItsTensors() throws IOException {
    Object root = TorchFiles.read(resource("ada_like.pkl"), "ada_like.pkl");
    // G_ema is the same object as G in this file: its tensors keep their first names
    assertHolds(expected("ada_like"), TorchFiles.tensors(root));
    Map<?, ?> top = assertInstanceOf(Map.class, root);
    PyObject g = assertInstanceOf(PyObject.class, top.get("G"));
    assertEquals(
        new PyGlobal("torch_utils.persistence", "_reconstruct_persistent_obj"), g.callable());
    assertEquals(Map.of("resolution", 32L), top.get("training_set_kwargs"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"hostile_os_system.pkl", "hostile_eval.pkl", "hostile_in_zip.pt"})
  void picklesThatWouldRunCodeAreRefusedAndRunNothing(String file) throws IOException {
    Path marker =
        Path.of(
            (String)
                Json.parseObject(new String(resource("expected.json"), StandardCharsets.UTF_8))
                    .get("marker"));
    Files.deleteIfExists(marker);
    WeightFileException e =
        assertThrows(WeightFileException.class, () -> TorchFiles.read(resource(file), file));
    assertEquals(Kind.UNSAFE, e.kind());
    assertTrue(e.getMessage().contains(file), e.getMessage());
    assertTrue(
        e.getMessage().contains("posix.system") || e.getMessage().contains("builtins.eval"),
        e.getMessage());
    assertFalse(Files.exists(marker), "the payload ran");
  }

  @Test
  void aFileThatOnlySeemsToOpenAsAPickleIsNotAPytorchFile() {
    // a safetensors file whose 8-byte header length is 0x80 + 256 k opens with byte 0x80, as a
    // pickle's PROTO does; its next byte is no protocol 2-5
    byte[] safetensorsLike = {(byte) 0x80, 0x61, 0, 0, 0, 0, 0, 0, '{', '}'};
    WeightFileException e =
        assertThrows(
            WeightFileException.class, () -> TorchFiles.read(safetensorsLike, "ckpt.safetensors"));
    assertTrue(e.getMessage().contains("ckpt.safetensors: not a PyTorch file"), e.getMessage());
    // a pickle of protocol 2 that breaks off is reported as a broken pickle instead
    byte[] brokenPickle = {(byte) 0x80, 2, '}', '('};
    WeightFileException p =
        assertThrows(WeightFileException.class, () -> TorchFiles.read(brokenPickle, "x.pkl"));
    assertFalse(p.getMessage().contains("not a PyTorch file"), p.getMessage());
  }

  @Test
  void otherGlobalsAreKeptAsInertObjects() throws IOException {
    byte[] pickle = "cevil.module\nrun\n(S'rm -rf /'\nI42\ntR.".getBytes(StandardCharsets.US_ASCII);
    PyObject o = assertInstanceOf(PyObject.class, TorchFiles.read(pickle, "inert"));
    assertEquals(new PyGlobal("evil.module", "run"), o.callable());
    assertEquals(List.of("rm -rf /", 42L), o.args().items());
  }

  @Test
  void everyTruncationIsAWeightFileException() throws IOException {
    for (String file : List.of("state_dict.pt", "state_dict_legacy.pt", "ada_like.pkl")) {
      byte[] b = resource(file);
      for (int n = 0; n < b.length; n++) {
        byte[] cut = Arrays.copyOf(b, n);
        assertThrows(
            WeightFileException.class,
            () -> TorchFiles.tensors(TorchFiles.read(cut, file)),
            file + " cut to " + n + " bytes");
      }
    }
  }

  @Test
  void corruptedBytesReadOrFailWithAMessage() throws IOException {
    for (String file : List.of("state_dict.pt", "state_dict_legacy.pt", "ada_like.pkl")) {
      byte[] b = resource(file);
      for (int at = 0; at < b.length; at++) {
        for (int flip : new int[] {0x01, 0x80, 0xFF}) {
          byte[] bad = b.clone();
          bad[at] ^= (byte) flip;
          try {
            for (TorchTensor t : TorchFiles.tensors(TorchFiles.read(bad, file)).values()) {
              t.toDoubles();
            }
          } catch (WeightFileException expected) {
            assertFalse(expected.getMessage().isBlank());
          }
        }
      }
    }
  }
}
