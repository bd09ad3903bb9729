package org.jgan.examples.reliability;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Starts the {@code gan} command line in a separate JVM with the test's class path. */
final class ChildJvm {
  private ChildJvm() {}

  /** Starts {@code gan args...}; output goes to {@code log}. */
  static Process start(Path log, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx1g");
    cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("org.jgan.examples.Gan");
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment()
        .putIfAbsent(
            "OMP_NUM_THREADS", Integer.toString(Runtime.getRuntime().availableProcessors()));
    pb.environment().put("OPENBLAS_NUM_THREADS", "1");
    return pb.start();
  }

  /** A tiny StyleGAN2 config file for fast child runs. */
  static Path tinyConfig(Path dir) throws IOException {
    return config(dir, 16);
  }

  /**
   * A small StyleGAN2 config with at most {@code channels} channels (checkpoint size grows with
   * it).
   */
  static Path config(Path dir, int channels) throws IOException {
    Path config = dir.resolve("tiny-" + channels + ".json");
    Files.writeString(
        config,
        "{\"model\": {\"family\": \"stylegan2\", \"zDim\": 8, \"wDim\": 8, \"mappingLayers\": 2,"
            + " \"mappingLrMul\": 0.01, \"imageChannels\": 1, \"resolution\": 32, \"channelBase\": "
            + 4 * channels
            + ", \"channelMax\": "
            + channels
            + ", \"labelCount\": 0, \"progressive\": false, \"mbstdGroup\": 4, \"mbstdChannels\":"
            + " 1, \"dMappingLayers\": 2}, \"batchSize\": 8, \"r1Interval\": 4, \"plInterval\": 2,"
            + " \"seed\": 5}");
    return config;
  }

  static String separator() {
    return File.pathSeparator;
  }
}
