package org.jgan.core.io.torch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An inert stand-in for whatever a pickle would have built by calling {@link #callable()} with
 * {@link #args()}: nothing was called. It keeps what the pickle said about the object: the state it
 * would have set ({@code BUILD}), and the items it would have appended or set. Compared by
 * identity, as Python objects are by default.
 */
public final class PyObject {
  private final Object callable;
  private final PyTuple args;
  private Object state;
  private final List<Object> listItems = new ArrayList<>();
  private final Map<Object, Object> dictItems = new LinkedHashMap<>();

  PyObject(Object callable, PyTuple args) {
    this.callable = callable;
    this.args = args;
  }

  /** What would have been called: usually a {@link PyGlobal}. */
  public Object callable() {
    return callable;
  }

  /** The arguments of the call. */
  public PyTuple args() {
    return args;
  }

  /**
   * The state a {@code BUILD} would have set ({@code __setstate__} or {@code __dict__}), or null.
   */
  public Object state() {
    return state;
  }

  void state(Object s) {
    this.state = s;
  }

  /** Items the pickle appended to the object. */
  public List<Object> listItems() {
    return listItems;
  }

  /** Items the pickle set on the object as on a mapping. */
  public Map<Object, Object> dictItems() {
    return dictItems;
  }

  @Override
  public String toString() {
    return "inert " + callable + "(...)";
  }
}
