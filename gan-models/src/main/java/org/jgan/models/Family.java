package org.jgan.models;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.jgan.models.dcgan.DcganConfig;
import org.jgan.models.progressive.ProgressiveConfig;
import org.jgan.models.stylegan.StyleGanConfig;
import org.jgan.models.stylegan2.StyleGan2Config;
import org.jgan.models.vanilla.VanillaConfig;

/**
 * The five model families, each with its config record and its named presets (the first is the
 * default). This is the one table of presets: the command line and checkpoints look them up here,
 * the presets themselves are static methods next to their config records.
 */
public enum Family {
  /** The 2014 GAN: MLPs ({@link VanillaConfig}). */
  VANILLA(VanillaConfig.class, VanillaConfig.PRESETS, VanillaConfig::preset),
  /** DCGAN ({@link DcganConfig}). */
  DCGAN(DcganConfig.class, DcganConfig.PRESETS, DcganConfig::preset),
  /** The progressive GAN ({@link ProgressiveConfig}). */
  PROGRESSIVE(ProgressiveConfig.class, ProgressiveConfig.PRESETS, ProgressiveConfig::preset),
  /** StyleGAN ({@link StyleGanConfig}). */
  STYLEGAN(StyleGanConfig.class, StyleGanConfig.PRESETS, StyleGanConfig::preset),
  /** StyleGAN2 ({@link StyleGan2Config}). */
  STYLEGAN2(StyleGan2Config.class, StyleGan2Config.PRESETS, StyleGan2Config::preset);

  /** Makes a family's preset for data of a given shape. */
  @FunctionalInterface
  interface PresetFactory {
    ModelConfig make(String preset, int imageChannels, int resolution);
  }

  private final Class<? extends Record> configType;
  private final List<String> presets;
  private final PresetFactory factory;

  Family(Class<? extends Record> configType, List<String> presets, PresetFactory factory) {
    this.configType = configType;
    this.presets = presets;
    this.factory = factory;
  }

  /** The name in configs, checkpoints and on the command line: {@code "stylegan2"}. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  @Override
  public String toString() {
    return id();
  }

  /** The config record of this family. */
  public Class<? extends Record> configType() {
    return configType;
  }

  /**
   * Whether this family's generators have a mapping network (StyleGAN, StyleGAN2), and with it the
   * intermediate latent {@code w} that truncation pulls; the others refuse a truncation ({@link
   * Generator#forward}).
   */
  public boolean hasMappingNetwork() {
    return this == STYLEGAN || this == STYLEGAN2;
  }

  /** The names of this family's presets, the default first. */
  public List<String> presets() {
    return presets;
  }

  /**
   * The named preset ({@code null} = the default) for data of {@code imageChannels} channels at
   * {@code resolution} (both 0 for 2-D points). Presets of a fixed size (such as StyleGAN2's {@code
   * paper256}) keep their own resolution; the trainer then refuses data of another size.
   *
   * @throws IllegalArgumentException naming the preset and the known ones
   */
  public ModelConfig preset(String name, int imageChannels, int resolution) {
    String p = name == null ? presets.get(0) : name;
    if (!presets.contains(p)) {
      throw new IllegalArgumentException(
          "unknown " + id() + " preset '" + name + "'; known presets: " + presets);
    }
    return factory.make(p, imageChannels, resolution);
  }

  /**
   * The family named {@code id}.
   *
   * @throws IllegalArgumentException naming the known families
   */
  public static Family of(String id) {
    for (Family f : values()) {
      if (f.id().equals(id)) {
        return f;
      }
    }
    throw new IllegalArgumentException(
        "model family must be one of "
            + Arrays.stream(values()).map(Family::id).toList()
            + ", got '"
            + id
            + "'");
  }
}
