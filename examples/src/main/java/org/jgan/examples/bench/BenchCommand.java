package org.jgan.examples.bench;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;
import org.jgan.core.kernels.Engine;
import org.jgan.core.kernels.Platform;
import org.jgan.examples.cli.Cli;
import org.jgan.train.loop.RunFolders;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code gan bench}: kernel throughput, and the twins against PyTorch and DJL. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Measure throughput.",
      "  core    GEMM and convolutions, raw and through the library's autograd; the DCGAN-28"
          + " layers on oneDNN's kept primitives and on libnd4j's kernels",
      "  twins   the networks of the TWINS specification (DCGAN-28, SG2-32; with --large also"
          + " SG2-64-RGB); with --pytorch also their PyTorch twins (examples/bench/twins.py, needs"
          + " python3-torch and OpenBLAS) and with --djl their DJL twins (bench-djl, in this JVM)"
          + " in alternating rounds, what each peer ran with, the median ratios, and the agreement"
          + " of images, logits and every gradient (against the library in float64); --memory N"
          + " adds N SG2-32 steps at batch 8 with resident memory",
      "  profile time per op type of the twin rows (the DCGAN-28 step, the SG2-32 steps with and"
          + " without R1, SG2-32 generator inference)",
      "  longrun a small conditional StyleGAN2 for --steps steps (default 10,000) with snapshots;"
          + " resident memory and open files",
      "  data    decode rate of a packed dataset (--dataset; written synthetic, --images of"
          + " --resolution, when it does not exist), heap and resident memory"
    })
public final class BenchCommand implements Callable<Integer> {
  @Parameters(
      index = "0",
      defaultValue = "core",
      description = "core, twins, profile, longrun or data (default ${DEFAULT-VALUE}).")
  String what;

  @Option(
      names = "--seconds",
      defaultValue = "3",
      description = "core: timing per row in seconds (default ${DEFAULT-VALUE}).")
  double seconds;

  @Option(
      names = "--steps",
      description =
          "twins and profile: timed steps per row (default 10; the SG2-32 training rows half as"
              + " many); longrun: steps (default 10000).")
  Integer steps;

  @Option(
      names = "--warmup",
      defaultValue = "3",
      description = "twins: warm-up steps (default ${DEFAULT-VALUE}).")
  int warmup;

  @Option(
      names = "--pytorch",
      description = "twins: also run the PyTorch twins and print median ratios.")
  boolean pytorch;

  @Option(
      names = "--djl",
      description =
          "twins: also run the DJL twins (DJL 0.36 with libtorch 2.7.1, in this JVM) and print"
              + " median ratios; the gan launcher builds the bench-djl module for it (Maven"
              + " profile djl, about 110 MB from Maven Central the first time).")
  boolean djl;

  @Option(
      names = "--large",
      description =
          "twins: also the larger StyleGAN2 twin SG2-64-RGB (3x64x64, 256 channels at low"
              + " resolutions, batch 16).")
  boolean large;

  @Option(
      names = "--rounds",
      defaultValue = "3",
      description = "twins: alternating rounds with --pytorch or --djl (default ${DEFAULT-VALUE}).")
  int rounds;

  @Option(
      names = "--script",
      defaultValue = "examples/bench/twins.py",
      description = "The PyTorch twins (default ${DEFAULT-VALUE}).")
  Path script;

  @Option(names = "--by-shape", description = "profile: split each op type by its input shapes.")
  boolean byShape;

  @Option(
      names = "--memory",
      defaultValue = "0",
      description = "twins: SG2-32 steps at batch 8 for the memory check (0 = skip).")
  int memory;

  @Option(
      names = "--dataset",
      defaultValue = "runs/data/synthetic256.zip",
      description = "data: the packed dataset (default ${DEFAULT-VALUE}).")
  Path dataset;

  @Option(
      names = "--images",
      defaultValue = "22000",
      description =
          "data: images of a synthetic dataset (default ${DEFAULT-VALUE}: 4.3 GB at 256).")
  int images;

  @Option(
      names = "--resolution",
      defaultValue = "256",
      description = "data: side of a synthetic dataset (default ${DEFAULT-VALUE}).")
  int resolution;

  @Override
  public Integer call() throws Exception {
    int threads = Platform.ompThreads();
    switch (what) {
      case "core":
        CoreBenchmark core = new CoreBenchmark(System.out, seconds);
        core.run();
        core.dcganLayers();
        return 0;
      case "profile":
        System.out.println("backend: " + Engine.current().describe());
        new TwinsBenchmark(System.out, timedSteps(), warmup, List.of(Twins.Sg2Spec.SG2_32))
            .profile(byShape);
        return 0;
      case "longrun":
        System.out.println("backend: " + Engine.current().describe());
        LongRun.run(
            steps == null ? 10_000 : steps,
            RunFolders.next(Path.of("runs"), "longrun"),
            System.out);
        return 0;
      case "data":
        DataBench.synthesise(dataset, images, resolution, System.out);
        DataBench.measure(dataset, 32, steps == null ? 100 : steps, System.out);
        return 0;
      case "twins":
        break;
      default:
        throw new Cli.UserError(
            "unknown benchmark '" + what + "'; available: core, twins, profile, longrun, data");
    }
    List<Twins.Sg2Spec> specs =
        large
            ? List.of(Twins.Sg2Spec.SG2_32, Twins.Sg2Spec.SG2_64_RGB)
            : List.of(Twins.Sg2Spec.SG2_32);
    TwinsBenchmark b = new TwinsBenchmark(System.out, timedSteps(), warmup, specs);
    double gemm = new CoreBenchmark(new PrintStream(OutputStream.nullOutputStream()), 2).run()[0];
    System.out.printf(
        Locale.ROOT, "GEMM %.0f GFLOP/s; backend: %s%n", gemm, Engine.current().describe());
    // FLOPs below are those of direct convolutions: with Winograd's fewer multiplications the
    // effective rate can pass the GEMM rate
    System.out.println("FLOP rates count direct-convolution FLOPs");
    b.report(b.library(), gemm);
    List<TwinsPeer> peers = new ArrayList<>();
    if (pytorch) {
      peers.add(new PytorchPeer(script, Path.of("runs", "twins-check")));
    }
    if (djl) {
      peers.add(djlPeer());
    }
    for (TwinsPeer peer : peers) {
      try {
        System.out.println(peer.describe(threads));
      } catch (IllegalStateException e) {
        throw new Cli.UserError(e.getMessage());
      }
      peer.unsupported(specs)
          .forEach((k, why) -> System.out.printf("  %s cannot run %s: %s%n", peer.name(), k, why));
      System.out.println("agreement with " + peer.name() + " (max |diff| / max |value|):");
      b.agreement(peer).forEach((k, v) -> System.out.printf(Locale.ROOT, "  %-16s %.1e%n", k, v));
    }
    if (!peers.isEmpty()) {
      b.compare(peers, rounds, threads)
          .forEach(
              (peer, ratios) -> {
                System.out.println("median ratio library / " + peer + " (time; lower is faster):");
                ratios.forEach((k, v) -> System.out.printf(Locale.ROOT, "  %-24s %.2f%n", k, v));
              });
    }
    if (memory > 0) {
      b.memory(memory);
    }
    b.profile(false);
    return 0;
  }

  /** The DJL peer of the bench-djl module, when it is on the class path. */
  private static TwinsPeer djlPeer() {
    return ServiceLoader.load(TwinsPeer.class).stream()
        .map(ServiceLoader.Provider::get)
        .filter(p -> p.name().equals("DJL"))
        .findFirst()
        .orElseThrow(
            () ->
                new Cli.UserError(
                    "the DJL twins are not on the class path: they live in the bench-djl module"
                        + " (Maven profile djl). Run them through the gan launcher, which builds"
                        + " that module when --djl is given, or build it yourself with"
                        + " mvn -Pdjl install -DskipTests."));
  }

  /** Timed steps per row of twins and profile (default 10). */
  private int timedSteps() {
    return steps == null ? 10 : steps;
  }
}
