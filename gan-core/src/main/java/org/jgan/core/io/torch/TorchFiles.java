package org.jgan.core.io.torch;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jgan.core.io.WeightFileException;
import org.jgan.core.io.WeightFileException.Kind;
import org.jgan.core.tensor.Tensor;

/**
 * Reads the files PyTorch writes, executing nothing (see {@link Unpickler}):
 *
 * <ul>
 *   <li>{@code torch.save} archives: a ZIP with {@code <name>/data.pkl} and one raw entry {@code
 *       <name>/data/<key>} per storage (PyTorch 1.6 and later; {@code <name>/byteorder} says {@code
 *       big} when the writer was big-endian);
 *   <li>the legacy {@code torch.save} layout ({@code _use_new_zipfile_serialization=False}): the
 *       magic number, protocol 1001 and system information as three pickles, the object's pickle,
 *       the pickled list of storage keys, then each storage as an 8-byte element count and its
 *       bytes;
 *   <li>plain pickles ({@code pickle.dump}), where storages travel as {@code
 *       torch.storage._load_from_bytes(legacy file bytes)}, as in stylegan2-ada-pytorch's network
 *       pickles.
 * </ul>
 *
 * Tensors become {@link TorchTensor}s ({@code _rebuild_tensor}, {@code _rebuild_tensor_v2}, {@code
 * _rebuild_tensor_v3}, {@code _rebuild_parameter}, {@code _rebuild_from_type_v2}); {@link
 * #tensors(Object)} collects them with dotted names, as {@code state_dict()} names them.
 */
public final class TorchFiles {
  /** The magic number that begins a legacy {@code torch.save} file. */
  static final BigInteger LEGACY_MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);

  /** How deeply {@code _load_from_bytes} may nest files in files. */
  private static final int MAX_NESTING = 4;

  private final String source;
  private final int nesting;

  private TorchFiles(String source, int nesting) {
    this.source = source;
    this.nesting = nesting;
  }

  /**
   * Reads a PyTorch file: the object it holds, with tensors as {@link TorchTensor}s.
   *
   * @throws WeightFileException for a damaged or hostile file ({@link Kind#UNSAFE}), naming the
   *     file and what was wrong
   */
  public static Object read(Path path) throws IOException {
    long size = Files.size(path);
    if (size > Integer.MAX_VALUE - 8) {
      throw new WeightFileException(
          Kind.BAD_HEADER, path + ": files over 2 GiB are not supported (" + size + " bytes)");
    }
    return read(Files.readAllBytes(path), path.toString());
  }

  /** {@link #read(Path)} for the bytes of a file; {@code source} names it in messages. */
  public static Object read(byte[] bytes, String source) throws WeightFileException {
    return new TorchFiles(source, 0).any(bytes);
  }

  /**
   * The floating-point tensors of a file as library tensors, by their dotted names (see {@link
   * #tensors(Object)}): the state dict of a {@code torch.save(model.state_dict())} file.
   */
  public static Map<String, Tensor> stateDict(Path path) throws IOException {
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, TorchTensor> e : tensors(read(path)).entrySet()) {
      if (e.getValue().dtype().floating()) {
        out.put(e.getKey(), e.getValue().toTensor());
      }
    }
    return out;
  }

  /**
   * Whether {@code b} opens as a pickle of protocol 2 to 5 does ({@code 0x80} and the protocol):
   * anything else that fails to unpickle was never a PyTorch file (a safetensors file whose header
   * length happens to start with byte 0x80, for one).
   */
  private static boolean startsAsAPickle(byte[] b) {
    return b.length > 1 && (b[0] & 0xFF) == 0x80 && b[1] >= 2 && b[1] <= 5;
  }

  private Object any(byte[] b) throws WeightFileException {
    if (ZipStore.isZip(b)) {
      return zip(b);
    }
    Unpickler first = new Unpickler(b, 0, b.length, source, new Calls(null));
    Object head;
    try {
      head = first.load();
    } catch (WeightFileException e) {
      if (nesting == 0 && !startsAsAPickle(b) && e.kind() != Kind.UNSAFE) {
        throw new WeightFileException(
            e.kind(),
            source
                + ": not a PyTorch file (neither torch.save's ZIP archive nor a pickle of protocol"
                + " 2 or later): "
                + e.getMessage()
                    .substring(e.getMessage().startsWith(source) ? source.length() + 2 : 0));
      }
      throw e;
    }
    if (LEGACY_MAGIC.equals(head)) {
      return legacy(b, first.position());
    }
    return head;
  }

  private Object zip(byte[] b) throws WeightFileException {
    ZipStore z = ZipStore.open(b, source);
    ZipStore.Entry pkl = null;
    for (ZipStore.Entry e : z.entries().values()) {
      if (e.name().endsWith("/data.pkl") && e.name().indexOf('/') == e.name().length() - 9) {
        pkl = e;
      }
    }
    if (pkl == null) {
      throw new WeightFileException(
          Kind.BAD_HEADER,
          source + ": a ZIP archive without <name>/data.pkl is not a torch.save file");
    }
    String root = pkl.name().substring(0, pkl.name().length() - "data.pkl".length());
    ZipStore.Entry order = z.entries().get(root + "byteorder");
    boolean big =
        order != null
            && new String(b, order.offset(), order.size(), StandardCharsets.US_ASCII)
                .trim()
                .equals("big");
    Calls calls =
        new Calls(
            pid -> {
              StorageId id = StorageId.of(pid, source);
              ZipStore.Entry data = z.entries().get(root + "data/" + id.key());
              if (data == null) {
                throw new WeightFileException(
                    Kind.BAD_OFFSETS,
                    source
                        + ": storage '"
                        + id.key()
                        + "' has no entry "
                        + root
                        + "data/"
                        + id.key());
              }
              TorchStorage s = new TorchStorage(id.key(), id.dtype(), id.numel());
              s.bind(b, data.offset(), data.size(), big, source);
              return s;
            });
    return new Unpickler(b, pkl.offset(), pkl.offset() + pkl.size(), source, calls).load();
  }

  private Object legacy(byte[] b, int at) throws WeightFileException {
    Unpickler version = new Unpickler(b, at, b.length, source, new Calls(null));
    Object protocol = version.load();
    if (!Long.valueOf(1001).equals(protocol)) {
      throw new WeightFileException(
          Kind.BAD_HEADER, source + ": legacy torch.save protocol " + protocol + ", expected 1001");
    }
    Unpickler info = new Unpickler(b, version.position(), b.length, source, new Calls(null));
    Object sys = info.load();
    boolean big = sys instanceof Map<?, ?> m && Boolean.FALSE.equals(m.get("little_endian"));
    Map<String, TorchStorage> storages = new LinkedHashMap<>();
    Calls calls =
        new Calls(
            pid -> {
              StorageId id = StorageId.of(pid, source);
              TorchStorage s = storages.get(id.key());
              if (s == null) {
                s = new TorchStorage(id.key(), id.dtype(), id.numel());
                storages.put(id.key(), s);
              }
              return s;
            });
    Unpickler main = new Unpickler(b, info.position(), b.length, source, calls);
    Object root = main.load();
    Unpickler keys = new Unpickler(b, main.position(), b.length, source, new Calls(null));
    Object keyList = keys.load();
    if (!(keyList instanceof List<?> list)) {
      throw new WeightFileException(
          Kind.BAD_HEADER, source + ": the legacy storage keys are not a list");
    }
    long pos = keys.position();
    for (Object k : list) {
      TorchStorage s = storages.get(String.valueOf(k));
      if (s == null || pos + 8 > b.length) {
        throw new WeightFileException(
            s == null ? Kind.BAD_HEADER : Kind.TRUNCATED,
            source + ": storage '" + k + (s == null ? "' is not used by the pickle" : "' is cut"));
      }
      long count = ZipStore.u64(b, (int) pos);
      if (count != s.numel()) {
        throw new WeightFileException(
            Kind.SHAPE_MISMATCH,
            source
                + ": storage '"
                + k
                + "' holds "
                + count
                + " elements, the pickle says "
                + s.numel());
      }
      s.bind(b, (int) pos + 8, b.length - pos - 8, big, source);
      pos += 8 + s.byteLength();
    }
    for (TorchStorage s : storages.values()) {
      if (!s.bound()) {
        throw new WeightFileException(
            Kind.TRUNCATED, source + ": storage '" + s.key() + "' has no bytes in the file");
      }
    }
    return root;
  }

  /** A persistent id {@code ('storage', StorageClass, key, location, numel[, view])}. */
  private record StorageId(String key, TorchDType dtype, long numel) {
    static StorageId of(Object pid, String source) throws WeightFileException {
      if (pid instanceof PyTuple t
          && t.size() >= 5
          && "storage".equals(t.get(0))
          && t.get(1) instanceof PyGlobal type
          && t.get(2) instanceof String key
          && t.get(4) instanceof Long numel) {
        TorchDType dtype = TorchDType.ofStorage(type);
        if (dtype == null) {
          throw new WeightFileException(
              Kind.UNKNOWN_DTYPE, source + ": storage type " + type + " is not supported");
        }
        if (t.size() > 5 && t.get(5) != null) {
          throw new WeightFileException(
              Kind.BAD_HEADER, source + ": storage views of PyTorch before 1.0 are not supported");
        }
        return new StorageId(key, dtype, numel);
      }
      throw new WeightFileException(
          Kind.BAD_HEADER,
          source + ": a persistent id that is not ('storage', type, key, location, numel)");
    }
  }

  /** How the persistent ids of one pickle are resolved. */
  private interface Persistent {
    Object load(Object pid) throws WeightFileException;
  }

  /** The torch functions a state dict's pickle calls, understood without running them. */
  private final class Calls implements Unpickler.Calls {
    private final Persistent persistent;

    Calls(Persistent persistent) {
      this.persistent = persistent;
    }

    @Override
    public Object persistent(Object pid) throws WeightFileException {
      if (persistent == null) {
        throw new WeightFileException(
            Kind.BAD_HEADER, source + ": a persistent id where this pickle can have none");
      }
      return persistent.load(pid);
    }

    @Override
    public Object call(PyGlobal f, PyTuple a) throws WeightFileException {
      if (f.module().equals("torch._utils")) {
        switch (f.name()) {
          case "_rebuild_tensor", "_rebuild_tensor_v2" -> {
            return tensor(a, null);
          }
          case "_rebuild_tensor_v3" -> {
            TorchDType dtype =
                a.size() > 6 && a.get(6) instanceof PyGlobal g ? TorchDType.ofDtype(g) : null;
            if (dtype == null) {
              throw bad("_rebuild_tensor_v3 without a known dtype");
            }
            return tensor(a, dtype);
          }
          case "_rebuild_parameter", "_rebuild_parameter_with_state" -> {
            if (a.size() < 1 || !(a.get(0) instanceof TorchTensor t)) {
              throw bad(f + " of something other than a tensor");
            }
            return t;
          }
          default -> {
            return null;
          }
        }
      }
      if (f.is("torch._tensor", "_rebuild_from_type_v2")) {
        // (function, type, args, state): the tensor is function(*args)
        if (a.size() >= 3 && a.get(0) instanceof PyGlobal g && a.get(2) instanceof PyTuple args) {
          return call(g, args);
        }
        return null;
      }
      if (f.is("torch.storage", "_load_from_bytes")) {
        if (a.size() != 1 || !(a.get(0) instanceof byte[] inner)) {
          throw bad("_load_from_bytes of something other than bytes");
        }
        if (nesting >= MAX_NESTING) {
          throw bad("files nested in files deeper than " + MAX_NESTING);
        }
        Object s = new TorchFiles(source + " (nested storage)", nesting + 1).any(inner);
        if (!(s instanceof TorchStorage)) {
          throw bad("_load_from_bytes gives something other than a storage");
        }
        return s;
      }
      return null;
    }

    private TorchTensor tensor(PyTuple a, TorchDType dtype) throws WeightFileException {
      if (a.size() < 4
          || !(a.get(0) instanceof TorchStorage s)
          || !(a.get(1) instanceof Long offset)
          || !(a.get(2) instanceof PyTuple size)
          || !(a.get(3) instanceof PyTuple stride)) {
        throw bad("a tensor rebuilt from other than (storage, offset, size, stride, ...)");
      }
      return TorchTensor.view(
          s, dtype == null ? s.dtype() : dtype, offset, longs(size), longs(stride), source);
    }

    private long[] longs(PyTuple t) throws WeightFileException {
      long[] out = new long[t.size()];
      for (int i = 0; i < out.length; i++) {
        if (!(t.get(i) instanceof Long v)) {
          throw bad("a tensor size or stride that is not an integer");
        }
        out[i] = v;
      }
      return out;
    }

    private WeightFileException bad(String what) {
      return new WeightFileException(Kind.BAD_HEADER, source + ": " + what);
    }
  }

  /**
   * Every tensor reachable from {@code root}, by dotted name: dict keys and list indices join with
   * dots; a torch module's attributes ({@code _parameters}, {@code _buffers}, {@code _modules} and
   * its other public attributes) read as its {@code state_dict()} names them; an inert object
   * contributes what it holds (its state, items and, without a state, its arguments), so that a
   * pickled network, stylegan2-ada-pytorch's included, yields its parameters and buffers. A tensor
   * reached twice keeps its first name. Cycles are followed once.
   */
  public static Map<String, TorchTensor> tensors(Object root) {
    Map<String, TorchTensor> out = new LinkedHashMap<>();
    Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    Deque<Object[]> todo = new ArrayDeque<>();
    todo.push(new Object[] {"", root});
    while (!todo.isEmpty()) {
      Object[] next = todo.pop();
      String name = (String) next[0];
      Object o = next[1];
      if (o instanceof TorchTensor t) {
        if (seen.add(t)) {
          out.putIfAbsent(name, t);
        }
        continue;
      }
      if (o == null || o instanceof String || o instanceof Number || !seen.add(o)) {
        continue;
      }
      List<Object[]> children = children(name, o);
      for (int i = children.size() - 1; i >= 0; i--) {
        todo.push(children.get(i));
      }
    }
    return out;
  }

  private static List<Object[]> children(String name, Object o) {
    List<Object[]> c = new ArrayList<>();
    if (o instanceof Map<?, ?> m) {
      boolean module = m.containsKey("_parameters") && m.containsKey("_modules");
      for (String part : List.of("_parameters", "_buffers", "_modules")) {
        if (module && m.get(part) instanceof Map<?, ?> sub) {
          for (Map.Entry<?, ?> e : sub.entrySet()) {
            c.add(new Object[] {join(name, e.getKey()), e.getValue()});
          }
        }
      }
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!(module && String.valueOf(e.getKey()).startsWith("_"))) {
          c.add(new Object[] {join(name, e.getKey()), e.getValue()});
        }
      }
    } else if (o instanceof List<?> l) {
      for (int i = 0; i < l.size(); i++) {
        c.add(new Object[] {join(name, i), l.get(i)});
      }
    } else if (o instanceof PyTuple t) {
      for (int i = 0; i < t.size(); i++) {
        c.add(new Object[] {join(name, i), t.get(i)});
      }
    } else if (o instanceof PyObject p) {
      if (p.callable() instanceof PyGlobal g
          && g.name().equals("_reconstruct_persistent_obj")
          && p.args().size() == 1
          && p.args().get(0) instanceof Map<?, ?> meta
          && meta.containsKey("state")) {
        c.add(new Object[] {name, meta.get("state")}); // stylegan2-ada-pytorch's persistent class
      } else if (p.state() != null) {
        c.add(new Object[] {name, p.state()});
      } else {
        c.add(new Object[] {name, p.args()});
      }
      c.add(new Object[] {name, p.dictItems()});
      c.add(new Object[] {name, p.listItems()});
    }
    return c;
  }

  private static String join(String prefix, Object key) {
    return prefix.isEmpty() ? String.valueOf(key) : prefix + "." + key;
  }
}
