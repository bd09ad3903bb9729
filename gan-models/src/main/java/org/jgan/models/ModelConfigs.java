package org.jgan.models;

import java.util.LinkedHashMap;
import java.util.Map;
import org.jgan.core.io.Records;

/** Model configs to and from JSON-shaped maps: {@code {"family": "stylegan2", ...components}}. */
public final class ModelConfigs {
  /**
   * Components added to a family's config after the first checkpoint format, with the value that
   * files written before imply: StyleGAN2's {@code layout} (those versions ran NHWC inside; the
   * weights do not depend on it) and the {@code labelCount} of the families that were unconditional
   * then.
   */
  private static final Map<Family, Map<String, Object>> ADDED_SINCE_FORMAT_1 =
      Map.of(
          Family.STYLEGAN2, Map.of("layout", "NHWC", "convClamp", 0.0, "mbstdByLabel", false),
          Family.DCGAN, Map.of("labelCount", 0),
          Family.PROGRESSIVE, Map.of("labelCount", 0),
          Family.STYLEGAN, Map.of("labelCount", 0));

  private ModelConfigs() {}

  /** The config as a map with its family first. */
  public static Map<String, Object> toMap(ModelConfig c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("family", c.family().id());
    m.putAll(Records.toMap((Record) c));
    return m;
  }

  /**
   * A config from a map with a {@code family} key; missing keys take {@code defaults}' values when
   * given (of the same family), else only keys added to the family since the first checkpoint
   * format may be missing.
   *
   * @throws IllegalArgumentException for an unknown family, an unknown or missing key, or a bad
   *     value
   */
  public static ModelConfig fromMap(Map<String, ?> map, ModelConfig defaults) {
    Object id = map.get("family");
    Family family = Family.of(id instanceof String s ? s : String.valueOf(id));
    Map<String, Object> rest = new LinkedHashMap<>(map);
    rest.remove("family");
    boolean sameFamily = defaults != null && defaults.family() == family;
    if (!sameFamily) {
      ADDED_SINCE_FORMAT_1.getOrDefault(family, Map.of()).forEach(rest::putIfAbsent);
    }
    return fromMap(family.configType(), rest, sameFamily ? defaults : null);
  }

  /**
   * {@code config} at resolution {@code r} with its channel base scaled alike, so that each block
   * keeps its width relative to the output (the last block as wide as before), validated as a new
   * config is.
   */
  @SuppressWarnings("unchecked")
  public static <R extends Record & ChannelSchedule> R atResolution(R config, int r) {
    long base = (long) config.channelBase() * r / config.resolution();
    Map<String, Object> changed = Map.of("resolution", r, "channelBase", Math.toIntExact(base));
    return Records.fromMap((Class<R>) config.getClass(), changed, config);
  }

  @SuppressWarnings("unchecked")
  private static <R extends Record> ModelConfig fromMap(
      Class<R> type, Map<String, Object> map, ModelConfig defaults) {
    return (ModelConfig) Records.fromMap(type, map, (R) defaults);
  }
}
