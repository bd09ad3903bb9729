package org.jgan.train.checkpoint;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jgan.core.autograd.GradMode;
import org.jgan.core.io.WeightFileException;
import org.jgan.core.io.WeightFileException.Kind;
import org.jgan.core.io.torch.TorchFiles;
import org.jgan.core.io.torch.TorchTensor;
import org.jgan.core.io.torch.TorchWriter;
import org.jgan.core.kernels.DataFormat;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.tensor.TensorScope;
import org.jgan.models.stylegan2.StyleGan2Config;
import org.jgan.models.stylegan2.StyleGan2Generator;

/**
 * StyleGAN2 checkpoints of rosinality/stylegan2-pytorch ({@code torch.save} of a dict with {@code
 * g}, {@code d}, {@code g_ema} state dicts, and {@code latent_avg} in the files its {@code
 * convert_weight.py} writes) as a JGAN checkpoint's contents, and the names between the two.
 *
 * <p>rosinality's StyleGAN2 is the same network as ADA's with other names and three conventions:
 * its modulated convolutions scale the weight by {@code 1 / sqrt(fan_in)} before demodulating
 * (imported as the scaled weight, so that even the {@code 1e-8} of the demodulation matches), its
 * up-sampling layers convolve like ADA's where JGAN's correlate (kernels flipped), and parameters
 * carry leading unit axes ({@code [1, O, I, k, k]} weights, {@code [1, 3, 1, 1]} toRGB biases,
 * {@code [1]} noise strengths, {@code [1, 1, r, r]} noise buffers). Its networks are unconditional,
 * RGB, with minibatch-stddev group 4 and no clamping; the mapping's learning-rate multiplier is not
 * in the file and is its default, 0.01. Without {@code latent_avg} the average latent for
 * truncation is estimated from 4,096 latents (seed 0), as rosinality's {@code mean_latent} does.
 */
public final class Rosinality {
  private static final Pattern CONVS = Pattern.compile("^convs\\.(\\d+)\\.(.*)$");
  private static final Pattern TO_RGBS = Pattern.compile("^to_rgbs\\.(\\d+)\\.(.*)$");
  private static final Pattern NOISES = Pattern.compile("^noises\\.noise_(\\d+)$");
  private static final Pattern STYLE = Pattern.compile("^style\\.(\\d+)\\.(weight|bias)$");

  private Rosinality() {}

  /** Whether {@code top} looks like a rosinality checkpoint: a g_ema or g state dict. */
  static boolean isCheckpoint(Map<?, ?> top) {
    Object g = top.get("g_ema") != null ? top.get("g_ema") : top.get("g");
    return g instanceof Map<?, ?> sd && sd.containsKey("style.1.weight");
  }

  static Checkpoint.Contents read(Map<?, ?> top, Path file) throws WeightFileException {
    String source = file.toString();
    Map<String, TorchTensor> gEmaSd =
        TorchFiles.tensors(top.get(top.get("g_ema") != null ? "g_ema" : "g"));
    StyleGan2Config config = config(gEmaSd, source);
    Map<String, Tensor> gEma =
        PytorchImport.load(config.generator(0), generator(gEmaSd, config, source), source);
    Map<String, Tensor> g =
        top.get("g") instanceof Map<?, ?> && top.get("g_ema") != null
            ? PytorchImport.load(
                config.generator(0),
                generator(TorchFiles.tensors(top.get("g")), config, source),
                source)
            : gEma;
    Map<String, Tensor> d =
        top.get("d") instanceof Map<?, ?>
            ? PytorchImport.load(
                config.discriminator(0),
                discriminator(TorchFiles.tensors(top.get("d")), config, source),
                source)
            : config.discriminator(0).stateDict();
    Tensor latentAvg = top.get("latent_avg") instanceof TorchTensor t ? t.toTensor() : null;
    setAverage(gEma, config, latentAvg);
    if (g != gEma) {
      setAverage(g, config, latentAvg);
    }
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    g.forEach((k, v) -> tensors.put("G." + k, v));
    d.forEach((k, v) -> tensors.put("D." + k, v));
    gEma.forEach((k, v) -> tensors.put("G_ema." + k, v));
    List<String> present = new ArrayList<>();
    for (String n : List.of("g", "d", "g_ema", "latent_avg")) {
      if (top.get(n) != null) {
        present.add(n);
      }
    }
    return PytorchImport.contents(
        config, tensors, 0, source, "rosinality/stylegan2-pytorch checkpoint", present);
  }

  /** Sets {@code mapping.w_avg}: {@code latentAvg} when given, else the mean of 4,096 latents. */
  private static void setAverage(Map<String, Tensor> g, StyleGan2Config config, Tensor latentAvg) {
    Tensor avg = latentAvg;
    if (avg == null) {
      StyleGan2Generator net = new StyleGan2Generator(config, 0);
      net.loadStateDict(g);
      try (GradMode.Guard off = GradMode.disabled();
          TensorScope s = TensorScope.open()) {
        Tensor z = new Rng(0).normal(DType.FLOAT32, 4096, config.zDim());
        avg = s.keep(net.mappingNetwork().forward(z, null, 1.0, -1, false).mean(false, 0, 1));
      }
    }
    g.put("mapping.w_avg", avg.reshape(config.wDim()));
  }

  /** The configuration a generator's state dict describes. */
  static StyleGan2Config config(Map<String, TorchTensor> g, String source)
      throws WeightFileException {
    int layers = 0;
    while (g.containsKey("style." + (layers + 1) + ".weight")) {
      layers++;
    }
    int styleDim = (int) g.get("style.1.weight").shape()[0];
    int resolution = 4;
    while (g.containsKey("to_rgbs." + (ilog2(resolution) - 2) + ".conv.weight")) {
      resolution *= 2;
    }
    Map<Integer, Integer> channels = new LinkedHashMap<>();
    channels.put(4, (int) g.get("conv1.conv.weight").shape()[1]);
    for (int r = 8; r <= resolution; r *= 2) {
      channels.put(r, (int) g.get("convs." + (2 * (ilog2(r) - 3) + 1) + ".conv.weight").shape()[1]);
    }
    int[] schedule = PytorchImport.channelSchedule(channels, resolution, source);
    try {
      return new StyleGan2Config(
          styleDim,
          styleDim,
          layers,
          0.01,
          3,
          resolution,
          schedule[0],
          schedule[1],
          0,
          false,
          4,
          1,
          8,
          0,
          DataFormat.NHWC);
    } catch (IllegalArgumentException e) {
      throw new WeightFileException(Kind.INCOMPATIBLE, source + ": " + e.getMessage());
    }
  }

  private static int ilog2(int r) {
    return 31 - Integer.numberOfLeadingZeros(r);
  }

  /**
   * The JGAN name of synthesis layer {@code k} (rosinality's noise index): b4.conv1, b8.conv0, ...
   */
  static String layer(int k) {
    if (k == 0) {
      return "synthesis.b4.conv1";
    }
    int r = 1 << ((k + 1) / 2 + 2);
    return "synthesis.b" + r + (k % 2 == 1 ? ".conv0" : ".conv1");
  }

  /** A generator's state dict under JGAN's names and conventions. */
  static Map<String, Tensor> generator(
      Map<String, TorchTensor> sd, StyleGan2Config config, String source)
      throws WeightFileException {
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, TorchTensor> e :
        PytorchImport.withoutFilters(sd, "kernel", source).entrySet()) {
      String k = e.getKey();
      Tensor t = e.getValue().toTensor();
      Matcher m;
      String prefix;
      String rest;
      if ((m = STYLE.matcher(k)).matches()) {
        out.put("mapping.fc" + (Integer.parseInt(m.group(1)) - 1) + "." + m.group(2), t);
        continue;
      } else if (k.equals("input.input")) {
        out.put("synthesis.b4.input.const", t.squeeze(0));
        continue;
      } else if ((m = NOISES.matcher(k)).matches()) {
        long r = t.size(3);
        out.put(layer(Integer.parseInt(m.group(1))) + ".noise.noise_const", t.reshape(r, r));
        continue;
      } else if (k.startsWith("conv1.")) {
        prefix = layer(0);
        rest = k.substring("conv1.".length());
      } else if ((m = CONVS.matcher(k)).matches()) {
        prefix = layer(Integer.parseInt(m.group(1)) + 1);
        rest = m.group(2);
      } else if (k.startsWith("to_rgb1.")) {
        prefix = "synthesis.b4.torgb";
        rest = k.substring("to_rgb1.".length());
      } else if ((m = TO_RGBS.matcher(k)).matches()) {
        prefix = "synthesis.b" + (8 << Integer.parseInt(m.group(1))) + ".torgb";
        rest = m.group(2);
      } else {
        throw new WeightFileException(
            Kind.INCOMPATIBLE, source + ": unexpected generator entry '" + k + "'");
      }
      boolean torgb = prefix.endsWith("torgb");
      switch (rest) {
        case "conv.weight" -> {
          Tensor w = t.squeeze(0); // [O, I, k, k]
          if (torgb) {
            out.put(prefix + ".conv.weight", w);
          } else {
            // rosinality scales before demodulating; the scaled weight makes even its eps match
            w = w.mul(1.0 / Math.sqrt((double) w.size(1) * w.size(2) * w.size(3)));
            out.put(prefix + ".weight", prefix.endsWith("conv0") ? w.flip(2, 3) : w);
          }
        }
        case "conv.modulation.weight", "conv.modulation.bias" ->
            out.put(prefix + (torgb ? ".conv.affine." : ".affine.") + rest.substring(16), t);
        case "noise.weight" -> out.put(prefix + ".noise.strength", t.reshape());
        case "activate.bias" -> out.put(prefix + ".bias", t);
        case "bias" -> out.put(prefix + ".bias", t.reshape(t.numel()));
        default ->
            throw new WeightFileException(
                Kind.INCOMPATIBLE, source + ": unexpected generator entry '" + k + "'");
      }
    }
    out.put("mapping.w_avg", Tensor.zeros(DType.FLOAT32, config.wDim())); // set by the caller
    return out;
  }

  /** A discriminator's state dict under JGAN's names. */
  static Map<String, Tensor> discriminator(
      Map<String, TorchTensor> sd, StyleGan2Config config, String source)
      throws WeightFileException {
    Map<String, String> names = new LinkedHashMap<>();
    discriminatorNames(config).forEach((jgan, ros) -> names.put(ros, jgan));
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, TorchTensor> e :
        PytorchImport.withoutFilters(sd, "kernel", source).entrySet()) {
      String to = names.get(e.getKey());
      if (to == null) {
        throw new WeightFileException(
            Kind.INCOMPATIBLE, source + ": unexpected discriminator entry '" + e.getKey() + "'");
      }
      out.put(to, e.getValue().toTensor());
    }
    return out;
  }

  /** JGAN's discriminator names in rosinality's (the inverse of {@link #discriminator}). */
  static Map<String, String> discriminatorNames(StyleGan2Config config) {
    Map<String, String> out = new LinkedHashMap<>();
    int top = config.resolution();
    out.put("b" + top + ".fromrgb.weight", "convs.0.0.weight");
    out.put("b" + top + ".fromrgb.bias", "convs.0.1.bias");
    int block = 1;
    for (int r = top; r > 4; r /= 2, block++) {
      String to = "convs." + block + ".";
      String from = "b" + r + ".block.";
      out.put(from + "conv0.weight", to + "conv1.0.weight");
      out.put(from + "conv0.bias", to + "conv1.1.bias");
      out.put(from + "conv1.weight", to + "conv2.1.weight");
      out.put(from + "conv1.bias", to + "conv2.2.bias");
      out.put(from + "skip.weight", to + "skip.1.weight");
    }
    out.put("b4.conv.weight", "final_conv.0.weight");
    out.put("b4.conv.bias", "final_conv.1.bias");
    out.put("b4.fc.weight", "final_linear.0.weight");
    out.put("b4.fc.bias", "final_linear.0.bias");
    out.put("b4.out.weight", "final_linear.1.weight");
    out.put("b4.out.bias", "final_linear.1.bias");
    return out;
  }

  /**
   * Writes the StyleGAN2 of {@code c} in rosinality's layout with {@link TorchWriter}: {@code
   * torch.load} gives {@code {"g", "d", "g_ema", "latent_avg", "jgan_config"}} without any class of
   * this library, and rosinality's {@code Generator(size, style_dim, n_mlp)} and {@code
   * Discriminator(size)} load {@code g_ema} and {@code d} when their channel dictionary matches
   * {@code jgan_config["channels"]} (rosinality's own is {@code 512} up to 32x32, then {@code 256 x
   * channel_multiplier / (r / 64)}). Only what rosinality's networks can express is written: an
   * unconditional RGB StyleGAN2 with {@code zDim == wDim} and no clamping; a discriminator whose
   * minibatch-stddev group is not 4 (rosinality's) is left out, and said so.
   *
   * @return notes for the user (what was left out), possibly empty
   * @throws WeightFileException when the model cannot be written in rosinality's layout
   */
  public static List<String> export(Checkpoint.Contents c, Path out) throws IOException {
    if (!(c.config().model() instanceof StyleGan2Config m)) {
      throw new WeightFileException(
          Kind.INCOMPATIBLE,
          "rosinality's layout holds StyleGAN2 networks; this checkpoint is "
              + c.config().model().family().id());
    }
    List<String> problems = new ArrayList<>();
    if (m.labelCount() > 0) {
      problems.add("conditional (" + m.labelCount() + " classes)");
    }
    if (m.imageChannels() != 3) {
      problems.add(m.imageChannels() + " image channel(s), not RGB");
    }
    if (m.zDim() != m.wDim()) {
      problems.add("zDim " + m.zDim() + " != wDim " + m.wDim());
    }
    if (m.convClamp() > 0) {
      problems.add("conv_clamp " + m.convClamp());
    }
    if (m.progressive()) {
      problems.add("progressive");
    }
    if (!problems.isEmpty()) {
      throw new WeightFileException(
          Kind.INCOMPATIBLE,
          "rosinality's StyleGAN2 is unconditional and RGB, with z and w of one size and no"
              + " clamping; this model is "
              + String.join(", ", problems));
    }
    List<String> notes = new ArrayList<>();
    Map<String, Object> top = new LinkedHashMap<>();
    top.put("g", generatorOut(Checkpoint.withPrefix(c.tensors(), "G."), m));
    if (m.mbstdGroup() == 4 && m.mbstdChannels() == 1) {
      Map<String, Object> d = new LinkedHashMap<>();
      Map<String, Tensor> jgan = Checkpoint.withPrefix(c.tensors(), "D.");
      discriminatorNames(m).forEach((from, to) -> d.put(to, jgan.get(from)));
      for (int block = 1; (m.resolution() >> (block - 1)) > 4; block++) {
        d.put("convs." + block + ".conv2.0.kernel", filter(1));
        d.put("convs." + block + ".skip.0.kernel", filter(1));
      }
      top.put("d", d);
    } else {
      notes.add(
          "the discriminator was left out: its minibatch-stddev group is "
              + m.mbstdGroup()
              + " (channels "
              + m.mbstdChannels()
              + "), rosinality's is 4 (1)");
    }
    Map<String, Tensor> ema = Checkpoint.withPrefix(c.tensors(), "G_ema.");
    top.put(
        "g_ema", generatorOut(ema.isEmpty() ? Checkpoint.withPrefix(c.tensors(), "G.") : ema, m));
    top.put(
        "latent_avg",
        (ema.isEmpty() ? Checkpoint.withPrefix(c.tensors(), "G.") : ema).get("mapping.w_avg"));
    Map<String, Object> channels = new LinkedHashMap<>();
    for (int r = 4; r <= m.resolution(); r *= 2) {
      channels.put(String.valueOf(r), m.channels(r));
    }
    Map<String, Object> cfg = new LinkedHashMap<>();
    cfg.put("size", m.resolution());
    cfg.put("style_dim", m.wDim());
    cfg.put("n_mlp", m.mappingLayers());
    cfg.put("lr_mlp", m.mappingLrMul());
    cfg.put("channels", channels);
    top.put("jgan_config", cfg);
    TorchWriter.save(top, out);
    return notes;
  }

  /**
   * The {@code [1, 3, 3, 1]} filter as rosinality stores it ({@code [4, 4]}, times {@code gain}).
   */
  private static Tensor filter(double gain) {
    double[] taps = {1, 3, 3, 1};
    double[] k = new double[16];
    for (int i = 0; i < 16; i++) {
      k[i] = taps[i / 4] * taps[i % 4] / 64 * gain;
    }
    return Tensor.of(k, 4, 4).to(DType.FLOAT32);
  }

  /** A JGAN generator's state dict in rosinality's names, shapes and conventions. */
  private static Map<String, Object> generatorOut(Map<String, Tensor> g, StyleGan2Config m) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (int i = 0; i < m.mappingLayers(); i++) {
      out.put("style." + (i + 1) + ".weight", g.get("mapping.fc" + i + ".weight"));
      out.put("style." + (i + 1) + ".bias", g.get("mapping.fc" + i + ".bias"));
    }
    Tensor cst = g.get("synthesis.b4.input.const");
    out.put("input.input", cst.unsqueeze(0));
    int layers = 2 * (ilog2(m.resolution()) - 2) + 1;
    for (int k = 0; k < layers; k++) {
      String from = layer(k);
      String to = k == 0 ? "conv1" : "convs." + (k - 1);
      Tensor w = g.get(from + ".weight");
      w = w.mul(Math.sqrt((double) w.size(1) * w.size(2) * w.size(3)));
      if (from.endsWith("conv0")) {
        w = w.flip(2, 3);
        out.put(to + ".conv.blur.kernel", filter(4));
      }
      out.put(to + ".conv.weight", w.unsqueeze(0));
      out.put(to + ".conv.modulation.weight", g.get(from + ".affine.weight"));
      out.put(to + ".conv.modulation.bias", g.get(from + ".affine.bias"));
      out.put(to + ".noise.weight", g.get(from + ".noise.strength").reshape(1));
      out.put(to + ".activate.bias", g.get(from + ".bias"));
      Tensor noise = g.get(from + ".noise.noise_const");
      out.put("noises.noise_" + k, noise.reshape(1, 1, noise.size(0), noise.size(1)));
    }
    for (int r = 4; r <= m.resolution(); r *= 2) {
      String from = "synthesis.b" + r + ".torgb";
      String to = r == 4 ? "to_rgb1" : "to_rgbs." + (ilog2(r) - 3);
      if (r > 4) {
        out.put(to + ".upsample.kernel", filter(4));
      }
      out.put(to + ".conv.weight", g.get(from + ".conv.weight").unsqueeze(0));
      out.put(to + ".conv.modulation.weight", g.get(from + ".conv.affine.weight"));
      out.put(to + ".conv.modulation.bias", g.get(from + ".conv.affine.bias"));
      out.put(to + ".bias", g.get(from + ".bias").reshape(1, 3, 1, 1));
    }
    return out;
  }
}
