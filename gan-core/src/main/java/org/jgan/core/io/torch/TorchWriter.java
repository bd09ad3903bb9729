package org.jgan.core.io.torch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import org.jgan.core.io.AtomicFile;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Tensor;

/**
 * Writes values in {@code torch.save}'s ZIP layout, so that {@code torch.load} reads them without
 * any class of this library: {@code archive/data.pkl} (a protocol-2 pickle that calls only {@code
 * collections.OrderedDict} and {@code torch._utils._rebuild_tensor_v2}), one stored entry {@code
 * archive/data/<i>} per tensor (little-endian, aligned to 64 bytes as PyTorch aligns them), {@code
 * archive/version} and {@code archive/byteorder}. Values: {@link Map} with string keys (written as
 * an {@code OrderedDict}), {@link List} (a list), {@link Tensor} (float32 or float64, contiguous),
 * {@link String}, {@link Long}/{@link Integer}, {@link Double}, {@link Boolean} and null. The file
 * is written atomically ({@link AtomicFile}).
 */
public final class TorchWriter {
  private final ByteArrayOutputStream pickle = new ByteArrayOutputStream();
  private final List<byte[]> storages = new ArrayList<>();

  private TorchWriter() {}

  /** Writes {@code value} to {@code path} as {@code torch.save(value, path)} would. */
  public static void save(Object value, Path path) throws IOException {
    TorchWriter w = new TorchWriter();
    w.op(0x80);
    w.op(2);
    w.value(value);
    w.op('.');
    byte[] pkl = w.pickle.toByteArray();
    AtomicFile.write(path, out -> w.zip(out, pkl));
  }

  private void value(Object v) {
    if (v == null) {
      op('N');
    } else if (v instanceof Boolean b) {
      op(b ? 0x88 : 0x89);
    } else if (v instanceof Integer || v instanceof Long) {
      integer(((Number) v).longValue());
    } else if (v instanceof Double d) {
      op('G');
      long bits = Double.doubleToLongBits(d);
      for (int i = 7; i >= 0; i--) {
        op((int) (bits >>> (8 * i)) & 0xFF);
      }
    } else if (v instanceof String s) {
      string(s);
    } else if (v instanceof Tensor t) {
      tensor(t);
    } else if (v instanceof Map<?, ?> m) {
      global("collections", "OrderedDict");
      op(')');
      op('R');
      if (!m.isEmpty()) {
        op('(');
        for (Map.Entry<?, ?> e : m.entrySet()) {
          if (!(e.getKey() instanceof String)) {
            throw new IllegalArgumentException(
                "TorchWriter: dict keys must be strings, got " + e.getKey());
          }
          string((String) e.getKey());
          value(e.getValue());
        }
        op('u');
      }
    } else if (v instanceof List<?> l) {
      op(']');
      if (!l.isEmpty()) {
        op('(');
        for (Object o : l) {
          value(o);
        }
        op('e');
      }
    } else {
      throw new IllegalArgumentException(
          "TorchWriter: cannot write a " + v.getClass().getSimpleName());
    }
  }

  /** {@code _rebuild_tensor_v2(storage, 0, size, stride, False, OrderedDict())}. */
  private void tensor(Tensor t) {
    boolean dbl = t.dtype() == DType.FLOAT64;
    long[] shape = t.shape();
    long n = t.numel();
    ByteBuffer b = ByteBuffer.allocate((int) (n * (dbl ? 8 : 4))).order(ByteOrder.LITTLE_ENDIAN);
    if (dbl) {
      b.asDoubleBuffer().put(t.toDoubleArray());
    } else {
      b.asFloatBuffer().put(t.toFloatArray());
    }
    String key = String.valueOf(storages.size());
    storages.add(b.array());
    global("torch._utils", "_rebuild_tensor_v2");
    op('(');
    op('(');
    string("storage");
    global("torch", dbl ? "DoubleStorage" : "FloatStorage");
    string(key);
    string("cpu");
    integer(n);
    op('t');
    op('Q');
    integer(0);
    op('(');
    for (long s : shape) {
      integer(s);
    }
    op('t');
    op('(');
    long stride = 1;
    long[] strides = new long[shape.length];
    for (int d = shape.length - 1; d >= 0; d--) {
      strides[d] = stride;
      stride *= shape[d];
    }
    for (long s : strides) {
      integer(s);
    }
    op('t');
    op(0x89);
    global("collections", "OrderedDict");
    op(')');
    op('R');
    op('t');
    op('R');
  }

  private void global(String module, String name) {
    op('c');
    bytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
  }

  private void string(String s) {
    byte[] u = s.getBytes(StandardCharsets.UTF_8);
    op('X');
    int32(u.length);
    bytes(u);
  }

  private void integer(long v) {
    if (v >= 0 && v < 256) {
      op('K');
      op((int) v);
    } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
      op('J');
      int32((int) v);
    } else {
      op(0x8a); // LONG1: 8 little-endian bytes
      op(8);
      for (int i = 0; i < 8; i++) {
        op((int) (v >>> (8 * i)) & 0xFF);
      }
    }
  }

  private void int32(int v) {
    for (int i = 0; i < 4; i++) {
      op((v >>> (8 * i)) & 0xFF);
    }
  }

  private void op(int b) {
    pickle.write(b);
  }

  private void bytes(byte[] b) {
    pickle.write(b, 0, b.length);
  }

  // ---- the ZIP container: stored entries, data aligned to 64 bytes

  private record Written(String name, long offset, int size, int crc) {}

  private void zip(OutputStream out, byte[] pkl) throws IOException {
    ZipOut z = new ZipOut(out);
    List<Written> entries = new ArrayList<>();
    entries.add(z.entry("archive/data.pkl", pkl));
    entries.add(z.entry("archive/byteorder", "little".getBytes(StandardCharsets.US_ASCII)));
    for (int i = 0; i < storages.size(); i++) {
      entries.add(z.entry("archive/data/" + i, storages.get(i)));
    }
    entries.add(z.entry("archive/version", "3\n".getBytes(StandardCharsets.US_ASCII)));
    z.directory(entries);
  }

  /** A stream of ZIP records that knows its position. */
  private static final class ZipOut {
    private final OutputStream out;
    private long at;

    ZipOut(OutputStream out) {
      this.out = out;
    }

    Written entry(String name, byte[] data) throws IOException {
      if (at > 0xFFFFFFFFL - data.length - 1024) {
        throw new IOException("TorchWriter: files over 4 GiB need ZIP64, which is not written");
      }
      byte[] n = name.getBytes(StandardCharsets.UTF_8);
      CRC32 crc = new CRC32();
      crc.update(data);
      long offset = at;
      // pad the extra field so that the data starts on a multiple of 64
      int pad = (int) ((64 - (at + 30 + n.length + 4) % 64) % 64);
      ByteBuffer h = le(30 + n.length + 4 + pad);
      h.putInt(0x04034b50).putShort((short) 20).putShort((short) 0).putShort((short) 0);
      h.putShort((short) 0).putShort((short) 0).putInt((int) crc.getValue());
      h.putInt(data.length).putInt(data.length).putShort((short) n.length);
      h.putShort((short) (4 + pad)).put(n).putShort((short) 0x4246).putShort((short) pad);
      h.put(new byte[pad]);
      write(h.array());
      write(data);
      return new Written(name, offset, data.length, (int) crc.getValue());
    }

    void directory(List<Written> entries) throws IOException {
      long start = at;
      for (Written e : entries) {
        byte[] n = e.name().getBytes(StandardCharsets.UTF_8);
        ByteBuffer c = le(46 + n.length);
        c.putInt(0x02014b50).putShort((short) 20).putShort((short) 20).putShort((short) 0);
        c.putShort((short) 0).putShort((short) 0).putShort((short) 0).putInt(e.crc());
        c.putInt(e.size()).putInt(e.size()).putShort((short) n.length).putShort((short) 0);
        c.putShort((short) 0).putShort((short) 0).putShort((short) 0).putInt(0);
        c.putInt((int) e.offset()).put(n);
        write(c.array());
      }
      ByteBuffer end = le(22);
      end.putInt(0x06054b50).putShort((short) 0).putShort((short) 0);
      end.putShort((short) entries.size()).putShort((short) entries.size());
      end.putInt((int) (at - start)).putInt((int) start).putShort((short) 0);
      write(end.array());
    }

    private static ByteBuffer le(int size) {
      return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    private void write(byte[] b) throws IOException {
      out.write(b);
      at += b.length;
    }
  }
}
