package org.jgan.examples.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jgan.core.io.StateDict;
import org.jgan.train.data.FashionMnist;
import org.jgan.train.data.ImageDataset;
import org.jgan.train.metrics.FeatureNet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code gan train-classifier}: reproduces the metrics' feature network. */
@Command(
    name = "train-classifier",
    mixinStandardHelpOptions = true,
    description =
        "Train the Fashion-MNIST classifier whose features the metrics use (needs the training"
            + " split: apt-get install dataset-fashion-mnist). The shipped weights came from the"
            + " defaults.")
public final class TrainClassifierCommand implements Callable<Integer> {
  @Option(
      names = "--epochs",
      defaultValue = "5",
      description = "Passes over the 60,000 training images (default ${DEFAULT-VALUE}).")
  int epochs;

  @Option(names = "--seed", defaultValue = "7", description = "Seed (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--out",
      defaultValue = "fashion-mnist-features.safetensors",
      description = "Weights file (default ${DEFAULT-VALUE}).")
  Path out;

  @Override
  public Integer call() throws IOException {
    if (!FashionMnist.trainingSplitInstalled()) {
      throw new Cli.UserError(
          "the Fashion-MNIST training split is not installed: run 'apt-get install"
              + " dataset-fashion-mnist'");
    }
    ImageDataset train = FashionMnist.load(FashionMnist.DEBIAN_DIR, "train").paddedTo(32);
    long t0 = System.nanoTime();
    FeatureNet net = FeatureNet.train(train, epochs, seed);
    double acc = net.accuracy(FashionMnist.embeddedTest().paddedTo(32));
    StateDict.save(
        net,
        out,
        Map.of(
            "test_accuracy",
            String.format(Locale.ROOT, "%.4f", acc),
            "epochs",
            Integer.toString(epochs),
            "seed",
            Long.toString(seed),
            "command",
            "./gan train-classifier --epochs " + epochs + " --seed " + seed,
            "data",
            "Fashion-MNIST train split (60,000), tested on t10k (10,000)"));
    System.out.printf(
        Locale.ROOT,
        "test accuracy %.2f%% after %d epochs (%.0f s) -> %s%n",
        100 * acc,
        epochs,
        (System.nanoTime() - t0) / 1e9,
        out);
    return 0;
  }
}
