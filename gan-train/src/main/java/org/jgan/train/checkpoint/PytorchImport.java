package org.jgan.train.checkpoint;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jgan.core.io.BuildInfo;
import org.jgan.core.io.Json;
import org.jgan.core.io.Records;
import org.jgan.core.io.WeightFileException;
import org.jgan.core.io.WeightFileException.Kind;
import org.jgan.core.io.torch.PyGlobal;
import org.jgan.core.io.torch.PyObject;
import org.jgan.core.io.torch.TorchFiles;
import org.jgan.core.io.torch.TorchTensor;
import org.jgan.core.kernels.DataFormat;
import org.jgan.core.nn.Module;
import org.jgan.core.tensor.Tensor;
import org.jgan.models.stylegan2.StyleGan2Config;
import org.jgan.train.loop.Trainer;
import org.jgan.train.loop.TrainingConfig;

/**
 * StyleGAN2 networks trained with stylegan2-ada-pytorch, read from its network pickles (and, by
 * {@link #read}, rosinality's checkpoints: {@link Rosinality}) ({@code network-snapshot-*.pkl}: a
 * dict with {@code G}, {@code D}, {@code G_ema}) into the contents of a JGAN checkpoint, without
 * running any of the pickle ({@link TorchFiles}).
 *
 * <p>The configuration is read from the weights' shapes (latent sizes, mapping depth, channels per
 * resolution, classes, image channels) and from the attributes the pickle keeps of each layer (the
 * mapping's learning-rate multiplier, {@code conv_clamp}, the minibatch-stddev group). Names map
 * one to one; only where ADA's modules nest differently from JGAN's does a name change ({@code
 * synthesis.b4.const} is {@code synthesis.b4.input.const}, {@code convN.noise_strength} is {@code
 * convN.noise.strength}, {@code torgb.weight} is {@code torgb.conv.weight}, a discriminator block's
 * {@code b32.conv0} is {@code b32.block.conv0}, a conditional discriminator's {@code mapping} and
 * {@code b4.out} live in {@code b4.projection}). The architectures must be ADA's defaults, the skip
 * generator and the residual discriminator with the {@code [1, 3, 3, 1]} filter; anything else is
 * refused with a message that names it. Float16 layers of the source (its {@code num_fp16_res}) run
 * in float32 here; {@code conv_clamp} is kept.
 */
public final class PytorchImport {
  private static final Pattern SNAPSHOT = Pattern.compile("network-snapshot-(\\d+)\\.pkl$");
  private static final Pattern D_BLOCK = Pattern.compile("^b(\\d+)\\.(conv0|conv1|skip)\\.(.*)$");

  private PytorchImport() {}

  /**
   * Reads a stylegan2-ada-pytorch network pickle as a checkpoint's contents: {@code G}, {@code D}
   * and {@code G_ema} (a missing {@code G} is a copy of {@code G_ema} and the reverse; a missing
   * {@code D} starts from random weights, seed 0), the default training settings for the model, no
   * optimiser state (a run resumed from it starts Adam afresh), and, when the file is named {@code
   * network-snapshot-KIMG.pkl}, the images seen.
   *
   * @throws WeightFileException for a file that is damaged, hostile, or not such a pickle
   */
  public static Checkpoint.Contents read(Path file) throws IOException {
    Object root = TorchFiles.read(file);
    String source = file.toString();
    if (root instanceof Map<?, ?> top && Rosinality.isCheckpoint(top)) {
      return Rosinality.read(top, file);
    }
    if (!(root instanceof Map<?, ?> nets)
        || !(nets.get("G_ema") instanceof PyObject || nets.get("G") instanceof PyObject)) {
      throw new WeightFileException(
          Kind.INCOMPATIBLE,
          source
              + ": neither a stylegan2-ada-pytorch network pickle (a dict with G, D and G_ema) nor"
              + " a rosinality checkpoint (a dict with g_ema, g, d of state dicts)");
    }
    Object gSource = nets.get("G_ema") instanceof PyObject ? nets.get("G_ema") : nets.get("G");
    Object dSource = nets.get("D") instanceof PyObject ? nets.get("D") : null;
    Map<String, TorchTensor> gTensors = TorchFiles.tensors(gSource);
    Map<String, TorchTensor> dTensors = dSource == null ? null : TorchFiles.tensors(dSource);
    StyleGan2Config config = config(gSource, gTensors, dSource, dTensors, source);

    Map<String, Tensor> tensors = new LinkedHashMap<>();
    Map<String, Tensor> gEma = load(config.generator(0), generatorState(gTensors, source), source);
    Map<String, Tensor> g =
        nets.get("G") instanceof PyObject p && p != gSource
            ? load(config.generator(0), generatorState(TorchFiles.tensors(p), source), source)
            : gEma;
    Map<String, Tensor> d =
        dTensors == null
            ? config.discriminator(0).stateDict()
            : load(config.discriminator(0), discriminatorState(dTensors, config, source), source);
    g.forEach((k, v) -> tensors.put("G." + k, v));
    d.forEach((k, v) -> tensors.put("D." + k, v));
    gEma.forEach((k, v) -> tensors.put("G_ema." + k, v));

    long imagesSeen = 0;
    Matcher m = SNAPSHOT.matcher(file.getFileName().toString());
    if (m.find()) {
      imagesSeen = Long.parseLong(m.group(1)) * 1000;
    }
    return contents(
        config, tensors, imagesSeen, source, "stylegan2-ada-pytorch network pickle", present(nets));
  }

  /** A checkpoint's contents for imported networks: default training settings, no optimiser. */
  static Checkpoint.Contents contents(
      StyleGan2Config config,
      Map<String, Tensor> tensors,
      long imagesSeen,
      String source,
      String format,
      List<String> networks) {
    TrainingConfig training = TrainingConfig.defaults(config, Math.max(imagesSeen, 1));
    Trainer.State state = new Trainer.State(0, imagesSeen, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    Map<String, Object> provenance = new LinkedHashMap<>();
    provenance.put("library", "jgan " + BuildInfo.version());
    provenance.put("imported_from", source);
    provenance.put("format", format);
    provenance.put("networks", new ArrayList<>(networks));
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("format", Checkpoint.FORMAT);
    meta.put("family", config.family().id());
    meta.put("config", training.toJson());
    meta.put("state", Json.write(Records.toMap(state)));
    meta.put("dataset", "imported");
    meta.put("provenance", Json.write(provenance));
    return new Checkpoint.Contents(training, state, "imported", meta, tensors);
  }

  private static List<String> present(Map<?, ?> nets) {
    List<String> out = new ArrayList<>();
    for (String n : List.of("G", "D", "G_ema")) {
      if (nets.get(n) instanceof PyObject) {
        out.add(n);
      }
    }
    return out;
  }

  /** Copies {@code state} into {@code net} (every entry must fit) and returns its state dict. */
  static Map<String, Tensor> load(Module net, Map<String, Tensor> state, String source)
      throws WeightFileException {
    try {
      net.loadStateDict(state);
    } catch (IllegalArgumentException e) {
      throw new WeightFileException(Kind.INCOMPATIBLE, source + ": " + e.getMessage());
    }
    return net.stateDict();
  }

  /** The generator's tensors under JGAN's names, after checking its FIR filters. */
  static Map<String, Tensor> generatorState(Map<String, TorchTensor> ada, String source)
      throws WeightFileException {
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, TorchTensor> e :
        withoutFilters(ada, "resample_filter", source).entrySet()) {
      String k = e.getKey();
      if (k.matches("synthesis\\.b\\d+\\.skip\\..*")) {
        throw new WeightFileException(
            Kind.INCOMPATIBLE,
            source + ": the generator has the resnet architecture; JGAN's StyleGAN2 has skip");
      }
      String j = k.replaceFirst("^synthesis\\.b4\\.const$", "synthesis.b4.input.const");
      j = j.replaceFirst("\\.noise_strength$", ".noise.strength");
      j = j.replaceFirst("\\.noise_const$", ".noise.noise_const");
      j = j.replaceFirst("\\.torgb\\.weight$", ".torgb.conv.weight");
      j = j.replaceFirst("\\.torgb\\.affine\\.", ".torgb.conv.affine.");
      Tensor t = e.getValue().toTensor();
      if (j.matches("synthesis\\.b\\d+\\.conv0\\.weight")) {
        // ADA's up-sampling layers convolve (flip_weight=False), JGAN's correlate
        // (Modulation.convUp)
        t = t.flip(2, 3);
      }
      out.put(j, t);
    }
    return out;
  }

  /** The discriminator's tensors under JGAN's names. */
  static Map<String, Tensor> discriminatorState(
      Map<String, TorchTensor> ada, StyleGan2Config config, String source)
      throws WeightFileException {
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, TorchTensor> e :
        withoutFilters(ada, "resample_filter", source).entrySet()) {
      String k = e.getKey();
      Matcher m = D_BLOCK.matcher(k);
      String j;
      if (m.matches() && !m.group(1).equals("4")) {
        j = "b" + m.group(1) + ".block." + m.group(2) + "." + m.group(3);
      } else if (config.labelCount() > 0 && k.startsWith("b4.out.")) {
        j = "b4.projection.out." + k.substring("b4.out.".length());
      } else if (config.labelCount() > 0 && k.startsWith("mapping.")) {
        j = "b4.projection." + k;
      } else {
        j = k;
      }
      out.put(j, e.getValue().toTensor());
    }
    return out;
  }

  /**
   * The tensors but the FIR filter buffers (names ending in {@code suffix}: ADA's {@code
   * resample_filter}, rosinality's {@code kernel}), each of which must be the {@code [1, 3, 3, 1]}
   * filter that JGAN's StyleGAN2 has built in, up to a gain (rosinality stores its up-sampling
   * kernels times 4).
   */
  static Map<String, TorchTensor> withoutFilters(
      Map<String, TorchTensor> all, String suffix, String source) throws WeightFileException {
    double[] taps = {1, 3, 3, 1};
    Map<String, TorchTensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, TorchTensor> e : all.entrySet()) {
      if (!e.getKey().endsWith(suffix)) {
        out.put(e.getKey(), e.getValue());
        continue;
      }
      double[] v = e.getValue().toDoubles();
      double sum = 0;
      for (double x : v) {
        sum += x;
      }
      boolean same = v.length == 16 && sum > 0;
      for (int i = 0; same && i < 16; i++) {
        same = Math.abs(v[i] / sum - taps[i / 4] * taps[i % 4] / 64) < 1e-6;
      }
      if (!same) {
        throw new WeightFileException(
            Kind.INCOMPATIBLE,
            source
                + ": "
                + e.getKey()
                + " is not the [1, 3, 3, 1] filter JGAN's StyleGAN2 resamples with");
      }
    }
    return out;
  }

  /** The configuration the weights and the layers' attributes describe. */
  static StyleGan2Config config(
      Object g, Map<String, TorchTensor> gt, Object d, Map<String, TorchTensor> dt, String source)
      throws WeightFileException {
    int mappingLayers = 0;
    while (gt.containsKey("mapping.fc" + mappingLayers + ".weight")) {
      mappingLayers++;
    }
    if (mappingLayers == 0 || !gt.containsKey("synthesis.b4.const")) {
      throw new WeightFileException(
          Kind.INCOMPATIBLE,
          source + ": G has no mapping.fc0 or synthesis.b4.const; not a StyleGAN2 generator");
    }
    long[] fc0 = gt.get("mapping.fc0.weight").shape();
    int wDim = (int) fc0[0];
    TorchTensor embed = gt.get("mapping.embed.weight");
    int labelCount = embed == null ? 0 : (int) embed.shape()[1];
    int zDim = (int) fc0[1] - (labelCount > 0 ? wDim : 0);
    int resolution = 4;
    while (gt.containsKey("synthesis.b" + resolution * 2 + ".torgb.weight")) {
      resolution *= 2;
    }
    int imageChannels = (int) gt.get("synthesis.b" + resolution + ".torgb.weight").shape()[0];
    Map<Integer, Integer> channels = new LinkedHashMap<>();
    for (int r = 4; r <= resolution; r *= 2) {
      channels.put(r, (int) gt.get("synthesis.b" + r + ".conv1.weight").shape()[0]);
    }
    int[] schedule = channelSchedule(channels, resolution, source);
    int channelBase = schedule[0];
    int channelMax = schedule[1];
    double lrMul = number(attribute(g, "mapping", "fc0", "bias_gain"), 0.01);
    double clamp = number(attribute(g, "synthesis", "b4", "conv1", "conv_clamp"), 0);
    int group = 4;
    int mbstdChannels = 1;
    int dMappingLayers = 8;
    if (dt != null) {
      group = (int) number(attribute(d, "b4", "mbstd", "group_size"), 4);
      mbstdChannels = (int) number(attribute(d, "b4", "mbstd", "num_channels"), 1);
      int n = 0;
      while (dt.containsKey("mapping.fc" + n + ".weight")) {
        n++;
      }
      dMappingLayers = labelCount > 0 ? n : dMappingLayers;
      for (int r = 8; r <= resolution; r *= 2) {
        if (!dt.containsKey("b" + r + ".skip.weight")) {
          throw new WeightFileException(
              Kind.INCOMPATIBLE,
              source
                  + ": D's block b"
                  + r
                  + " has no skip layer; JGAN's StyleGAN2 discriminator is resnet");
        }
      }
    }
    try {
      return new StyleGan2Config(
          zDim,
          wDim,
          mappingLayers,
          lrMul,
          imageChannels,
          resolution,
          channelBase,
          channelMax,
          labelCount,
          false,
          group,
          mbstdChannels,
          dMappingLayers,
          clamp,
          DataFormat.NHWC);
    } catch (IllegalArgumentException e) {
      throw new WeightFileException(Kind.INCOMPATIBLE, source + ": " + e.getMessage());
    }
  }

  /**
   * {@code {channelBase, channelMax}} such that {@code min(channelBase / r, channelMax)} gives the
   * channels of every resolution up to {@code resolution}.
   */
  static int[] channelSchedule(Map<Integer, Integer> channels, int resolution, String source)
      throws WeightFileException {
    int channelMax = channels.values().stream().mapToInt(Integer::intValue).max().orElse(1);
    int channelBase = channels.get(resolution) * resolution;
    for (Map.Entry<Integer, Integer> e : channels.entrySet()) {
      if (Math.min(channelBase / e.getKey(), channelMax) != e.getValue()) {
        throw new WeightFileException(
            Kind.INCOMPATIBLE,
            source
                + ": channels by resolution "
                + channels
                + " do not follow min(channel_base / r, channel_max)");
      }
    }
    return new int[] {channelBase, channelMax};
  }

  private static double number(Object v, double fallback) {
    return v instanceof Number n ? n.doubleValue() : fallback;
  }

  /**
   * An attribute of a module reached by child names from {@code root}, as the pickle keeps it (the
   * module's {@code __dict__}), or null.
   */
  static Object attribute(Object root, String... path) {
    Object o = root;
    for (int i = 0; i < path.length - 1 && o != null; i++) {
      Map<?, ?> state = moduleState(o);
      o =
          state != null && state.get("_modules") instanceof Map<?, ?> mods
              ? mods.get(path[i])
              : null;
    }
    Map<?, ?> state = o == null ? null : moduleState(o);
    return state == null ? null : state.get(path[path.length - 1]);
  }

  /** The {@code __dict__} of a pickled module: an ADA persistent class's or a plain one's. */
  private static Map<?, ?> moduleState(Object o) {
    if (o instanceof PyObject p) {
      if (p.callable() instanceof PyGlobal g
          && g.name().equals("_reconstruct_persistent_obj")
          && p.args().size() == 1
          && p.args().get(0) instanceof Map<?, ?> meta
          && meta.get("state") instanceof Map<?, ?> s) {
        return s;
      }
      if (p.state() instanceof Map<?, ?> s) {
        return s;
      }
    }
    return null;
  }
}
