package org.jgan.core.io;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Records to and from JSON-shaped maps, by their components (no Java serialisation): configs are
 * saved in checkpoints and read from config files this way. Supported component types: {@code int,
 * long, double, boolean, String}, enums, {@code int[]}, {@code double[]} and nested records.
 * Reading calls the canonical constructor, so a record's own validation runs.
 */
public final class Records {
  private Records() {}

  /** The record's components as an insertion-ordered map. */
  public static Map<String, Object> toMap(Record r) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (RecordComponent c : r.getClass().getRecordComponents()) {
      try {
        Object v = c.getAccessor().invoke(r);
        m.put(
            c.getName(),
            v instanceof Record
                ? toMap((Record) v)
                : v instanceof Enum
                    ? ((Enum<?>) v).name()
                    : v instanceof double[] ? toList((double[]) v) : v);
      } catch (IllegalAccessException | InvocationTargetException e) {
        throw new IllegalStateException(
            "cannot read " + c.getName() + " of " + r.getClass().getSimpleName(), e);
      }
    }
    return m;
  }

  private static List<Object> toList(double[] v) {
    List<Object> l = new ArrayList<>();
    for (double d : v) {
      l.add(d);
    }
    return l;
  }

  /**
   * Builds a record from a map; missing keys take the values of {@code defaults} (when given),
   * unknown keys are an error.
   *
   * @throws IllegalArgumentException naming the key and the expected type, or carrying the record's
   *     own validation message
   */
  public static <R extends Record> R fromMap(Class<R> type, Map<String, ?> map, R defaults) {
    RecordComponent[] comps = type.getRecordComponents();
    Map<String, Object> base = defaults == null ? Map.of() : toMap(defaults);
    for (String k : map.keySet()) {
      boolean known = false;
      for (RecordComponent c : comps) {
        known |= c.getName().equals(k);
      }
      if (!known) {
        List<String> names = new ArrayList<>();
        for (RecordComponent c : comps) {
          names.add(c.getName());
        }
        throw new IllegalArgumentException(
            type.getSimpleName() + ": unknown key '" + k + "'; known keys are " + names);
      }
    }
    Object[] args = new Object[comps.length];
    Class<?>[] types = new Class<?>[comps.length];
    for (int i = 0; i < comps.length; i++) {
      RecordComponent c = comps[i];
      types[i] = c.getType();
      Object v = map.containsKey(c.getName()) ? map.get(c.getName()) : base.get(c.getName());
      if (v == null && !map.containsKey(c.getName()) && defaults == null) {
        throw new IllegalArgumentException(
            type.getSimpleName() + ": missing key '" + c.getName() + "'");
      }
      args[i] =
          convert(
              type.getSimpleName() + "." + c.getName(),
              c.getType(),
              v,
              defaults == null ? null : componentOf(defaults, c));
    }
    try {
      Constructor<R> ctor = type.getDeclaredConstructor(types);
      ctor.setAccessible(true);
      return ctor.newInstance(args);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof IllegalArgumentException) {
        throw (IllegalArgumentException) e.getCause();
      }
      throw new IllegalArgumentException(type.getSimpleName() + ": " + e.getCause(), e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot construct " + type.getSimpleName(), e);
    }
  }

  private static Object componentOf(Record r, RecordComponent c) {
    try {
      return c.getAccessor().invoke(r);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Object convert(String key, Class<?> t, Object v, Object defaultValue) {
    String expected =
        t.isEnum() ? "one of " + Arrays.toString(t.getEnumConstants()) : t.getSimpleName();
    if (v != null
        && !t.isPrimitive()
        && t.isInstance(v)
        && !(v instanceof Map)
        && !(v instanceof List)) {
      return v; // already of the component's type (e.g. a nested config passed as an object)
    }
    if (v == null) {
      throw new IllegalArgumentException(key + ": expected " + expected + ", got null");
    }
    try {
      if (t == int.class) {
        return Math.toIntExact(integral(v));
      }
      if (t == long.class) {
        return integral(v);
      }
      if (t == double.class) {
        return ((Number) v).doubleValue();
      }
      if (t == boolean.class) {
        return (Boolean) v;
      }
      if (t == String.class) {
        return (String) v;
      }
      if (t.isEnum()) {
        return Enum.valueOf((Class<? extends Enum>) t, ((String) v).toUpperCase(Locale.ROOT));
      }
      if (t == int[].class) {
        List<?> l = (List<?>) v;
        int[] out = new int[l.size()];
        for (int i = 0; i < out.length; i++) {
          out[i] = Math.toIntExact(integral(l.get(i)));
        }
        return out;
      }
      if (t == double[].class) {
        List<?> l = (List<?>) v;
        double[] out = new double[l.size()];
        for (int i = 0; i < out.length; i++) {
          out[i] = ((Number) l.get(i)).doubleValue();
        }
        return out;
      }
      if (t.isRecord()) {
        if (v instanceof Record) {
          return v;
        }
        return fromMap((Class<Record>) t, (Map<String, ?>) v, (Record) defaultValue);
      }
    } catch (ClassCastException | ArithmeticException e) {
      throw new IllegalArgumentException(
          key + ": expected " + expected + ", got " + Json.typeName(v) + " " + v);
    } catch (IllegalArgumentException e) {
      if (t.isEnum()) {
        throw new IllegalArgumentException(key + ": expected " + expected + ", got " + v);
      }
      throw e;
    }
    if (v instanceof int[] || v instanceof double[]) {
      return v;
    }
    throw new IllegalArgumentException(key + ": unsupported component type " + t.getName());
  }

  private static long integral(Object v) {
    if (v instanceof Long || v instanceof Integer) {
      return ((Number) v).longValue();
    }
    double d = ((Number) v).doubleValue();
    if (d != Math.rint(d)) {
      throw new ClassCastException();
    }
    return (long) d;
  }
}
