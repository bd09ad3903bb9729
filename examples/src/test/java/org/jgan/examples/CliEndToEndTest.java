package org.jgan.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.jgan.core.io.Json;
import org.jgan.core.io.SafeTensors;
import org.jgan.core.tensor.Tensor;
import org.jgan.train.checkpoint.Checkpoint;
import org.jgan.train.data.FashionMnist;
import org.jgan.train.data.ImageTransform;
import org.jgan.train.data.PackedDataset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drives the real command line: a tiny training run, then every command on its checkpoint, and the
 * errors a user meets (wrong argument, missing checkpoint, corrupt checkpoint).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CliEndToEndTest {
  @TempDir static Path dir;
  static Path run;
  static Path ckpt;

  /** Exit status, standard output and standard error of one invocation. */
  record Result(int status, String out, String err) {}

  static Result gan(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      System.setOut(o);
      System.setErr(e);
      var cl = Gan.commandLine();
      cl.setOut(new PrintWriter(new OutputStreamWriter(o, StandardCharsets.UTF_8), true));
      cl.setErr(new PrintWriter(new OutputStreamWriter(e, StandardCharsets.UTF_8), true));
      int status = cl.execute(args);
      return new Result(
          status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  @BeforeAll
  static void trainATinyConditionalStyleGan2() throws IOException {
    Path config = dir.resolve("tiny.json");
    Files.writeString(
        config,
        "{\"model\": {\"family\": \"stylegan2\", \"zDim\": 8, \"wDim\": 8, \"mappingLayers\": 2,"
            + " \"mappingLrMul\": 0.01, \"imageChannels\": 1, \"resolution\": 32, \"channelBase\":"
            + " 64, \"channelMax\": 16, \"labelCount\": 0, \"progressive\": false, \"mbstdGroup\":"
            + " 4, \"mbstdChannels\": 1, \"dMappingLayers\": 2}, \"batchSize\": 8}");
    run = dir.resolve("run");
    Result r =
        gan(
            "train",
            "--config",
            config.toString(),
            "--conditional",
            "--images",
            "48",
            "--snapshot",
            "16",
            "--out",
            run.toString(),
            "--metrics",
            "40",
            "--keep-snapshots",
            "--no-progress");
    assertEquals(0, r.status(), r.err());
    ckpt = run.resolve("checkpoint.safetensors");
    assertTrue(r.out().contains("FD "), r.out());
    // the hint to train the conditional StyleGAN2 preset is for the default DCGAN run only
    assertTrue(!r.out().contains("next:"), r.out());
  }

  @Test
  @Order(1)
  void trainLeavesEverythingTheReadmePromises() throws IOException {
    for (String f :
        new String[] {
          "config.json",
          "losses.csv",
          "losses.png",
          "log.jsonl",
          "fakes000048.png",
          "checkpoint.safetensors",
          "checkpoint-000016.safetensors",
          "checkpoint-000032.safetensors",
          "checkpoint-000048.safetensors",
          "metrics.json"
        }) {
      assertTrue(Files.exists(run.resolve(f)), f);
    }
    Map<String, Object> m = Json.parseObject(Files.readString(run.resolve("metrics.json")));
    assertTrue((Double) m.get("fd") > 0);
    Map<String, Object> cfg = Json.parseObject(Files.readString(run.resolve("config.json")));
    assertEquals(
        10L,
        ((Map<?, ?>) cfg.get("model")).get("labelCount"),
        "--conditional took the data's 10 classes");
  }

  @Test
  @Order(2)
  void generateWritesGridsSinglesAndALabelledFolder() throws IOException {
    Result g =
        gan(
            "generate",
            "--checkpoint",
            ckpt.toString(),
            "--seeds",
            "0-3",
            "--grid",
            "--scale",
            "2",
            "--out",
            dir.resolve("gen").toString());
    assertEquals(0, g.status(), g.err());
    assertEquals(2 * (64 + 2) + 2, ImageIO.read(dir.resolve("gen/grid.png").toFile()).getWidth());
    Result s =
        gan(
            "generate",
            "--checkpoint",
            ckpt.toString(),
            "--seeds",
            "5,7",
            "--class",
            "3",
            "--psi",
            "0.5",
            "--out",
            dir.resolve("single").toString());
    assertEquals(0, s.status(), s.err());
    assertTrue(Files.exists(dir.resolve("single/seed0007.png")));
    // samples at the model's own size and channels: 32x32 grey, no border, no enlargement
    var single = ImageIO.read(dir.resolve("single/seed0005.png").toFile());
    assertEquals(32, single.getWidth());
    assertEquals(32, single.getHeight());
    assertEquals(1, single.getRaster().getNumBands());
    Result again =
        gan(
            "generate",
            "--checkpoint",
            ckpt.toString(),
            "--seeds",
            "5",
            "--out",
            dir.resolve("single").toString());
    assertEquals(1, again.status());
    assertTrue(again.err().contains("is not an empty folder"), again.err());
    Result seedsToZip =
        gan("generate", "--checkpoint", ckpt.toString(), "--out", dir.resolve("s.zip").toString());
    assertEquals(1, seedsToZip.status());
    assertTrue(
        seedsToZip.err().contains("a .zip is written with --per-class only"), seedsToZip.err());
    Result p =
        gan(
            "generate",
            "--checkpoint",
            ckpt.toString(),
            "--per-class",
            "3",
            "--out",
            dir.resolve("folder").toString());
    assertEquals(0, p.status(), p.err());
    try (var classes = Files.list(dir.resolve("folder"))) {
      assertEquals(10, classes.filter(Files::isDirectory).count());
    }
    try (var files = Files.list(dir.resolve("folder/Ankle_boot"))) {
      assertEquals(3, files.count());
    }
    // psi 0: towards the tracked average every class is the same picture, towards each class's
    // centre every class has its own (and its samples are that one picture)
    Map<String, List<int[]>> firstTwo = new TreeMap<>();
    for (String towards : new String[] {"average", "class"}) {
      Path folder = dir.resolve("psi0-" + towards);
      Result t =
          gan(
              "generate",
              "--checkpoint",
              ckpt.toString(),
              "--per-class",
              "2",
              "--psi",
              "0",
              "--truncation",
              towards,
              "--out",
              folder.toString());
      assertEquals(0, t.status(), t.err());
      List<int[]> pictures = new ArrayList<>();
      try (var classes = Files.list(folder)) {
        for (Path c : classes.filter(Files::isDirectory).sorted().limit(2).toList()) {
          try (var files = Files.list(c)) {
            for (Path f : files.sorted().toList()) {
              BufferedImage img = ImageIO.read(f.toFile());
              pictures.add(img.getRaster().getPixels(0, 0, 32, 32, (int[]) null));
            }
          }
        }
      }
      firstTwo.put(towards, pictures);
    }
    List<int[]> avg = firstTwo.get("average");
    List<int[]> cls = firstTwo.get("class");
    assertArrayEquals(avg.get(0), avg.get(2), "w_avg: one picture for two classes");
    assertArrayEquals(cls.get(0), cls.get(1), "class centre: one picture within a class");
    assertTrue(!Arrays.equals(cls.get(0), cls.get(2)), "class centres: two classes, two pictures");
    // read back as a labelled dataset, and packed into a ZIP that reads back the same
    try (PackedDataset back = PackedDataset.open(dir.resolve("folder"), ImageTransform.asIs())) {
      assertEquals(30, back.size());
      assertEquals(FashionMnist.CLASSES, back.classNames());
      assertArrayEquals(new long[] {1, 32, 32}, back.sampleShape());
      Result packed =
          gan(
              "dataset",
              "--source",
              dir.resolve("folder").toString(),
              "--dest",
              dir.resolve("packed.zip").toString());
      assertEquals(0, packed.status(), packed.err());
      assertTrue(packed.out().contains("packed 30 images of 1x32x32"), packed.out());
      try (PackedDataset zip =
          PackedDataset.open(dir.resolve("packed.zip"), ImageTransform.asIs())) {
        assertEquals(back.classNames(), zip.classNames());
        for (int i = 0; i < 30; i++) {
          assertEquals(back.label(i), zip.label(i));
          assertArrayEquals(back.pixels(i), zip.pixels(i), "image " + i);
        }
      }
    }
  }

  @Test
  @Order(3)
  void styleCommandsRenderTheirFigures() throws IOException {
    Result mix =
        gan(
            "mix",
            "--checkpoint",
            ckpt.toString(),
            "--rows",
            "1-2",
            "--cols",
            "3-5",
            "--styles",
            "middle",
            "--out",
            dir.resolve("mix.png").toString());
    assertEquals(0, mix.status(), mix.err());
    var img = ImageIO.read(dir.resolve("mix.png").toFile());
    assertEquals(4 * 66 + 2, img.getWidth());
    assertEquals(3 * 66 + 2, img.getHeight());
    Result dirs =
        gan(
            "directions",
            "--checkpoint",
            ckpt.toString(),
            "--count",
            "3",
            "--steps",
            "5",
            "--out",
            dir.resolve("dirs.png").toString());
    assertEquals(0, dirs.status(), dirs.err());
    assertEquals(3 * 66 + 2, ImageIO.read(dir.resolve("dirs.png").toFile()).getHeight());
    for (String space : new String[] {"z", "w"}) {
      Result in =
          gan(
              "interpolate",
              "--checkpoint",
              ckpt.toString(),
              "--frames",
              "4",
              "--space",
              space,
              "--out",
              dir.resolve("interp-" + space).toString());
      assertEquals(0, in.status(), in.err());
      assertTrue(Files.size(dir.resolve("interp-" + space + "/interpolation.gif")) > 100);
      assertTrue(Files.exists(dir.resolve("interp-" + space + "/frame003.png")));
    }
  }

  @Test
  @Order(4)
  void evaluateAndInfoReportNumbers() throws IOException {
    Result e =
        gan(
            "evaluate",
            "--checkpoint",
            ckpt.toString(),
            "--samples",
            "40",
            "--out",
            dir.resolve("eval.json").toString());
    assertEquals(0, e.status(), e.err());
    Map<String, Object> m = Json.parseObject(Files.readString(dir.resolve("eval.json")));
    assertTrue(
        m.containsKey("fd")
            && m.containsKey("kid_x1000")
            && m.containsKey("precision")
            && m.containsKey("recall"));
    assertEquals(0.048, (Double) m.get("kimg"), 1e-12);
    // a conditional Fashion-MNIST model: figures per class, of the averaged generator by default
    assertEquals("ema", m.get("generator"));
    Map<?, ?> byClass = (Map<?, ?>) m.get("by_class");
    assertEquals(10, byClass.size(), byClass.toString());
    for (Object k : byClass.values()) {
      Map<?, ?> c = (Map<?, ?>) k;
      for (String key :
          new String[] {
            "accuracy", "real_accuracy", "fd", "recall", "feature_spread", "pixel_spread"
          }) {
        assertTrue(c.get(key) instanceof Double, key + " in " + c);
      }
    }
    Result raw =
        evaluateSmall(
            run.resolve("checkpoint-000016.safetensors"),
            dir.resolve("eval-raw.json"),
            "--generator",
            "raw");
    assertEquals(0, raw.status(), raw.err());
    assertTrue(raw.out().contains("f-spread"), raw.out());
    Map<String, Object> mr = Json.parseObject(Files.readString(dir.resolve("eval-raw.json")));
    assertEquals("raw", mr.get("generator"));
    assertEquals(0.016, (Double) mr.get("kimg"), 1e-12);
    assertEquals(10L, mr.get("class_samples"));
    // psi 0 towards each class's centre: one picture per class, so no spread within a class
    Result centred =
        evaluateSmall(
            ckpt, dir.resolve("eval-centred.json"), "--psi", "0", "--truncation", "class");
    assertEquals(0, centred.status(), centred.err());
    assertTrue(centred.out().contains("psi 0.0 towards the class"), centred.out());
    Map<String, Object> mc = Json.parseObject(Files.readString(dir.resolve("eval-centred.json")));
    assertEquals("class", mc.get("truncation"));
    for (Object k : ((Map<?, ?>) mc.get("by_class")).values()) {
      assertEquals(0, (Double) ((Map<?, ?>) k).get("pixel_spread"), 1e-6, k.toString());
    }
    Result where =
        gan("evaluate", "--checkpoint", ckpt.toString(), "--psi", "0.7", "--truncation", "mid");
    assertEquals(1, where.status());
    assertTrue(where.err().contains("--truncation must be average or class, got mid"), where.err());
    Result few = gan("evaluate", "--checkpoint", ckpt.toString(), "--class-samples", "5");
    assertEquals(1, few.status());
    assertTrue(few.err().contains("--class-samples must be 0 or >= 10, got 5"), few.err());
    Result bad = gan("evaluate", "--checkpoint", ckpt.toString(), "--generator", "best");
    assertEquals(1, bad.status());
    assertTrue(bad.err().contains("--generator must be ema or raw, got best"), bad.err());
    Result i = gan("info", "--checkpoint", ckpt.toString());
    assertEquals(0, i.status(), i.err());
    assertTrue(
        i.out().contains("family       stylegan2") && i.out().contains("images seen  48"), i.out());
    assertTrue(i.out().contains("\"labelCount\": 10"), i.out());
  }

  /** {@code gan evaluate} of 40 samples and 10 per class into {@code out}, with more options. */
  private static Result evaluateSmall(Path checkpoint, Path out, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "evaluate",
                "--checkpoint",
                checkpoint.toString(),
                "--samples",
                "40",
                "--class-samples",
                "10",
                "--out",
                out.toString()));
    args.addAll(List.of(more));
    return gan(args.toArray(new String[0]));
  }

  @Test
  @Order(5)
  void resumeExtendsTheRunAndRecordsTheBackendOfEachStart() throws IOException {
    Result r =
        gan(
            "train",
            "--resume",
            ckpt.toString(),
            "--images",
            "64",
            "--metrics",
            "0",
            "--no-progress",
            "--no-winograd",
            "--no-onednn",
            "--pool-mb",
            "0");
    assertEquals(0, r.status(), r.err());
    assertTrue(
        r.out().contains("backend: cpu, Winograd off, oneDNN off, in-place on, pool off"), r.out());
    // the run kept its snapshots, so its resumption does too without being told
    assertTrue(r.out().contains("snapshots: each kept"), r.out());
    assertEquals(
        64, Checkpoint.read(run.resolve("checkpoint-000064.safetensors")).state().imagesSeen());
    Result i = gan("info", "--checkpoint", ckpt.toString());
    assertTrue(i.out().contains("images seen  64"), i.out());
    List<String> starts = Files.readAllLines(run.resolve("provenance.jsonl"));
    assertEquals(2, starts.size(), "one line per start: " + starts);
    Map<?, ?> first = (Map<?, ?>) Json.parseObject(starts.get(0)).get("backend");
    Map<?, ?> resumed = (Map<?, ?>) Json.parseObject(starts.get(1)).get("backend");
    assertEquals(true, first.get("winograd"));
    assertEquals(false, resumed.get("winograd"));
    assertEquals(true, first.get("oneDnn"));
    assertEquals(false, resumed.get("oneDnn"));
    assertEquals(0L, resumed.get("poolBytes"));
    assertEquals(0.048, (Double) Json.parseObject(starts.get(1)).get("kimg"), 1e-12);
    assertEquals(true, Json.parseObject(starts.get(1)).get("keep_snapshots"));
    Result bad = gan("train", "--pool-mb", "-1");
    assertEquals(1, bad.status());
    assertTrue(bad.err().contains("poolBytes must be >= 0"), bad.err());
  }

  @Test
  @Order(5)
  void aStylegan2AdaPickleIsConvertedAndSampledDirectly() throws IOException {
    // written by gan-train's ada_twin.py (a PyTorch twin of ADA's StyleGAN2), checked there
    Path pkl = dir.resolve("network-snapshot-000040.pkl");
    Files.copy(
        Path.of("../gan-train/src/test/resources/org/jgan/train/checkpoint/ada_rgb32.pkl"), pkl);
    Result c = gan("convert", pkl.toString());
    assertEquals(0, c.status(), c.err());
    Path converted = dir.resolve("network-snapshot-000040.safetensors");
    assertTrue(Files.isRegularFile(converted) && c.out().contains("StyleGAN2 32x32"), c.out());
    Result again = gan("convert", pkl.toString());
    assertEquals(1, again.status());
    assertTrue(again.err().contains("is not replaced"), again.err());
    // ADA's twin has z of 24 and w of 32: rosinality's StyleGAN2 cannot hold that
    Result ros = gan("convert", converted.toString(), "--to", "rosinality");
    assertEquals(1, ros.status());
    assertTrue(ros.err().contains("zDim 24 != wDim 32"), ros.err());
    Result info = gan("info", "--checkpoint", converted.toString());
    assertTrue(info.out().contains("images seen  40,000"), info.out());
    Result mix =
        gan("mix", "--checkpoint", pkl.toString(), "--out", dir.resolve("mix.png").toString());
    assertEquals(0, mix.status(), mix.err());
    assertTrue(Files.size(dir.resolve("mix.png")) > 0);
  }

  @Test
  @Order(5)
  void projectionWritesTheLatentTheReconstructionAndAnAnimation() throws IOException {
    BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 8; y < 20; y++) {
      for (int x = 6; x < 22; x++) {
        img.getRaster().setSample(x, y, 0, 200);
      }
    }
    Path png = dir.resolve("target.png");
    ImageIO.write(img, "png", png.toFile());
    Path out = dir.resolve("proj");
    Result r =
        gan(
            "project",
            "--checkpoint",
            ckpt.toString(),
            "--target",
            png.toString(),
            "--label",
            "3",
            "--steps",
            "12",
            "--out",
            out.toString());
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("PSNR") && r.out().contains("features: classifier"), r.out());
    for (String f : List.of("projected.safetensors", "projection.png", "progress.gif")) {
      assertTrue(Files.size(out.resolve(f)) > 0, f);
    }
    Result again =
        gan(
            "project",
            "--checkpoint",
            ckpt.toString(),
            "--target",
            png.toString(),
            "--steps",
            "2",
            "--out",
            out.toString());
    assertEquals(0, again.status(), again.err());
    assertTrue(Files.isDirectory(dir.resolve("proj-1")), "a second run goes to proj-1");
    Result inpaint =
        gan(
            "restore",
            "--checkpoint",
            ckpt.toString(),
            "--target",
            png.toString(),
            "--box",
            "8,8,10,10",
            "--keep-known",
            "--reference",
            png.toString(),
            "--steps",
            "8",
            "--out",
            dir.resolve("rest").toString());
    assertEquals(0, inpaint.status(), inpaint.err());
    assertTrue(inpaint.out().contains("PSNR") && inpaint.out().contains("baseline"), inpaint.out());
    Map<String, Object> report =
        Json.parseObject(Files.readString(dir.resolve("rest/restoration.json")));
    assertEquals("inpainting", report.get("task"));
    assertTrue(Files.size(dir.resolve("rest/restoration.png")) > 0);
    Result two =
        gan(
            "restore",
            "--checkpoint",
            ckpt.toString(),
            "--target",
            png.toString(),
            "--denoise",
            "--downscale",
            "2");
    assertEquals(1, two.status());
    assertTrue(two.err().contains("exactly one of"), two.err());
    Result badLabel =
        gan(
            "project",
            "--checkpoint",
            ckpt.toString(),
            "--target",
            png.toString(),
            "--label",
            "12");
    assertEquals(1, badLabel.status());
    assertTrue(badLabel.err().contains("--label must be in [0, 10)"), badLabel.err());
    Path large = dir.resolve("large.png");
    ImageIO.write(new BufferedImage(40, 40, BufferedImage.TYPE_BYTE_GRAY), "png", large.toFile());
    Result big = gan("project", "--checkpoint", ckpt.toString(), "--target", large.toString());
    assertEquals(1, big.status());
    assertTrue(big.err().contains("--target is 40x40; the generator makes 32x32"), big.err());
  }

  @Test
  @Order(5)
  void projectionAndRestorationAreMeasuredOnHeldOutImages() throws IOException {
    Path out = dir.resolve("proj-eval");
    Result r =
        gan(
            "project",
            "--checkpoint",
            ckpt.toString(),
            "--data",
            "embedded",
            "--images",
            "0-2",
            "--batch",
            "2",
            "--steps",
            "3",
            "--out",
            out.toString());
    assertEquals(0, r.status(), r.err());
    Map<String, Object> report = Json.parseObject(Files.readString(out.resolve("evaluation.json")));
    assertEquals(3L, report.get("count"));
    for (String space : List.of("W", "W+")) {
      Map<?, ?> m = (Map<?, ?>) report.get(space);
      assertEquals(3, ((List<?>) m.get("psnr")).size(), space);
      assertTrue(((Number) m.get("psnr_mean")).doubleValue() > 0, space);
    }
    assertTrue(Files.size(out.resolve("projection.png")) > 0);
    for (String[] task :
        List.of(
            new String[] {"--box", "8,8,10,10", "--keep-known"},
            new String[] {"--denoise", "--sigma", "0.3"},
            new String[] {"--downscale", "2"})) {
      Path o = dir.resolve("rest-eval" + task[0]);
      List<String> args =
          new ArrayList<>(
              List.of(
                  "restore",
                  "--checkpoint",
                  ckpt.toString(),
                  "--data",
                  "embedded",
                  "--images",
                  "5,9",
                  "--steps",
                  "2",
                  "--out",
                  o.toString()));
      args.addAll(List.of(task));
      Result e = gan(args.toArray(new String[0]));
      assertEquals(0, e.status(), e.err());
      Map<String, Object> q = Json.parseObject(Files.readString(o.resolve("evaluation.json")));
      assertEquals(List.of(5L, 9L), q.get("indices"));
      assertEquals(2, ((List<?>) q.get("psnr_baseline")).size());
      assertTrue(e.out().contains("baseline"), e.out());
    }
    Result neither = gan("project", "--checkpoint", ckpt.toString());
    assertEquals(1, neither.status());
    assertTrue(neither.err().contains("give one of --target FILE or --data NAME"), neither.err());
    Result range =
        gan(
            "project",
            "--checkpoint",
            ckpt.toString(),
            "--data",
            "embedded",
            "--images",
            "9999-10000");
    assertEquals(1, range.status());
    assertTrue(range.err().contains("has images 0-9999"), range.err());
  }

  @Test
  @Order(5)
  void aProjectedLatentIsEditedAlongADirectionTowardsAClassAndMixed() throws IOException {
    Path proj = dir.resolve("proj-for-edit");
    Result p =
        gan(
            "project",
            "--checkpoint",
            ckpt.toString(),
            "--data",
            "embedded",
            "--images",
            "0",
            "--spaces",
            "W",
            "--steps",
            "2",
            "--out",
            proj.toString());
    assertEquals(0, p.status(), p.err());
    BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_BYTE_GRAY);
    Path png = dir.resolve("edit-target.png");
    ImageIO.write(img, "png", png.toFile());
    Path single = dir.resolve("proj-single");
    Result one =
        gan(
            "project",
            "--checkpoint",
            ckpt.toString(),
            "--target",
            png.toString(),
            "--label",
            "4",
            "--steps",
            "2",
            "--out",
            single.toString());
    assertEquals(0, one.status(), one.err());
    Path latent = single.resolve("projected.safetensors");
    Path along = dir.resolve("edit-dir");
    Result d =
        gan(
            "edit",
            "--checkpoint",
            ckpt.toString(),
            "--latent",
            latent.toString(),
            "--direction",
            "1",
            "--steps",
            "5",
            "--out",
            along.toString());
    assertEquals(0, d.status(), d.err());
    SafeTensors.Contents frames = SafeTensors.read(along.resolve("edited.safetensors"));
    Tensor ws = frames.tensors().get("ws");
    Tensor start = SafeTensors.read(latent).tensors().get("ws");
    assertEquals(5, ws.size(0));
    // the middle frame is the projection itself; the steps are equal
    assertArrayEquals(start.toDoubleArray(), ws.slice(0, 2, 3).toDoubleArray(), 1e-6);
    double[] a = ws.slice(0, 1, 2).sub(ws.slice(0, 0, 1)).toDoubleArray();
    double[] b = ws.slice(0, 4, 5).sub(ws.slice(0, 3, 4)).toDoubleArray();
    assertArrayEquals(a, b, 1e-5);
    assertTrue(Files.size(along.resolve("edit.gif")) > 0);
    Result cls =
        gan(
            "edit",
            "--checkpoint",
            ckpt.toString(),
            "--latent",
            latent.toString(),
            "--to-class",
            "7",
            "--steps",
            "3",
            "--out",
            dir.resolve("edit-class").toString());
    assertEquals(0, cls.status(), cls.err());
    assertTrue(cls.out().contains("class 4") && cls.out().contains("to class 7"), cls.out());
    Result mix =
        gan(
            "edit",
            "--checkpoint",
            ckpt.toString(),
            "--latent",
            latent.toString(),
            "--mix-seeds",
            "0-2",
            "--out",
            dir.resolve("edit-mix").toString());
    assertEquals(0, mix.status(), mix.err());
    Tensor mixed = SafeTensors.read(dir.resolve("edit-mix/edited.safetensors")).tensors().get("ws");
    assertEquals(9, mixed.size(0)); // samples, the image with their styles, and the reverse
    // the image with the samples' coarse styles keeps its own latents after the coarse layers
    int quarter = (int) Math.max(1, start.size(1) / 4);
    assertArrayEquals(
        start.slice(1, quarter, start.size(1)).toDoubleArray(),
        mixed.slice(0, 3, 4).slice(1, quarter, start.size(1)).toDoubleArray(),
        1e-6);
    Result both =
        gan(
            "edit",
            "--checkpoint",
            ckpt.toString(),
            "--seed",
            "1",
            "--direction",
            "0",
            "--to-class",
            "2");
    assertEquals(1, both.status());
    assertTrue(both.err().contains("exactly one of"), both.err());
  }

  @Test
  @Order(5)
  void augmentEvalReportsAccuracyWithAndWithoutGeneratedImages() throws IOException {
    Path out = dir.resolve("augment");
    Result r =
        gan(
            "augment-eval",
            "--data",
            "embedded",
            "--per-class",
            "3",
            "--seeds",
            "2",
            "--generated",
            "4",
            "--gan-images",
            "640",
            "--gan-augment",
            "diffaugment",
            "--classifier-steps",
            "5",
            "--out",
            out.toString());
    assertEquals(0, r.status(), r.err());
    Map<String, Object> report = Json.parseObject(Files.readString(out.resolve("augment.json")));
    assertEquals(2, ((List<?>) report.get("trials")).size());
    assertEquals("DIFFAUGMENT", ((Map<?, ?>) report.get("gan")).get("augment"));
    assertTrue(Files.readString(out.resolve("augment.md")).contains("| 3 |"), r.out());
    assertTrue(Files.size(out.resolve("samples-3.png")) > 0);
    Result points = gan("augment-eval", "--data", "ring8");
    assertEquals(1, points.status());
    assertTrue(points.err().contains("needs labelled images"), points.err());
  }

  @Test
  @Order(5)
  void aSubsetTrainsWithAdaUntilItsTimeLimitAndResumesOnlyWithTheSameSubset() throws IOException {
    Path out = dir.resolve("ada");
    Result r =
        gan(
            "train",
            "--config",
            dir.resolve("tiny.json").toString(),
            "--subset",
            "20",
            "--augment",
            "ada",
            "--ada-kimg",
            "0.05",
            "--augment-p",
            "0.5",
            "--images",
            "100k",
            "--minutes",
            "0.1",
            "--snapshot",
            "16",
            "--metrics",
            "0",
            "--no-progress",
            "--out",
            out.toString());
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("(20 samples)"), r.out());
    assertTrue(r.out().contains("stopped at the time limit"), r.out());
    assertTrue(Files.exists(out.resolve("augment.png")));
    Map<String, Object> cfg = Json.parseObject(Files.readString(out.resolve("config.json")));
    assertEquals("ADA", cfg.get("augment"));
    assertEquals(0.5, (Double) ((Map<?, ?>) cfg.get("ada")).get("p"));
    List<String> lines = Files.readAllLines(out.resolve("log.jsonl"));
    Map<String, Object> last = Json.parseObject(lines.get(lines.size() - 1));
    double p = (Double) last.get("augment_p");
    assertTrue(p >= 0 && p <= 1 && p != 0.5, "p adapted: " + p);
    String ckptPath = out.resolve("checkpoint.safetensors").toString();
    assertTrue(r.out().contains("./gan train --resume " + ckptPath + " --subset 20"), r.out());
    Result other = gan("train", "--resume", ckptPath, "--metrics", "0", "--no-progress");
    assertEquals(1, other.status());
    assertTrue(other.err().contains("give the same --data and --subset"), other.err());
    Result same =
        gan(
            "train",
            "--resume",
            ckptPath,
            "--subset",
            "20",
            "--minutes",
            "0.01",
            "--metrics",
            "0",
            "--no-progress");
    assertEquals(0, same.status(), same.err());
    Result odd = gan("train", "--subset", "15", "--out", dir.resolve("odd").toString());
    assertEquals(1, odd.status());
    assertTrue(odd.err().contains("multiple of the 10 classes"), odd.err());
    assertTrue(!Files.exists(dir.resolve("odd").resolve("checkpoint.safetensors")));
    Result never = gan("train", "--minutes", "0");
    assertEquals(1, never.status());
    assertTrue(never.err().contains("--minutes must be a positive number"), never.err());
  }

  @Test
  @Order(6)
  void errorsAreOneClearLineAndANonZeroStatus() throws IOException {
    Result wrong = gan("train", "--no-such-flag");
    assertEquals(2, wrong.status());
    assertTrue(wrong.err().contains("Unknown option: '--no-such-flag'"), wrong.err());
    Result missing = gan("generate", "--checkpoint", dir.resolve("nope.safetensors").toString());
    assertEquals(1, missing.status());
    assertTrue(
        missing.err().startsWith("gan generate: checkpoint ")
            && missing.err().contains("does not exist"),
        missing.err());
    assertEquals(1, missing.err().strip().lines().count(), "one line: " + missing.err());
    Path corrupt = dir.resolve("corrupt.safetensors");
    byte[] bytes = Files.readAllBytes(ckpt);
    Files.write(corrupt, Arrays.copyOf(bytes, bytes.length / 2));
    Result bad = gan("info", "--checkpoint", corrupt.toString());
    assertEquals(1, bad.status());
    assertTrue(
        bad.err().startsWith("gan info: cannot read checkpoint: ")
            && bad.err().contains("corrupt.safetensors"),
        bad.err());
    assertTrue(!bad.err().contains("\tat "), "no stack trace without --verbose");
    Result noInception =
        gan("evaluate", "--checkpoint", ckpt.toString(), "--inception", "nope.pth");
    assertEquals(1, noInception.status());
    assertTrue(
        noInception.err().contains("--inception nope.pth does not exist")
            && noInception.err().contains("pt_inception-2015-12-05-6726825d.pth"),
        noInception.err());
    Result notTorch =
        gan("evaluate", "--checkpoint", ckpt.toString(), "--inception", ckpt.toString());
    assertEquals(1, notTorch.status());
    assertTrue(
        notTorch.err().contains("gan evaluate: cannot use --inception: ")
            && notTorch.err().contains("not a PyTorch file"),
        notTorch.err());
    Result badValue = gan("train", "--images", "lots");
    assertEquals(1, badValue.status());
    assertTrue(badValue.err().contains("'lots' is not an image count"), badValue.err());
    Result notStyle = gan("mix", "--checkpoint", ckpt.toString(), "--styles", "sideways");
    assertEquals(1, notStyle.status());
    assertTrue(notStyle.err().contains("--styles must be coarse, middle or fine"), notStyle.err());
    // a DCGAN has no w to truncate: --psi is refused, not silently ignored
    Path dcgan = dir.resolve("dcgan");
    Result trained =
        gan(
            "train",
            "--family",
            "dcgan",
            "--images",
            "64",
            "--metrics",
            "0",
            "--no-progress",
            "--out",
            dcgan.toString());
    assertEquals(0, trained.status(), trained.err());
    String dcganCkpt = dcgan.resolve("checkpoint.safetensors").toString();
    for (String command : new String[] {"generate", "evaluate"}) {
      Result psi =
          gan(
              command,
              "--checkpoint",
              dcganCkpt,
              "--psi",
              "0.7",
              "--out",
              dir.resolve("psi-" + command).toString());
      assertEquals(1, psi.status(), psi.out());
      String expected =
          "gan "
              + command
              + ": --psi 0.7: truncation pulls a mapping network's w, which StyleGAN and StyleGAN2"
              + " models have and this DcganGenerator has not; leave --psi at 1";
      assertTrue(psi.err().strip().endsWith(expected), psi.err());
      assertFalse(Files.exists(dir.resolve("psi-" + command)), "nothing written");
    }
  }

  @Test
  @Order(7)
  void aDivergedRunNamesStepNetworkAndTermAndItsCheckpointResumes() throws IOException {
    Path poisoned = dir.resolve("poisoned");
    Files.createDirectories(poisoned);
    Path good = poisoned.resolve("checkpoint.safetensors");
    Files.copy(ckpt, good);
    byte[] before = Files.readAllBytes(good);
    Result r =
        gan(
            "train",
            "--resume",
            good.toString(),
            "--lr",
            "1e30",
            "--images",
            "10k",
            "--snapshot",
            "1M",
            "--metrics",
            "0",
            "--no-progress");
    assertEquals(1, r.status(), r.out());
    assertTrue(
        Pattern.compile(
                "gan train: training diverged at step \\d+: (generator|discriminator) .* is"
                    + " (NaN|-?Infinity)")
            .matcher(r.err())
            .find(),
        r.err());
    assertTrue(r.err().contains("the last good checkpoint is " + good), r.err());
    assertArrayEquals(
        before,
        Files.readAllBytes(good),
        "the checkpoint from before the poisoned steps is untouched");
    Result resumed =
        gan(
            "train",
            "--resume",
            good.toString(),
            "--images",
            "80",
            "--metrics",
            "0",
            "--no-progress");
    assertEquals(0, resumed.status(), resumed.err());
  }

  @Test
  @Order(7)
  void aRunStoppedByTimeResumesOnItsOwnDataWithoutBeingToldIt() throws IOException {
    Path out = dir.resolve("ring");
    Result r =
        gan(
            "train",
            "--family",
            "vanilla",
            "--data",
            "ring8",
            "--images",
            "10M",
            "--minutes",
            "0.02",
            "--metrics",
            "0",
            "--no-progress",
            "--out",
            out.toString());
    assertEquals(0, r.status(), r.err());
    String ckptPath = out.resolve("checkpoint.safetensors").toString();
    // the hint needs no --data: a resume finds the run's data from its name
    assertTrue(
        r.out().contains("./gan train --resume " + ckptPath + System.lineSeparator()), r.out());
    Result resumed =
        gan("train", "--resume", ckptPath, "--minutes", "0.02", "--metrics", "0", "--no-progress");
    assertEquals(0, resumed.status(), resumed.err());
    assertTrue(resumed.out().contains("training vanilla on ring8"), resumed.out());
  }

  @Test
  @Order(8)
  void aSecondRunIntoAFinishedRunsFolderIsRefusedAndChangesNothing() throws IOException {
    Map<Path, byte[]> before = new TreeMap<>();
    try (var files = Files.walk(run)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        before.put(f, Files.readAllBytes(f));
      }
    }
    Result r =
        gan("train", "--images", "16", "--out", run.toString(), "--metrics", "0", "--no-progress");
    assertEquals(1, r.status(), r.out());
    assertTrue(
        r.err().contains("--out " + run + " holds a training run")
            && r.err().contains("--resume " + run.resolve("checkpoint.safetensors")),
        r.err());
    try (var files = Files.walk(run)) {
      assertEquals(before.keySet(), new TreeSet<>(files.filter(Files::isRegularFile).toList()));
    }
    for (Map.Entry<Path, byte[]> e : before.entrySet()) {
      assertArrayEquals(e.getValue(), Files.readAllBytes(e.getKey()), e.getKey().toString());
    }
  }
}
