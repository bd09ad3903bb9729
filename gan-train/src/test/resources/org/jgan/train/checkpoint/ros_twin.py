"""A PyTorch twin of StyleGAN2 as rosinality/stylegan2-pytorch defines it, for JGAN's import and
export tests (PytorchImportTest, RosinalityExportTest), written from that implementation's
published architecture: the module names, parameter shapes and buffers of its Generator and
Discriminator (`style.N`, `input.input`, `conv1`, `convs.N`, `to_rgb1`, `to_rgbs.N`,
`noises.noise_N`, `convs.N.conv1.0`, `final_conv`, `final_linear`), its weight scaling inside
the modulation, its blur and up-sampling kernels, with narrow channel counts so that the files
stay small.

Writes, with random weights, checkpoints in rosinality's layout (torch.save of a dict of state
dicts) and, computed in float64, G_ema's images for two latents (noise from the stored `noises`
buffers, or none; truncation 1, and 0.7 towards `latent_avg` where the file has it) and D's logits:
  ros32.pt   {"g", "d", "g_ema", "latent_avg"}, 32x32
  ros64.pt   {"g_ema"} only (as convert_weight.py writes it), 64x64
  ros256.pt  {"g_ema", "latent_avg"}, 256x256 (only the red channel of one image is stored)
With --check FILE it loads a JGAN export (rosinality layout) with plain torch.load and prints
the images of its g_ema for the latents stored beside it (RosinalityExportTest).

Run: /usr/bin/python3 ros_twin.py   (Debian's python3-torch)
"""
import json
import math
import sys

import numpy as np
import torch
import torch.nn.functional as F

from ada_twin import save_safetensors, upfirdn


def make_kernel(k):
    k = torch.tensor(k, dtype=torch.float32)
    k = torch.outer(k, k)
    return k / k.sum()


class EqualLinear(torch.nn.Module):
    def __init__(self, i, o, bias_init=0.0, lr_mul=1.0, activation=None):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.randn(o, i) / lr_mul)
        self.bias = torch.nn.Parameter(torch.full([o], float(bias_init)) + 0.1 * torch.randn(o))
        self.scale, self.lr_mul, self.activation = 1 / math.sqrt(i) * lr_mul, lr_mul, activation

    def forward(self, x):
        y = x @ (self.weight * self.scale).T + self.bias * self.lr_mul
        return F.leaky_relu(y, 0.2) * math.sqrt(2) if self.activation else y


class PixelNorm(torch.nn.Module):
    def forward(self, x):
        return x * torch.rsqrt(x.square().mean(1, keepdim=True) + 1e-8)


class Blur(torch.nn.Module):
    def __init__(self, pad, factor=1):
        super().__init__()
        self.register_buffer("kernel", make_kernel([1, 3, 3, 1]) * factor ** 2)
        self.pad = pad

    def forward(self, x):
        return upfirdn(x, self.kernel, pad=self.pad)


class ModulatedConv2d(torch.nn.Module):
    def __init__(self, i, o, k, style_dim, demodulate=True, upsample=False):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.randn(1, o, i, k, k))
        self.modulation = EqualLinear(style_dim, i, bias_init=1)
        self.scale, self.k, self.demodulate, self.upsample = 1 / math.sqrt(i * k * k), k, demodulate, upsample
        if upsample:
            self.blur = Blur((1, 1), factor=2)

    def forward(self, x, style):
        n, i, h, w = x.shape
        s = self.modulation(style).view(n, 1, i, 1, 1)
        weight = self.scale * self.weight * s
        if self.demodulate:
            weight = weight * torch.rsqrt(weight.square().sum([2, 3, 4]) + 1e-8).view(n, -1, 1, 1, 1)
        o = weight.shape[1]
        x = x.reshape(1, n * i, h, w)
        if self.upsample:
            wt = weight.transpose(1, 2).reshape(n * i, o, self.k, self.k)
            x = F.conv_transpose2d(x, wt, stride=2, groups=n)
            return self.blur(x.reshape(n, o, x.shape[2], x.shape[3]))
        x = F.conv2d(x, weight.reshape(n * o, i, self.k, self.k), padding=self.k // 2, groups=n)
        return x.reshape(n, o, x.shape[2], x.shape[3])


class NoiseInjection(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = torch.nn.Parameter(0.2 * torch.randn(1))

    def forward(self, x, noise):
        return x if noise is None else x + self.weight * noise


class FusedLeakyReLU(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        self.bias = torch.nn.Parameter(0.1 * torch.randn(c))

    def forward(self, x):
        return F.leaky_relu(x + self.bias.view(1, -1, 1, 1), 0.2) * math.sqrt(2)


class StyledConv(torch.nn.Module):
    def __init__(self, i, o, style_dim, upsample=False):
        super().__init__()
        self.conv = ModulatedConv2d(i, o, 3, style_dim, upsample=upsample)
        self.noise = NoiseInjection()
        self.activate = FusedLeakyReLU(o)

    def forward(self, x, style, noise):
        return self.activate(self.noise(self.conv(x, style), noise))


class Upsample(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("kernel", make_kernel([1, 3, 3, 1]) * 4)

    def forward(self, x):
        return upfirdn(x, self.kernel, up=2, pad=(2, 1))


class ToRGB(torch.nn.Module):
    def __init__(self, i, style_dim, upsample=True):
        super().__init__()
        if upsample:
            self.upsample = Upsample()
        self.conv = ModulatedConv2d(i, 3, 1, style_dim, demodulate=False)
        self.bias = torch.nn.Parameter(0.1 * torch.randn(1, 3, 1, 1))

    def forward(self, x, style, skip=None):
        out = self.conv(x, style) + self.bias
        return out if skip is None else out + self.upsample(skip)


class Generator(torch.nn.Module):
    def __init__(self, size, style_dim, n_mlp, channels, lr_mlp=0.01):
        super().__init__()
        self.size, self.style_dim = size, style_dim
        self.style = torch.nn.Sequential(PixelNorm(), *[
            EqualLinear(style_dim, style_dim, lr_mul=lr_mlp, activation="fused_lrelu")
            for _ in range(n_mlp)])
        self.input = torch.nn.Module()
        self.input.input = torch.nn.Parameter(torch.randn(1, channels[4], 4, 4))
        self.conv1 = StyledConv(channels[4], channels[4], style_dim)
        self.to_rgb1 = ToRGB(channels[4], style_dim, upsample=False)
        self.log_size = int(math.log2(size))
        self.num_layers = (self.log_size - 2) * 2 + 1
        self.convs, self.to_rgbs = torch.nn.ModuleList(), torch.nn.ModuleList()
        self.noises = torch.nn.Module()
        for k in range(self.num_layers):
            r = 2 ** ((k + 5) // 2)
            self.noises.register_buffer(f"noise_{k}", torch.randn(1, 1, r, r))
        c = channels[4]
        for i in range(3, self.log_size + 1):
            o = channels[2 ** i]
            self.convs.append(StyledConv(c, o, style_dim, upsample=True))
            self.convs.append(StyledConv(o, o, style_dim))
            self.to_rgbs.append(ToRGB(o, style_dim))
            c = o
        self.n_latent = self.log_size * 2 - 2

    def forward(self, z, psi, latent_avg, use_noise):
        w = self.style(z)
        if psi != 1:
            w = latent_avg + psi * (w - latent_avg)
        lat = w.unsqueeze(1).repeat(1, self.n_latent, 1)
        noise = [getattr(self.noises, f"noise_{k}") if use_noise else None
                 for k in range(self.num_layers)]
        x = self.input.input.repeat(z.shape[0], 1, 1, 1)
        x = self.conv1(x, lat[:, 0], noise[0])
        skip = self.to_rgb1(x, lat[:, 1])
        i = 1
        for k, rgb in enumerate(self.to_rgbs):
            x = self.convs[2 * k](x, lat[:, i], noise[2 * k + 1])
            x = self.convs[2 * k + 1](x, lat[:, i + 1], noise[2 * k + 2])
            skip = rgb(x, lat[:, i + 2], skip)
            i += 2
        return skip


class EqualConv2d(torch.nn.Module):
    def __init__(self, i, o, k, stride=1, padding=0, bias=True):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.randn(o, i, k, k))
        self.bias = torch.nn.Parameter(0.1 * torch.randn(o)) if bias else None
        self.scale, self.stride, self.padding = 1 / math.sqrt(i * k * k), stride, padding

    def forward(self, x):
        return F.conv2d(x, self.weight * self.scale, self.bias, self.stride, self.padding)


class ConvLayer(torch.nn.Sequential):
    def __init__(self, i, o, k, downsample=False, bias=True, activate=True):
        layers = []
        if downsample:
            p = 2 + (k - 1)
            layers.append(Blur(((p + 1) // 2, p // 2)))
        layers.append(EqualConv2d(i, o, k, stride=2 if downsample else 1,
                                  padding=0 if downsample else k // 2,
                                  bias=bias and not activate))
        if activate:
            layers.append(FusedLeakyReLU(o))
        super().__init__(*layers)


class ResBlock(torch.nn.Module):
    def __init__(self, i, o):
        super().__init__()
        self.conv1 = ConvLayer(i, i, 3)
        self.conv2 = ConvLayer(i, o, 3, downsample=True)
        self.skip = ConvLayer(i, o, 1, downsample=True, activate=False, bias=False)

    def forward(self, x):
        return (self.conv2(self.conv1(x)) + self.skip(x)) / math.sqrt(2)


class Discriminator(torch.nn.Module):
    def __init__(self, size, channels):
        super().__init__()
        log_size = int(math.log2(size))
        convs = [ConvLayer(3, channels[size], 1)]
        c = channels[size]
        for i in range(log_size, 2, -1):
            o = channels[2 ** (i - 1)]
            convs.append(ResBlock(c, o))
            c = o
        self.convs = torch.nn.Sequential(*convs)
        self.final_conv = ConvLayer(c + 1, channels[4], 3)
        self.final_linear = torch.nn.Sequential(
            EqualLinear(channels[4] * 16, channels[4], activation="fused_lrelu"),
            EqualLinear(channels[4], 1))

    def forward(self, x):
        out = self.convs(x)
        n, c, h, w = out.shape
        g = min(n, 4)
        s = out.view(g, -1, 1, c, h, w)
        s = torch.sqrt(s.var(0, unbiased=False) + 1e-8).mean([2, 3, 4], keepdim=True).squeeze(2)
        out = torch.cat([out, s.repeat(g, 1, h, w)], 1)
        out = self.final_conv(out).view(n, -1)
        return self.final_linear(out)


CONFIGS = {
    # name: size, style_dim, n_mlp, channels, what the file holds
    "ros32": (32, 16, 2, {4: 16, 8: 16, 16: 16, 32: 8}, ("g", "d", "g_ema", "latent_avg")),
    "ros64": (64, 16, 3, {4: 16, 8: 16, 16: 16, 32: 8, 64: 4}, ("g_ema",)),
    "ros256": (256, 16, 2, {4: 8, 8: 8, 16: 8, 32: 8, 64: 8, 128: 4, 256: 2},
               ("g_ema", "latent_avg")),
}


def images(g, z, latent_avg, keys):
    out = {}
    for noise in (True, False):
        for psi in ((1.0, 0.7) if latent_avg is not None else (1.0,)):
            out[f"img_{'const' if noise else 'none'}_{psi}"] = g(z, psi, latent_avg, noise)
    return out


def main():
    torch.set_grad_enabled(False)
    if "--check" in sys.argv:
        path = sys.argv[sys.argv.index("--check") + 1]
        ckpt = torch.load(path)  # plain torch.load: the export needs no classes
        cfg = json.loads(open(path + ".json").read())
        g = Generator(cfg["size"], cfg["style_dim"], cfg["n_mlp"],
                      {int(k): v for k, v in cfg["channels"].items()})
        g.load_state_dict(ckpt["g_ema"])
        d = Discriminator(cfg["size"], {int(k): v for k, v in cfg["channels"].items()})
        d.load_state_dict(ckpt["d"])
        g.double()
        d.double()
        z = torch.tensor(cfg["z"], dtype=torch.float64)
        img = g(z, 1.0, None, True)
        print(json.dumps({"img": img.flatten().tolist(), "logits": d(img).flatten().tolist(),
                          "keys": sorted(ckpt.keys())}))
        return
    for k, (name, (size, style_dim, n_mlp, channels, parts)) in enumerate(CONFIGS.items()):
        torch.manual_seed(300 + k)
        g = Generator(size, style_dim, n_mlp, channels)
        d = Discriminator(size, channels)
        g_ema = Generator(size, style_dim, n_mlp, channels)
        g_ema.load_state_dict(g.state_dict())
        g_ema.input.input.data += 0.5
        latent_avg = 0.3 * torch.randn(style_dim)
        everything = {"g": g.state_dict(), "d": d.state_dict(), "g_ema": g_ema.state_dict(),
                      "latent_avg": latent_avg}
        torch.save({p: everything[p] for p in parts}, f"{name}.pt")
        z = torch.randn(2, style_dim).double()
        g_ema.double()
        d.double()
        la = latent_avg.double() if "latent_avg" in parts else None
        out = {"z": z}
        out.update(images(g_ema, z, la, parts))
        if size == 256:  # to keep the file small: the red channel of the first image, one setting
            out = {"z": z, "img_const_0.7": out["img_const_0.7"][:1, :1]}
        if "d" in parts:
            out["logits"] = d(out["img_const_1.0"])
        save_safetensors(f"{name}.safetensors", out, {"parts": json.dumps(parts)})
        print(name, {k: tuple(v.shape) for k, v in out.items()})


if __name__ == "__main__":
    main()
