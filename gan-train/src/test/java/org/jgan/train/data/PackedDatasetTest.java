package org.jgan.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipFile;
import javax.imageio.ImageIO;
import org.jgan.core.io.Json;
import org.jgan.core.tensor.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Packed datasets: what {@link DatasetWriter} writes {@link PackedDataset} reads back byte for byte
 * (in ADA's layout), the transforms do what they say and are never chosen silently, broken files
 * are named, and batches decoded ahead on a thread are the batches decoded in place.
 */
class PackedDatasetTest {
  @TempDir Path dir;

  private static BufferedImage filled(int w, int h, int rgb) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, rgb);
      }
    }
    return img;
  }

  private static byte[] ramp(int channels, int side, int seed) {
    byte[] b = new byte[channels * side * side];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) (i * 37 + seed * 11);
    }
    return b;
  }

  @Test
  void aWrittenZipReadsBackByteForByteWithLabelsInAdasLayout() throws IOException {
    for (int c : new int[] {1, 3}) {
      Path zip = dir.resolve("d" + c + ".zip");
      try (DatasetWriter w = DatasetWriter.create(zip, c, 8, List.of("a", "b", "c"))) {
        for (int i = 0; i < 5; i++) {
          w.add(ramp(c, 8, i), i % 3);
        }
      }
      try (PackedDataset d = PackedDataset.open(zip, ImageTransform.asIs())) {
        assertEquals(5, d.size());
        assertArrayEquals(new long[] {c, 8, 8}, d.sampleShape());
        assertEquals(List.of("a", "b", "c"), d.classNames());
        for (int i = 0; i < 5; i++) {
          assertArrayEquals(ramp(c, 8, i), d.pixels(i), "image " + i + " of " + c + " channels");
          assertEquals(i % 3, d.label(i));
        }
        assertEquals("00000/img00000003.png", d.file(3));
      }
      try (ZipFile z = new ZipFile(zip.toFile())) {
        Map<String, Object> meta =
            Json.parseObject(
                new String(
                    z.getInputStream(z.getEntry("dataset.json")).readAllBytes(),
                    StandardCharsets.UTF_8));
        assertEquals(List.of("00000/img00000001.png", 1L), ((List<?>) meta.get("labels")).get(1));
        // one channel is an 8-bit grey PNG, as ADA's loader expects for [H, W, 1]
        BufferedImage png = ImageIO.read(z.getInputStream(z.getEntry("00000/img00000000.png")));
        assertEquals(c, png.getRaster().getNumBands());
      }
    }
  }

  @Test
  void nothingIsOverwrittenAndAnAbortedWriteLeavesNothing() throws IOException {
    Path zip = dir.resolve("x.zip");
    Files.writeString(zip, "mine");
    assertThrows(
        FileAlreadyExistsException.class, () -> DatasetWriter.create(zip, 1, 4, List.of()));
    assertEquals("mine", Files.readString(zip));
    Path folder = dir.resolve("f");
    DatasetWriter w = DatasetWriter.create(folder, 1, 4, List.of());
    w.add(ramp(1, 4, 0), -1);
    w.abort();
    try (var files = Files.list(dir)) {
      assertEquals(List.of(zip), files.toList(), "only the user's file is left");
    }
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> {
              try (DatasetWriter v = DatasetWriter.create(dir.resolve("y.zip"), 1, 4, List.of())) {
                v.add(ramp(1, 4, 0), 2);
              }
            });
    assertTrue(e.getMessage().contains("label 2 given to an unlabelled dataset"), e.getMessage());
  }

  @Test
  void folderClassesComeFromSubfoldersAndShapesAreNeverChangedSilently() throws IOException {
    for (String cls : new String[] {"cats", "dogs"}) {
      Files.createDirectories(dir.resolve(cls));
      BufferedImage img = filled(40, 20, cls.equals("cats") ? 0xFF0000 : 0x0000FF);
      ImageIO.write(img, "png", dir.resolve(cls).resolve("a.png").toFile());
      ImageIO.write(img, "png", dir.resolve(cls).resolve("b.png").toFile());
    }
    String m =
        assertThrows(DatasetException.class, () -> PackedDataset.open(dir, ImageTransform.asIs()))
            .getMessage();
    assertTrue(
        m.contains("cats/a.png: 40x20 pixels, expected 40x40 (not square); choose --transform"), m);
    ImageTransform crop = new ImageTransform(8, 0, ImageTransform.Mode.CENTER_CROP, 0xFFFFFF);
    try (PackedDataset d = PackedDataset.open(dir, crop)) {
      assertEquals(4, d.size());
      assertEquals(List.of("cats", "dogs"), d.classNames());
      assertArrayEquals(new long[] {3, 8, 8}, d.sampleShape());
      var red = d.batch(new int[] {0}, null, DType.FLOAT32).x();
      assertEquals(1.0, red.slice(1, 0, 1).mean().item(), 1e-6);
      assertEquals(-1.0, red.slice(1, 2, 3).mean().item(), 1e-6);
      assertEquals(1, d.label(3));
      // read as they are needed: a broken file is named when it is reached
      Files.writeString(dir.resolve("dogs").resolve("b.png"), "not an image");
      String broken = assertThrows(DatasetException.class, () -> d.pixels(3)).getMessage();
      assertTrue(broken.contains("dogs/b.png"), broken);
      UncheckedIOException u =
          assertThrows(
              UncheckedIOException.class,
              () -> new Batches(d, 1, false).next(4, DType.FLOAT32),
              "a background decode's failure reaches the caller");
      assertTrue(u.getCause().getMessage().contains("b.png"), u.getCause().getMessage());
    }
  }

  @Test
  void padAndTheWideCropPlaceThePictureOnTheBackground() throws DatasetException {
    BufferedImage wide = filled(40, 20, 0xFF0000);
    byte[] pad = new ImageTransform(8, 3, ImageTransform.Mode.PAD, 0x000000).apply(wide, "w");
    // 40x20 on a 40x40 black square, then 8x8: rows 0-1 and 6-7 black, rows 2-5 red
    assertEquals(0, pad[0] & 0xFF);
    assertEquals(255, pad[3 * 8 + 4] & 0xFF);
    assertEquals(0, pad[7 * 8 + 4] & 0xFF);
    byte[] cropWide =
        new ImageTransform(8, 1, ImageTransform.Mode.CENTER_CROP_WIDE, 0xFFFFFF).apply(wide, "w");
    assertEquals(255, cropWide[0] & 0xFF, "white above the band");
    assertEquals(Math.round(0.299 * 255), cropWide[4 * 8 + 4] & 0xFF, "red as luminance");
    byte[] square =
        new ImageTransform(0, 0, ImageTransform.Mode.ERROR, 0).apply(filled(6, 6, 0x102030), "s");
    assertEquals(3 * 36, square.length);
    assertEquals(0x30, square[2 * 36] & 0xFF);
  }

  @Test
  void greyPicturesKeepTheirValuesAndTransparencyMeetsTheBackground() throws IOException {
    BufferedImage grey = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY);
    for (int i = 0; i < 16; i++) {
      grey.getRaster().setSample(i % 4, i / 4, 0, i * 16);
    }
    ImageIO.write(grey, "png", dir.resolve("g.png").toFile());
    try (PackedDataset d = PackedDataset.open(dir, ImageTransform.asIs())) {
      assertArrayEquals(new long[] {1, 4, 4}, d.sampleShape());
      byte[] px = d.pixels(0);
      for (int i = 0; i < 16; i++) {
        assertEquals(
            i * 16, px[i] & 0xFF, "grey value " + i + " read as stored, not gamma-shifted");
      }
      assertTrue(d.classNames().isEmpty(), "no folders, no dataset.json: unlabelled");
    }
    BufferedImage clear = new BufferedImage(2, 2, BufferedImage.TYPE_INT_ARGB);
    byte[] onBlack =
        new ImageTransform(0, 3, ImageTransform.Mode.ERROR, ImageTransform.BLACK).apply(clear, "c");
    byte[] onWhite =
        new ImageTransform(0, 3, ImageTransform.Mode.ERROR, ImageTransform.WHITE).apply(clear, "c");
    assertEquals(0, onBlack[0]);
    assertEquals(255, onWhite[0] & 0xFF);
  }

  @Test
  void batchesDecodedAheadAreTheBatchesDecodedInPlaceAndResumeAlike() throws IOException {
    ImageDataset mem = FashionMnist.embeddedTest().head(23);
    Path zip = dir.resolve("fm.zip");
    try (DatasetWriter w = DatasetWriter.create(zip, 1, 28, mem.classNames())) {
      float[] buf = mem.buffer(1);
      for (int i = 0; i < mem.size(); i++) {
        mem.decodeInto(new int[] {i}, null, buf);
        byte[] b = new byte[buf.length];
        for (int k = 0; k < b.length; k++) {
          b[k] = (byte) Math.round((buf[k] + 1f) * 127.5f);
        }
        w.add(b, mem.label(i));
      }
    }
    try (PackedDataset packed = PackedDataset.open(zip, ImageTransform.asIs())) {
      assertTrue(packed.prefetch());
      assertFalse(mem.prefetch());
      Batches a = new Batches(mem, 9, true);
      Batches b = new Batches(packed, 9, true);
      for (int step = 0; step < 7; step++) {
        int n = step == 4 ? 5 : 6; // a change of size is planned again, not served stale
        Batch x = a.next(n, DType.FLOAT32);
        Batch y = b.next(n, DType.FLOAT32);
        assertArrayEquals(x.x().toFloatArray(), y.x().toFloatArray(), 0f, "step " + step);
        assertArrayEquals(x.labels(), y.labels());
        assertEquals(a.epoch(), b.epoch());
        assertEquals(a.position(), b.position());
      }
      Batches c = new Batches(packed, 9, true);
      c.restore(b.epoch(), b.position());
      assertArrayEquals(
          a.next(6, DType.FLOAT32).x().toFloatArray(),
          c.next(6, DType.FLOAT32).x().toFloatArray(),
          0f);
    }
  }
}
