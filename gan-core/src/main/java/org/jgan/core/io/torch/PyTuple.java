package org.jgan.core.io.torch;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * A Python tuple read from a pickle. Equal and hashed by its items when all of them are hashable
 * (strings, numbers, booleans, None, globals, inert objects, hashable tuples), as in Python; a
 * tuple holding a list or dict is unhashable and compares by identity. Nesting of tuples in tuples
 * is bounded so that comparing two of them cannot exhaust the stack.
 */
public final class PyTuple {
  /** Deepest nesting of tuples in tuples that a pickle may build. */
  static final int MAX_DEPTH = 100;

  private final List<Object> items;
  private final boolean hashable;
  private final int depth;
  private final int hash;

  PyTuple(Object[] items) {
    this.items = Collections.unmodifiableList(Arrays.asList(items));
    boolean h = true;
    int d = 1;
    for (Object o : items) {
      h &= isHashable(o);
      if (o instanceof PyTuple t) {
        d = Math.max(d, t.depth + 1);
      }
    }
    this.hashable = h;
    this.depth = d;
    this.hash = h ? this.items.hashCode() : System.identityHashCode(this);
  }

  /** Whether Python could use {@code o} as a dict key or set member. */
  static boolean isHashable(Object o) {
    return o == null
        || o instanceof String
        || o instanceof Number
        || o instanceof Boolean
        || o instanceof PyGlobal
        || o instanceof PyObject
        || (o instanceof PyTuple t && t.hashable);
  }

  /** Nesting depth of tuples in this one (1 for a tuple without tuples). */
  int depth() {
    return depth;
  }

  /** The items. */
  public List<Object> items() {
    return items;
  }

  /** Item {@code i}. */
  public Object get(int i) {
    return items.get(i);
  }

  /** Number of items. */
  public int size() {
    return items.size();
  }

  @Override
  public boolean equals(Object o) {
    return o == this || (hashable && o instanceof PyTuple t && t.hashable && items.equals(t.items));
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return "tuple of " + items.size();
  }
}
