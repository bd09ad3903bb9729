package org.jgan.core.io.torch;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jgan.core.io.WeightFileException;
import org.jgan.core.io.WeightFileException.Kind;

/**
 * A pickle reader (protocols 0 to 5) that executes nothing. Python's values become Java's: None
 * {@code null}, bool {@link Boolean}, int {@link Long} (or {@link BigInteger}), float {@link
 * Double}, str {@link String}, bytes {@code byte[]}, list {@link ArrayList}, tuple {@link PyTuple},
 * dict and {@code OrderedDict} {@link LinkedHashMap}, set {@link LinkedHashSet}. A global is a
 * {@link PyGlobal}; calling one ({@code REDUCE}, {@code NEWOBJ}, {@code INST}, {@code OBJ}) asks
 * the {@link Calls} given, and what it does not understand becomes an inert {@link PyObject}.
 *
 * <p>Globals that only code execution needs ({@code os.system}, {@code builtins.eval}, {@code
 * subprocess}, {@code importlib}, ...) are refused outright with a {@link Kind#UNSAFE} error: no
 * weight file names them, so a file that does is hostile or not a weight file. Since nothing is
 * ever called, any other global is harmless. Every length is checked against the bytes left before
 * anything is allocated.
 */
final class Unpickler {
  /** What a call of a global means, for the globals the caller understands. */
  interface Calls {
    /** The value of {@code f(*args)}, or null to keep the call as an inert {@link PyObject}. */
    Object call(PyGlobal f, PyTuple args) throws WeightFileException;

    /** The object a persistent id stands for ({@code persistent_load}). */
    Object persistent(Object pid) throws WeightFileException;
  }

  private static final Set<String> UNSAFE_MODULES =
      Set.of(
          "os",
          "posix",
          "nt",
          "subprocess",
          "sys",
          "shutil",
          "socket",
          "importlib",
          "runpy",
          "pickle",
          "_pickle",
          "marshal",
          "ctypes",
          "code",
          "codeop",
          "pty",
          "multiprocessing",
          "asyncio",
          "webbrowser",
          "signal",
          "operator",
          "_operator",
          "functools",
          "types",
          "inspect",
          "commands",
          "popen2",
          "platform",
          "pdb",
          "timeit",
          "threading",
          "_thread");
  private static final Set<String> UNSAFE_BUILTINS =
      Set.of(
          "eval",
          "exec",
          "execfile",
          "compile",
          "open",
          "__import__",
          "getattr",
          "setattr",
          "delattr",
          "input",
          "breakpoint",
          "exit",
          "quit",
          "globals",
          "locals",
          "vars",
          "help",
          "memoryview",
          "print");

  private final PickleInput in;
  private final String source;
  private final Calls calls;
  private List<Object> stack = new ArrayList<>();
  private final List<List<Object>> marks = new ArrayList<>();
  private final Map<Long, Object> memo = new HashMap<>();

  Unpickler(byte[] bytes, int start, int end, String source, Calls calls) {
    this.in = new PickleInput(bytes, start, end, source);
    this.source = source;
    this.calls = calls;
  }

  /** Where reading stopped (just after the {@code STOP} opcode after {@link #load}). */
  int position() {
    return in.position();
  }

  /** Reads one pickle up to its {@code STOP} and returns the object it builds. */
  Object load() throws WeightFileException {
    while (true) {
      int op = in.u8();
      if (op == '.') {
        return pop(); // as Python does, whatever else is left on the stack
      }
      step(op);
    }
  }

  private void step(int op) throws WeightFileException {
    switch (op) {
      case 0x80 -> { // PROTO
        if (in.u8() > 5) {
          throw bad("pickle protocol above 5");
        }
      }
      case 0x95 -> in.skip(8); // FRAME: a hint for buffered reading
      case '(' -> { // MARK
        marks.add(stack);
        stack = new ArrayList<>();
      }
      case '0' -> pop(); // POP
      case '1' -> popMark(); // POP_MARK
      case '2' -> push(top()); // DUP
      case 'N' -> push(null);
      case 0x88 -> push(Boolean.TRUE);
      case 0x89 -> push(Boolean.FALSE);
      case 'I' -> {
        String line = in.line();
        push(
            line.equals("01")
                ? Boolean.TRUE
                : line.equals("00") ? Boolean.FALSE : in.integer(line));
      }
      case 'J' -> push((long) in.s32());
      case 'K' -> push((long) in.u8());
      case 'M' -> push((long) (in.u8() | in.u8() << 8));
      case 'L' -> {
        String line = in.line();
        push(in.integer(line.endsWith("L") ? line.substring(0, line.length() - 1) : line));
      }
      case 0x8a -> push(in.littleEndianInteger(in.u8())); // LONG1
      case 0x8b -> push(in.littleEndianInteger(in.length(in.s32()))); // LONG4
      case 'F' -> push(in.parseFloat(in.line()));
      case 'G' -> push(Double.longBitsToDouble(in.beLong()));
      case 'S' -> push(new String(in.quoted(in.line()), StandardCharsets.ISO_8859_1));
      case 'T' -> push(new String(in.bytes(in.s32()), StandardCharsets.ISO_8859_1));
      case 'U' -> push(new String(in.bytes(in.u8()), StandardCharsets.ISO_8859_1));
      case 'V' -> push(in.rawUnicode(in.line()));
      case 'X' -> push(new String(in.bytes(in.s32()), StandardCharsets.UTF_8));
      case 0x8c -> push(new String(in.bytes(in.u8()), StandardCharsets.UTF_8));
      case 0x8d -> push(new String(in.bytes(in.long8()), StandardCharsets.UTF_8));
      case 'B' -> push(in.bytes(in.s32()));
      case 'C' -> push(in.bytes(in.u8()));
      case 0x8e, 0x96 -> push(in.bytes(in.long8())); // BINBYTES8, BYTEARRAY8
      case ')' -> push(new PyTuple(new Object[0]));
      case 't' -> push(tuple(popMark().toArray()));
      case 0x85 -> push(tuple(new Object[] {pop()}));
      case 0x86 -> {
        Object y = pop();
        push(tuple(new Object[] {pop(), y}));
      }
      case 0x87 -> {
        Object z = pop();
        Object y = pop();
        push(tuple(new Object[] {pop(), y, z}));
      }
      case ']' -> push(new ArrayList<>());
      case 'l' -> push(new ArrayList<>(popMark()));
      case '}' -> push(new LinkedHashMap<>());
      case 'd' -> {
        Map<Object, Object> m = new LinkedHashMap<>();
        setItems(m, popMark());
        push(m);
      }
      case 0x8f -> push(new LinkedHashSet<>());
      case 0x91 -> { // FROZENSET
        Set<Object> s = new LinkedHashSet<>();
        addItems(s, popMark());
        push(s);
      }
      case 'a' -> {
        Object v = pop();
        append(top(), Collections.singletonList(v));
      }
      case 'e' -> {
        List<Object> items = popMark();
        append(top(), items);
      }
      case 's' -> {
        Object v = pop();
        Object k = pop();
        setItems(top(), Arrays.asList(k, v));
      }
      case 'u' -> {
        List<Object> items = popMark();
        setItems(top(), items);
      }
      case 0x90 -> { // ADDITEMS
        List<Object> items = popMark();
        if (!(top() instanceof Set<?> s)) {
          throw bad("ADDITEMS on a " + typeName(top()));
        }
        @SuppressWarnings("unchecked")
        Set<Object> set = (Set<Object>) s;
        addItems(set, items);
      }
      case 'c' -> push(global(in.line(), in.line()));
      case 0x93 -> { // STACK_GLOBAL
        Object name = pop();
        Object module = pop();
        if (!(module instanceof String m) || !(name instanceof String n)) {
          throw bad("STACK_GLOBAL needs two strings");
        }
        push(global(m, n));
      }
      case 'i' -> { // INST module name, arguments since the mark
        PyGlobal g = global(in.line(), in.line());
        push(call(g, tuple(popMark().toArray())));
      }
      case 'o' -> { // OBJ: class and arguments since the mark
        List<Object> items = popMark();
        if (items.isEmpty()) {
          throw bad("OBJ without a class");
        }
        push(call(items.get(0), tuple(items.subList(1, items.size()).toArray())));
      }
      case 'R' -> {
        Object args = pop();
        push(call(pop(), asArgs(args)));
      }
      case 0x81 -> { // NEWOBJ cls args
        Object args = pop();
        push(call(pop(), asArgs(args)));
      }
      case 0x92 -> { // NEWOBJ_EX cls args kwargs
        pop();
        Object args = pop();
        push(call(pop(), asArgs(args)));
      }
      case 'b' -> build(pop(), top());
      case 'P' -> push(calls.persistent(in.line()));
      case 'Q' -> push(calls.persistent(pop()));
      case 'p' -> memo.put(memoKey(in.line()), top());
      case 'q' -> memo.put((long) in.u8(), top());
      case 'r' -> memo.put(in.s32() & 0xFFFFFFFFL, top());
      case 0x94 -> memo.put((long) memo.size(), top()); // MEMOIZE
      case 'g' -> push(recall(memoKey(in.line())));
      case 'h' -> push(recall(in.u8()));
      case 'j' -> push(recall(in.s32() & 0xFFFFFFFFL));
      case 0x82, 0x83, 0x84 ->
          throw bad("the extension registry (EXT opcodes) is not supported in weight files");
      case 0x97, 0x98 -> throw bad("out-of-band buffers are not supported in weight files");
      default ->
          throw bad(String.format("unknown opcode 0x%02x at byte %d", op, in.position() - 1));
    }
  }

  private PyGlobal global(String module, String name) throws WeightFileException {
    String root = module.contains(".") ? module.substring(0, module.indexOf('.')) : module;
    boolean builtin = root.equals("builtins") || root.equals("__builtin__");
    if (UNSAFE_MODULES.contains(root) || (builtin && UNSAFE_BUILTINS.contains(name))) {
      throw new WeightFileException(
          Kind.UNSAFE,
          source
              + ": the pickle names "
              + module
              + "."
              + name
              + ", which only running code needs; a weight file never does (refused, nothing"
              + " was run)");
    }
    return new PyGlobal(module, name);
  }

  private Object call(Object f, PyTuple args) throws WeightFileException {
    if (f instanceof PyGlobal g) {
      Object known = builtin(g, args);
      if (known == null) {
        known = calls.call(g, args);
      }
      if (known != null) {
        return known;
      }
    }
    return new PyObject(f, args);
  }

  /** The few standard-library calls that plain containers need; null for the others. */
  private Object builtin(PyGlobal g, PyTuple args) throws WeightFileException {
    if (g.is("collections", "OrderedDict") || g.is("builtins", "dict")) {
      Map<Object, Object> m = new LinkedHashMap<>();
      if (args.size() == 1 && args.get(0) instanceof List<?> pairs) {
        for (Object p : pairs) {
          if (!(p instanceof PyTuple t) || t.size() != 2) {
            throw bad(g + " built from something other than pairs");
          }
          setItems(m, t.items());
        }
      }
      return m;
    }
    if ((g.is("builtins", "set") || g.is("builtins", "frozenset")) && args.size() <= 1) {
      Set<Object> s = new LinkedHashSet<>();
      if (args.size() == 1 && args.get(0) instanceof List<?> items) {
        addItems(s, new ArrayList<>(items));
      }
      return s;
    }
    if (g.is("_codecs", "encode")
        && args.size() == 2
        && args.get(0) instanceof String s
        && "latin1".equals(args.get(1))) {
      return s.getBytes(StandardCharsets.ISO_8859_1); // how protocol 2 pickles bytes
    }
    return null;
  }

  private void build(Object state, Object target) throws WeightFileException {
    if (target instanceof PyObject o) {
      o.state(state);
    } else if (!(target instanceof Map<?, ?>) && !(target instanceof TorchTensor)) {
      // an OrderedDict's or tensor's attributes (a state dict's _metadata) are not items: dropped
      throw bad("BUILD on a " + typeName(target));
    }
  }

  private void append(Object target, List<Object> items) throws WeightFileException {
    List<Object> values = new ArrayList<>(items);
    if (target instanceof List<?> l) {
      @SuppressWarnings("unchecked")
      List<Object> list = (List<Object>) l;
      list.addAll(values);
    } else if (target instanceof PyObject o) {
      o.listItems().addAll(values);
    } else {
      throw bad("APPEND to a " + typeName(target));
    }
  }

  private void setItems(Object target, List<Object> kv) throws WeightFileException {
    if (kv.size() % 2 != 0) {
      throw bad("SETITEMS with an odd number of values");
    }
    Map<Object, Object> m;
    if (target instanceof Map<?, ?> map) {
      @SuppressWarnings("unchecked")
      Map<Object, Object> cast = (Map<Object, Object>) map;
      m = cast;
    } else if (target instanceof PyObject o) {
      m = o.dictItems();
    } else {
      throw bad("SETITEM on a " + typeName(target));
    }
    for (int i = 0; i < kv.size(); i += 2) {
      m.put(hashable(kv.get(i)), kv.get(i + 1));
    }
  }

  private void addItems(Set<Object> s, List<Object> items) throws WeightFileException {
    for (Object o : items) {
      s.add(hashable(o));
    }
  }

  private Object hashable(Object key) throws WeightFileException {
    if (!PyTuple.isHashable(key)) {
      throw bad("unhashable " + typeName(key) + " used as a dict key or set member");
    }
    return key;
  }

  private PyTuple tuple(Object[] items) throws WeightFileException {
    PyTuple t = new PyTuple(items);
    if (t.depth() > PyTuple.MAX_DEPTH) {
      throw bad("tuples nested deeper than " + PyTuple.MAX_DEPTH);
    }
    return t;
  }

  private PyTuple asArgs(Object args) throws WeightFileException {
    if (!(args instanceof PyTuple t)) {
      throw bad("call arguments are a " + typeName(args) + ", not a tuple");
    }
    return t;
  }

  private static String typeName(Object o) {
    if (o == null) {
      return "None";
    }
    if (o instanceof PyObject p) {
      return p.toString();
    }
    return o instanceof byte[] ? "bytes" : o.getClass().getSimpleName();
  }

  // ---- the stack and the memo

  private void push(Object o) {
    stack.add(o);
  }

  private Object pop() throws WeightFileException {
    if (stack.isEmpty()) {
      throw bad("a value is taken from an empty stack at byte " + (in.position() - 1));
    }
    return stack.remove(stack.size() - 1);
  }

  private Object top() throws WeightFileException {
    if (stack.isEmpty()) {
      throw bad("the stack is empty at byte " + (in.position() - 1));
    }
    return stack.get(stack.size() - 1);
  }

  /** The values pushed since the last mark, which is removed. */
  private List<Object> popMark() throws WeightFileException {
    if (marks.isEmpty()) {
      throw bad("no mark to return to at byte " + (in.position() - 1));
    }
    List<Object> items = stack;
    stack = marks.remove(marks.size() - 1);
    return items;
  }

  private Object recall(long key) throws WeightFileException {
    if (!memo.containsKey(key)) {
      throw bad("memo entry " + key + " is read before it is written");
    }
    return memo.get(key);
  }

  private long memoKey(String line) throws WeightFileException {
    try {
      return Long.parseLong(line.trim());
    } catch (NumberFormatException e) {
      throw bad("memo key '" + line + "' is not a number");
    }
  }

  private WeightFileException bad(String what) {
    return new WeightFileException(Kind.BAD_HEADER, source + ": pickle: " + what);
  }
}
