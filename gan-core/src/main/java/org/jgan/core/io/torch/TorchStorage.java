package org.jgan.core.io.torch;

import org.jgan.core.io.WeightFileException;
import org.jgan.core.io.WeightFileException.Kind;

/**
 * A storage of a PyTorch file: {@link #numel()} elements of one {@link TorchDType}, which lie in a
 * byte array (the file, or bytes copied from a pickle) from {@link #byteOffset()} on. In the legacy
 * layout the bytes come after the pickle that names the storage, so a storage starts unbound.
 */
final class TorchStorage {
  private final String key;
  private final TorchDType dtype;
  private final long numel;
  private byte[] bytes;
  private int byteOffset;
  private boolean bigEndian;

  TorchStorage(String key, TorchDType dtype, long numel) {
    this.key = key;
    this.dtype = dtype;
    this.numel = numel;
  }

  /** Gives the storage its bytes, checking that there are enough of them. */
  void bind(byte[] b, int offset, long available, boolean bigEndian, String source)
      throws WeightFileException {
    if (numel < 0 || numel > available / dtype.bytes()) {
      throw new WeightFileException(
          Kind.SHAPE_MISMATCH,
          source
              + ": storage '"
              + key
              + "' of "
              + numel
              + " "
              + dtype.pythonName()
              + " values has only "
              + available
              + " bytes");
    }
    this.bytes = b;
    this.byteOffset = offset;
    this.bigEndian = bigEndian;
  }

  String key() {
    return key;
  }

  TorchDType dtype() {
    return dtype;
  }

  long numel() {
    return numel;
  }

  long byteLength() {
    return numel * dtype.bytes();
  }

  boolean bound() {
    return bytes != null;
  }

  byte[] bytes() {
    return bytes;
  }

  int byteOffset() {
    return byteOffset;
  }

  boolean bigEndian() {
    return bigEndian;
  }
}
