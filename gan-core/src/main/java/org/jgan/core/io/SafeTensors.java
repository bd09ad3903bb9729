package org.jgan.core.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jgan.core.io.WeightFileException.Kind;
import org.jgan.core.kernels.Kernels;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header length {@code n}, {@code n}
 * bytes of JSON ({@code {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string:
 * string}}}), then the tensors' little-endian, row-major bytes, offsets counted from the end of the
 * header. Writes F32 and F64; reads F16, BF16, F32 (as float32) and F64 (as float64).
 *
 * <p>Reading validates everything against the file's real size before allocating; every defect
 * raises a {@link WeightFileException} of its own {@link Kind}. Writing goes to a temporary file in
 * the same folder, is forced to disk and then renamed over the target ({@link AtomicFile}), so an
 * interrupted write never replaces a good file.
 */
public final class SafeTensors {
  /** Headers larger than this are refused (the format's reference reader uses the same bound). */
  public static final long MAX_HEADER = 100L << 20;

  private SafeTensors() {}

  /** A file's tensors, in header order, and its metadata. */
  public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {}

  /** Writes tensors and string metadata atomically to {@code path} (see {@link AtomicFile}). */
  public static void write(Path path, Map<String, Tensor> tensors, Map<String, String> metadata)
      throws IOException {
    AtomicFile.write(path, out -> write(out, tensors, metadata));
  }

  /** Writes the safetensors bytes to a stream (not closed). */
  public static void write(
      OutputStream out, Map<String, Tensor> tensors, Map<String, String> metadata)
      throws IOException {
    Map<String, Object> header = new LinkedHashMap<>();
    if (metadata != null && !metadata.isEmpty()) {
      header.put("__metadata__", new LinkedHashMap<String, Object>(metadata));
    }
    long offset = 0;
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      if (e.getKey().equals("__metadata__")) {
        throw new IllegalArgumentException("'__metadata__' is reserved and cannot name a tensor");
      }
      Tensor t = e.getValue();
      long bytes = t.numel() * t.dtype().bytes();
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("dtype", t.dtype() == DType.FLOAT64 ? "F64" : "F32");
      entry.put("shape", t.shape());
      entry.put("data_offsets", List.of(offset, offset + bytes));
      header.put(e.getKey(), entry);
      offset += bytes;
    }
    byte[] json = Json.write(header).getBytes(StandardCharsets.UTF_8);
    int padded = (json.length + 7) / 8 * 8;
    ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
    head.putLong(padded).put(json);
    while (head.hasRemaining()) {
      head.put((byte) ' ');
    }
    out.write(head.array());
    for (Tensor t : tensors.values()) {
      INDArray a = t.data().dup('c');
      ByteBuffer buf =
          ByteBuffer.allocate((int) (a.length() * t.dtype().bytes()))
              .order(ByteOrder.LITTLE_ENDIAN);
      if (t.dtype() == DType.FLOAT64) {
        buf.asDoubleBuffer().put(a.data().asDouble());
      } else {
        buf.asFloatBuffer().put(a.data().asFloat());
      }
      out.write(buf.array());
    }
    out.flush();
  }

  /** Reads a safetensors file. */
  public static Contents read(Path path) throws IOException {
    long size = Files.size(path);
    if (size > Integer.MAX_VALUE - 64) {
      throw new WeightFileException(Kind.BAD_HEADER, path + ": files over 2 GiB are not supported");
    }
    return read(Files.readAllBytes(path), path.toString());
  }

  /**
   * Reads safetensors bytes; {@code source} names them in error messages.
   *
   * @throws WeightFileException for any defect, never another exception
   */
  public static Contents read(byte[] bytes, String source) throws WeightFileException {
    if (bytes.length < 8) {
      throw new WeightFileException(
          Kind.TRUNCATED,
          source + ": " + bytes.length + " bytes, too short for the 8-byte header length");
    }
    ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    long n = buf.getLong(0);
    if (n < 2 || n > MAX_HEADER) {
      throw new WeightFileException(
          Kind.BAD_HEADER,
          source
              + ": header length "
              + Long.toUnsignedString(n)
              + " is outside [2, "
              + MAX_HEADER
              + "] bytes");
    }
    if (n > bytes.length - 8) {
      throw new WeightFileException(
          Kind.TRUNCATED,
          source
              + ": header claims "
              + n
              + " bytes but only "
              + (bytes.length - 8)
              + " follow the length");
    }
    Map<String, Object> header;
    try {
      String text =
          StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes, 8, (int) n)).toString();
      header = Json.parseObject(text);
    } catch (CharacterCodingException | Json.JsonException e) {
      throw new WeightFileException(
          Kind.BAD_HEADER, source + ": header is not a JSON object: " + e.getMessage());
    }
    long dataStart = 8 + n;
    long dataSize = bytes.length - dataStart;
    Map<String, String> metadata = new LinkedHashMap<>();
    List<Entry> entries = new ArrayList<>();
    for (Map.Entry<String, Object> e : header.entrySet()) {
      if (e.getKey().equals("__metadata__")) {
        if (!(e.getValue() instanceof Map)) {
          throw new WeightFileException(
              Kind.BAD_HEADER, source + ": __metadata__ must be an object of strings");
        }
        for (Map.Entry<?, ?> m : ((Map<?, ?>) e.getValue()).entrySet()) {
          if (!(m.getValue() instanceof String)) {
            throw new WeightFileException(
                Kind.BAD_HEADER, source + ": metadata value '" + m.getKey() + "' is not a string");
          }
          metadata.put((String) m.getKey(), (String) m.getValue());
        }
        continue;
      }
      entries.add(Entry.parse(e.getKey(), e.getValue(), source, dataSize));
    }
    List<Entry> byOffset = new ArrayList<>(entries);
    byOffset.sort(Comparator.comparingLong(Entry::begin));
    for (int i = 1; i < byOffset.size(); i++) {
      if (byOffset.get(i).begin < byOffset.get(i - 1).end) {
        throw new WeightFileException(
            Kind.BAD_OFFSETS,
            source
                + ": tensors '"
                + byOffset.get(i - 1).name
                + "' and '"
                + byOffset.get(i).name
                + "' overlap");
      }
    }
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    for (Entry en : entries) {
      tensors.put(en.name, Tensor.of(en.decode(buf, dataStart)));
    }
    return new Contents(tensors, metadata);
  }

  private record Entry(String name, String dtype, long[] shape, long begin, long end) {
    static Entry parse(String name, Object v, String source, long dataSize)
        throws WeightFileException {
      if (!(v instanceof Map)) {
        throw new WeightFileException(
            Kind.BAD_HEADER, source + ": entry '" + name + "' is not an object");
      }
      Map<?, ?> m = (Map<?, ?>) v;
      Object dt = m.get("dtype");
      Object sh = m.get("shape");
      Object off = m.get("data_offsets");
      if (!(dt instanceof String) || !(sh instanceof List) || !(off instanceof List)) {
        throw new WeightFileException(
            Kind.BAD_HEADER,
            source
                + ": entry '"
                + name
                + "' needs dtype (string), shape (array) and"
                + " data_offsets (array)");
      }
      String dtype = (String) dt;
      int elem = elementSize(dtype);
      if (elem < 0) {
        throw new WeightFileException(
            Kind.UNKNOWN_DTYPE,
            source
                + ": tensor '"
                + name
                + "' has dtype "
                + dtype
                + "; readable types are F16, BF16, F32, F64");
      }
      List<?> dims = (List<?>) sh;
      if (dims.size() > 16) {
        throw new WeightFileException(
            Kind.BAD_HEADER, source + ": tensor '" + name + "' has rank " + dims.size() + " > 16");
      }
      long[] shape = new long[dims.size()];
      long numel = 1;
      for (int i = 0; i < shape.length; i++) {
        if (!(dims.get(i) instanceof Long) || (Long) dims.get(i) < 0) {
          throw new WeightFileException(
              Kind.BAD_HEADER,
              source
                  + ": tensor '"
                  + name
                  + "' has a shape entry that is not a"
                  + " non-negative integer: "
                  + dims.get(i));
        }
        shape[i] = (Long) dims.get(i);
        try {
          numel = Math.multiplyExact(numel, shape[i]);
        } catch (ArithmeticException e) {
          throw new WeightFileException(
              Kind.SHAPE_MISMATCH, source + ": tensor '" + name + "' shape overflows");
        }
      }
      List<?> o = (List<?>) off;
      if (o.size() != 2 || !(o.get(0) instanceof Long) || !(o.get(1) instanceof Long)) {
        throw new WeightFileException(
            Kind.BAD_OFFSETS, source + ": tensor '" + name + "' data_offsets must be two integers");
      }
      long begin = (Long) o.get(0);
      long end = (Long) o.get(1);
      if (begin < 0 || end < begin || end > dataSize) {
        throw new WeightFileException(
            Kind.BAD_OFFSETS,
            source
                + ": tensor '"
                + name
                + "' has data_offsets ["
                + begin
                + ", "
                + end
                + "] outside the "
                + dataSize
                + "-byte data section");
      }
      if (numel > Long.MAX_VALUE / 8 || end - begin != numel * elem) {
        throw new WeightFileException(
            Kind.SHAPE_MISMATCH,
            source
                + ": tensor '"
                + name
                + "' of shape "
                + Arrays.toString(shape)
                + " and type "
                + dtype
                + " needs "
                + numel
                + " x "
                + elem
                + " bytes but its offsets span "
                + (end - begin));
      }
      return new Entry(name, dtype, shape, begin, end);
    }

    INDArray decode(ByteBuffer buf, long dataStart) {
      int start = (int) (dataStart + begin);
      int count = (int) ((end - begin) / elementSize(dtype));
      ByteBuffer b = buf.duplicate().order(ByteOrder.LITTLE_ENDIAN);
      b.position(start);
      INDArray flat;
      if (dtype.equals("F64")) {
        double[] v = new double[count];
        b.asDoubleBuffer().get(v);
        flat = Nd4j.createFromArray(v);
      } else {
        float[] v = new float[count];
        if (dtype.equals("F32")) {
          b.asFloatBuffer().get(v);
        } else {
          for (int i = 0; i < count; i++) {
            int h = b.getShort(start + 2 * i) & 0xFFFF;
            v[i] = dtype.equals("BF16") ? Float.intBitsToFloat(h << 16) : halfToFloat(h);
          }
        }
        flat = Nd4j.createFromArray(v);
      }
      INDArray out = Kernels.alloc(flat.dataType(), shape);
      if (count > 0) {
        out.assign(flat.reshape('c', shape));
      }
      return out;
    }
  }

  private static int elementSize(String dtype) {
    switch (dtype) {
      case "F16":
      case "BF16":
        return 2;
      case "F32":
        return 4;
      case "F64":
        return 8;
      default:
        return -1;
    }
  }

  /** IEEE 754 binary16 (the low 16 bits of {@code h}) to float. */
  public static float halfToFloat(int h) {
    int sign = (h & 0x8000) << 16;
    int exp = (h >>> 10) & 0x1F;
    int mant = h & 0x3FF;
    if (exp == 0) {
      if (mant == 0) {
        return Float.intBitsToFloat(sign);
      }
      float v = mant * 0x1.0p-24f; // subnormal
      return sign != 0 ? -v : v;
    }
    if (exp == 31) {
      return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
    }
    return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
  }
}
