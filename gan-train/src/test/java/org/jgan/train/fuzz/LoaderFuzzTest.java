package org.jgan.train.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jgan.core.io.SafeTensors;
import org.jgan.core.io.WeightFileException;
import org.jgan.core.io.torch.TorchFiles;
import org.jgan.core.io.torch.TorchTensor;
import org.jgan.train.checkpoint.Checkpoint;
import org.jgan.train.data.DatasetException;
import org.jgan.train.data.Idx;
import org.jgan.train.data.ImageFiles;
import org.jgan.train.data.ImageTransform;
import org.jgan.train.data.PackedDataset;
import org.jgan.train.loop.TrainingConfig;

/**
 * Coverage-guided fuzzing of every loader (Jazzer). The contract: an input either loads or raises
 * the loader's documented exception with a message; any other exception, an out-of-memory error or
 * a hang is a finding. Plain {@code mvn test} runs the seed corpora and past findings in {@code
 * src/test/resources/org/jgan/train/fuzz/LoaderFuzzTestInputs/<method>/} (regression mode); {@code
 * JAZZER_FUZZ=1 mvn -pl gan-train test -Dtest=LoaderFuzzTest#idx} fuzzes one loader (see
 * docs/reliability.md).
 */
class LoaderFuzzTest {
  @FuzzTest(maxExecutions = 20_000, maxDuration = "15m")
  void idx(byte[] input) {
    try {
      Idx.parse(input, "fuzz.idx", Idx.IMAGES_MAGIC);
    } catch (DatasetException expected) {
      requireMessage(expected);
    }
    try {
      Idx.parse(input, "fuzz-labels.idx", Idx.LABELS_MAGIC);
    } catch (DatasetException expected) {
      requireMessage(expected);
    }
  }

  @FuzzTest(maxExecutions = 20_000, maxDuration = "15m")
  void image(byte[] input) {
    try {
      ImageFiles.decode(input, "fuzz.png");
    } catch (DatasetException expected) {
      requireMessage(expected);
    }
  }

  @FuzzTest(maxExecutions = 20_000, maxDuration = "15m")
  void safetensors(byte[] input) {
    try {
      SafeTensors.read(input, "fuzz.safetensors");
    } catch (WeightFileException expected) {
      requireMessage(expected);
    }
  }

  @FuzzTest(maxExecutions = 2_000_000, maxDuration = "10m")
  void torch(byte[] input) {
    // a PyTorch file: its pickle, then every tensor's values (about 20,000 inputs a second, so a
    // longer run than the other targets')
    try {
      for (TorchTensor t : TorchFiles.tensors(TorchFiles.read(input, "fuzz.pt")).values()) {
        t.toDoubles();
      }
    } catch (WeightFileException expected) {
      requireMessage(expected);
    }
  }

  @FuzzTest(maxExecutions = 20_000, maxDuration = "15m")
  void checkpoint(byte[] input) {
    try {
      Checkpoint.read(input, "fuzz-checkpoint.safetensors");
    } catch (WeightFileException expected) {
      requireMessage(expected);
    }
  }

  @FuzzTest(maxExecutions = 20_000, maxDuration = "15m")
  void config(byte[] input) {
    try {
      TrainingConfig.fromJson(new String(input, StandardCharsets.UTF_8), null);
    } catch (IllegalArgumentException expected) {
      requireMessage(expected);
    }
  }

  @FuzzTest(maxExecutions = 20_000, maxDuration = "15m")
  void packed(byte[] input) throws IOException {
    // a dataset ZIP as gan train --data reads it: the listing, dataset.json, then every picture
    Path zip = Files.createTempFile("fuzz", ".zip");
    try {
      Files.write(zip, input);
      try (PackedDataset d = PackedDataset.open(zip, ImageTransform.asIs())) {
        for (int i = 0; i < Math.min(d.size(), 8); i++) {
          d.pixels(i);
        }
      } catch (DatasetException expected) {
        requireMessage(expected);
      }
    } finally {
      Files.deleteIfExists(zip);
    }
  }

  private static void requireMessage(Exception e) {
    if (e.getMessage() == null || e.getMessage().isBlank()) {
      throw new AssertionError("a loader error without a message", e);
    }
  }
}
