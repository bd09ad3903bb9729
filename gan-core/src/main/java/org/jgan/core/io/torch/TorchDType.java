package org.jgan.core.io.torch;

/** The element types of PyTorch storages, by their storage class and dtype names. */
public enum TorchDType {
  /** {@code torch.float32}. */
  FLOAT32("float32", "FloatStorage", 4, true),
  /** {@code torch.float64}. */
  FLOAT64("float64", "DoubleStorage", 8, true),
  /** {@code torch.float16}. */
  FLOAT16("float16", "HalfStorage", 2, true),
  /** {@code torch.bfloat16}. */
  BFLOAT16("bfloat16", "BFloat16Storage", 2, true),
  /** {@code torch.int64}. */
  INT64("int64", "LongStorage", 8, false),
  /** {@code torch.int32}. */
  INT32("int32", "IntStorage", 4, false),
  /** {@code torch.int16}. */
  INT16("int16", "ShortStorage", 2, false),
  /** {@code torch.int8}. */
  INT8("int8", "CharStorage", 1, false),
  /** {@code torch.uint8} (also what an untyped storage holds). */
  UINT8("uint8", "ByteStorage", 1, false),
  /** {@code torch.bool}. */
  BOOL("bool", "BoolStorage", 1, false);

  private final String pythonName;
  private final String storageName;
  private final int bytes;
  private final boolean floating;

  TorchDType(String pythonName, String storageName, int bytes, boolean floating) {
    this.pythonName = pythonName;
    this.storageName = storageName;
    this.bytes = bytes;
    this.floating = floating;
  }

  /** The name after {@code torch.}, as in {@code torch.float32}. */
  public String pythonName() {
    return pythonName;
  }

  /** Bytes per element. */
  public int bytes() {
    return bytes;
  }

  /** Whether the type is a floating-point one. */
  public boolean floating() {
    return floating;
  }

  /** The type of a storage class ({@code torch.FloatStorage}, ...), or null for an unknown one. */
  static TorchDType ofStorage(PyGlobal g) {
    if (!g.module().equals("torch")) {
      return null;
    }
    if (g.name().equals("UntypedStorage")) {
      return UINT8;
    }
    for (TorchDType t : values()) {
      if (t.storageName.equals(g.name())) {
        return t;
      }
    }
    return null;
  }

  /** The type a dtype global ({@code torch.float32}, {@code torch.half}, ...) names, or null. */
  static TorchDType ofDtype(PyGlobal g) {
    if (!g.module().equals("torch")) {
      return null;
    }
    return switch (g.name()) {
      case "float32", "float" -> FLOAT32;
      case "float64", "double" -> FLOAT64;
      case "float16", "half" -> FLOAT16;
      case "bfloat16" -> BFLOAT16;
      case "int64", "long" -> INT64;
      case "int32", "int" -> INT32;
      case "int16", "short" -> INT16;
      case "int8" -> INT8;
      case "uint8" -> UINT8;
      case "bool" -> BOOL;
      default -> null;
    };
  }
}
