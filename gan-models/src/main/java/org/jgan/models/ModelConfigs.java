package org.jgan.models;

import java.util.LinkedHashMap;
import java.util.Map;
import org.jgan.core.io.Records;
import org.jgan.models.dcgan.DcganConfig;
import org.jgan.models.progressive.ProgressiveConfig;
import org.jgan.models.stylegan.StyleGanConfig;
import org.jgan.models.stylegan2.StyleGan2Config;
import org.jgan.models.vanilla.VanillaConfig;

/** Model configs to and from JSON-shaped maps: {@code {"family": "stylegan2", ...components}}. */
public final class ModelConfigs {
  /** The families by name. */
  public static final Map<String, Class<? extends Record>> FAMILIES = Map.of(
      "vanilla", VanillaConfig.class,
      "dcgan", DcganConfig.class,
      "progressive", ProgressiveConfig.class,
      "stylegan", StyleGanConfig.class,
      "stylegan2", StyleGan2Config.class);

  private ModelConfigs() {}

  /** The config as a map with its family first. */
  public static Map<String, Object> toMap(ModelConfig c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("family", c.family());
    m.putAll(Records.toMap((Record) c));
    return m;
  }

  /**
   * A config from a map with a {@code family} key; missing keys take {@code defaults}' values when
   * given (of the same family).
   *
   * @throws IllegalArgumentException for an unknown family, an unknown key or a bad value
   */
  public static ModelConfig fromMap(Map<String, ?> map, ModelConfig defaults) {
    Object family = map.get("family");
    if (!(family instanceof String) || !FAMILIES.containsKey(family)) {
      throw new IllegalArgumentException("model family must be one of " + new java.util.TreeSet<>(FAMILIES.keySet()) + ", got " + family);
    }
    Map<String, Object> rest = new LinkedHashMap<>(map);
    rest.remove("family");
    return fromMap(FAMILIES.get(family), rest, defaults != null && defaults.family().equals(family) ? defaults : null);
  }

  @SuppressWarnings("unchecked")
  private static <R extends Record> ModelConfig fromMap(Class<R> type, Map<String, Object> map, ModelConfig defaults) {
    return (ModelConfig) Records.fromMap(type, map, (R) defaults);
  }
}
