package org.jgan.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jgan.core.autograd.Autograd;
import org.jgan.core.tensor.DType;
import org.jgan.core.tensor.Rng;
import org.jgan.core.tensor.Tensor;
import org.jgan.core.testing.TensorAssert;
import org.jgan.models.blocks.NoiseMode;
import org.jgan.models.stylegan2.StyleGan2Config;
import org.junit.jupiter.api.Test;

/** Style mixing and conditioning do what they claim. */
class StyleTest {
  private static void checkMixing(StyleGenerator g) {
    g.to(DType.FLOAT64);
    Rng rng = new Rng(1);
    Tensor ws1 = g.mapping(g.sampleLatents(2, rng), null, 1.0, -1, false);
    Tensor ws2 =
        Tensor.leaf(g.mapping(g.sampleLatents(2, rng), null, 1.0, -1, false).data().dup(), true);
    int k = 3;
    Tensor img = g.synthesis(StyleGenerator.mix(ws1, ws2, k), NoiseMode.CONST, null);
    Tensor grad = Autograd.grad(img.square().sum(), ws2, false);
    TensorAssert.assertZero(
        grad.slice(1, 0, k), 0, "layers before the crossover do not see the second latent");
    assertTrue(
        grad.slice(1, k, g.numWs()).abs().sum().item() > 1e-6, "layers after the crossover do");
  }

  @Test
  void styleMixingCutsTheSecondLatentOutOfTheCoarseLayers() {
    checkMixing((StyleGenerator) TinyConfigs.styleGan().generator(1));
    checkMixing((StyleGenerator) TinyConfigs.styleGan2().generator(1));
    assertEquals(8, TinyConfigs.styleGan2().numWs());
  }

  @Test
  void labelsChangeTheImageAndTheLogit() {
    StyleGan2Config cfg = TinyConfigs.styleGan2().withLabels(3);
    Generator g = cfg.generator(1);
    Discriminator d = cfg.discriminator(2);
    Tensor z = g.sampleLatents(2, new Rng(3));
    Tensor a = g.forward(z, new int[] {0, 0}, Sampling.fixed(1.0));
    Tensor b = g.forward(z, new int[] {2, 2}, Sampling.fixed(1.0));
    assertTrue(a.sub(b).abs().mean().item() > 1e-4, "same z, two labels, two different images");
    Tensor la = d.forward(a, new int[] {0, 0});
    Tensor lb = d.forward(a, new int[] {1, 1});
    assertTrue(
        la.sub(lb).abs().mean().item() > 1e-6, "the discriminator's logit depends on the label");
  }

  @Test
  void truncationPullsTowardsTheAverage() {
    StyleGenerator g = (StyleGenerator) TinyConfigs.styleGan2().generator(1);
    Tensor z = g.sampleLatents(2, new Rng(4));
    Tensor avgImage =
        g.synthesis(
            g.mappingNetwork().wAvg().reshape(1, 1, 8).expand(2, g.numWs(), 8),
            NoiseMode.CONST,
            null);
    TensorAssert.assertClose(
        avgImage, g.forward(z, null, Sampling.fixed(0.0)), 1e-5, "psi = 0 draws the average image");
  }

  @Test
  void familiesWithoutAMappingNetworkRefuseATruncationInsteadOfIgnoringIt() {
    for (ModelConfig cfg :
        new ModelConfig[] {TinyConfigs.vanilla(), TinyConfigs.dcgan(), TinyConfigs.progressive()}) {
      Generator g = cfg.generator(1);
      Tensor z = g.sampleLatents(2, new Rng(4));
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class, () -> g.forward(z, null, Sampling.fixed(0.7)));
      assertEquals(
          g.getClass().getSimpleName()
              + " has no mapping network to truncate: psi must be 1, got 0.7",
          e.getMessage());
      assertEquals(2, g.forward(z, null, Sampling.fixed(1.0)).size(0), "psi 1 is no truncation");
    }
  }

  @Test
  void theFamiliesWithAMappingNetworkAreThoseWithStyleGenerators() {
    for (ModelConfig cfg :
        new ModelConfig[] {
          TinyConfigs.vanilla(),
          TinyConfigs.dcgan(),
          TinyConfigs.progressive(),
          TinyConfigs.styleGan(),
          TinyConfigs.styleGan2()
        }) {
      assertEquals(
          cfg.generator(1) instanceof StyleGenerator,
          cfg.family().hasMappingNetwork(),
          cfg.family().id());
    }
  }

  @Test
  void stateDictNamesReadLikeStyleGan2Ada() {
    var names = TinyConfigs.styleGan2().withLabels(3).generator(1).stateDict().keySet();
    for (String n :
        new String[] {
          "mapping.embed.weight",
          "mapping.fc0.weight",
          "mapping.w_avg",
          "synthesis.b4.conv1.affine.weight",
          "synthesis.b4.conv1.weight",
          "synthesis.b4.conv1.noise.strength",
          "synthesis.b4.conv1.noise.noise_const",
          "synthesis.b4.conv1.bias",
          "synthesis.b4.torgb.conv.weight",
          "synthesis.b4.input.const",
          "synthesis.b32.conv0.weight"
        }) {
      assertTrue(names.contains(n), "missing " + n + " in " + names);
    }
    var dnames = TinyConfigs.styleGan2().withLabels(3).discriminator(1).stateDict().keySet();
    for (String n :
        new String[] {
          "b32.fromrgb.weight",
          "b32.block.conv0.weight",
          "b32.block.skip.weight",
          "b4.conv.weight",
          "b4.fc.weight",
          "b4.projection.out.weight",
          "b4.projection.mapping.embed.weight"
        }) {
      assertTrue(dnames.contains(n), "missing " + n + " in " + dnames);
    }
  }
}
