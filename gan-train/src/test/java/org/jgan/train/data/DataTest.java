package org.jgan.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.IntStream;
import java.util.zip.GZIPOutputStream;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.train.metrics.ToyMetrics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataTest {
  @TempDir Path dir;

  private static byte[] idx(int magic, int[] dims, int dataBytes) {
    ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + dataBytes);
    b.putInt(magic);
    for (int d : dims) {
      b.putInt(d);
    }
    for (int i = 0; i < dataBytes; i++) {
      b.put((byte) i);
    }
    return b.array();
  }

  private static byte[] gzip(byte[] raw) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream g = new GZIPOutputStream(out)) {
      g.write(raw);
    }
    return out.toByteArray();
  }

  @Test
  void embeddedFashionMnistIsTheFullTestSplit() {
    ImageDataset d = FashionMnist.embeddedTest();
    assertEquals(10_000, d.size());
    assertArrayEquals(new long[] {1, 28, 28}, d.sampleShape());
    assertEquals(10, d.labelCount());
    int[] perClass = new int[10];
    for (int i = 0; i < d.size(); i++) {
      perClass[d.label(i)]++;
    }
    assertArrayEquals(
        new int[] {1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000}, perClass);
    Tensor x = d.batch(new int[] {0, 1}, null, DType.FLOAT32).x();
    assertTrue(x.data().minNumber().doubleValue() >= -1 && x.data().maxNumber().doubleValue() <= 1);
    assertEquals(9, d.label(0)); // the first test image is an ankle boot
  }

  @Test
  void paddingCentresOnBlackAndFlipsMirror() {
    ImageDataset d = FashionMnist.embeddedTest().head(4).paddedTo(32);
    Tensor x = d.batch(new int[] {0}, null, DType.FLOAT32).x();
    assertArrayEquals(new long[] {1, 1, 32, 32}, x.shape());
    assertEquals(-1.0, x.slice(2, 0, 2).data().maxNumber().doubleValue(), 0);
    Tensor flipped = d.batch(new int[] {0}, new boolean[] {true}, DType.FLOAT32).x();
    assertArrayEquals(x.flip(3).toFloatArray(), flipped.toFloatArray(), 0f);
  }

  @Test
  void idxDefectsAreNamedWithTheFile() throws IOException {
    byte[] good = idx(Idx.IMAGES_MAGIC, new int[] {2, 3, 3}, 18);
    assertEquals(2, Idx.parse(good, "ok", Idx.IMAGES_MAGIC).dims()[0]);
    assertEquals(2, Idx.parse(gzip(good), "ok.gz", Idx.IMAGES_MAGIC).dims()[0]);
    String m =
        assertThrows(
                DatasetException.class,
                () -> Idx.parse(Arrays.copyOf(good, 20), "cut.idx", Idx.IMAGES_MAGIC))
            .getMessage();
    assertTrue(m.startsWith("cut.idx:") && m.contains("truncated"), m);
    m =
        assertThrows(DatasetException.class, () -> Idx.parse(good, "labels.idx", Idx.LABELS_MAGIC))
            .getMessage();
    assertTrue(m.contains("magic number 0x00000803, expected 0x00000801"), m);
    m =
        assertThrows(
                DatasetException.class,
                () ->
                    Idx.parse(
                        idx(Idx.IMAGES_MAGIC, new int[] {100000, 1000, 1000}, 8),
                        "huge.idx",
                        Idx.IMAGES_MAGIC))
            .getMessage();
    assertTrue(m.contains("huge.idx") && m.contains("exceed"), m);
    byte[] gz = gzip(good);
    m =
        assertThrows(
                DatasetException.class,
                () -> Idx.parse(Arrays.copyOf(gz, gz.length - 12), "cut.gz", Idx.IMAGES_MAGIC))
            .getMessage();
    assertTrue(m.startsWith("cut.gz:"), m);
    Idx.Contents images = Idx.parse(good, "images", Idx.IMAGES_MAGIC);
    Idx.Contents labels =
        Idx.parse(idx(Idx.LABELS_MAGIC, new int[] {3}, 3), "labels", Idx.LABELS_MAGIC);
    m =
        assertThrows(
                DatasetException.class,
                () -> Idx.load("x", images, "images", labels, "labels", FashionMnist.CLASSES))
            .getMessage();
    assertTrue(m.contains("labels: 3 labels for the 2 images of images"), m);
    Path missing = dir.resolve("nothing");
    m =
        assertThrows(DatasetException.class, () -> FashionMnist.load(missing, "train"))
            .getMessage();
    assertTrue(m.contains("install Debian's dataset-fashion-mnist"), m);
  }

  @Test
  void batchesAreSeededAndResumable() {
    ImageDataset d = FashionMnist.embeddedTest().head(10);
    Batches a = new Batches(d, 5, true);
    Batches b = new Batches(d, 5, true);
    float[] first = a.next(7, DType.FLOAT32).x().toFloatArray();
    assertArrayEquals(first, b.next(7, DType.FLOAT32).x().toFloatArray(), 0f);
    Batches c = new Batches(d, 5, true);
    c.restore(a.epoch(), a.position());
    assertArrayEquals(
        a.next(6, DType.FLOAT32).x().toFloatArray(),
        c.next(6, DType.FLOAT32).x().toFloatArray(),
        0f);
    assertEquals(1, a.epoch(), "wrapped into the second epoch");
    assertNotEquals(
        Arrays.hashCode(first),
        Arrays.hashCode(new Batches(d, 6, true).next(7, DType.FLOAT32).x().toFloatArray()));
  }

  @Test
  void toyMixturesHaveTheirStatedModesAndSpread() {
    PointDataset ring = ToyDistributions.ring8(4000, new Rng(1));
    float[] pts =
        ring.batch(IntStream.range(0, 4000).toArray(), null, DType.FLOAT32).x().toFloatArray();
    double[] score =
        ToyMetrics.score(pts, ToyDistributions.ringMeans(), ToyDistributions.RING_STD, 20);
    assertEquals(8, score[0]);
    assertTrue(score[1] > 0.98, "real samples are high quality: " + score[1]);
    PointDataset grid = ToyDistributions.grid25(2500, new Rng(2));
    float[] g =
        grid.batch(IntStream.range(0, 2500).toArray(), null, DType.FLOAT32).x().toFloatArray();
    assertEquals(
        25, ToyMetrics.score(g, ToyDistributions.gridMeans(), ToyDistributions.GRID_STD, 20)[0]);
    // a collapsed generator: everything on one mode
    float[] collapsed = new float[2 * 2500];
    assertEquals(
        0,
        ToyMetrics.score(collapsed, ToyDistributions.ringMeans(), ToyDistributions.RING_STD, 20)[
            0]);
    assertEquals(
        1,
        ToyMetrics.score(collapsed, ToyDistributions.gridMeans(), ToyDistributions.GRID_STD, 20)[
            0]);
  }
}
