"""A PyTorch twin of StyleGAN2 as stylegan2-ada-pytorch defines it, written for JGAN's import
test (PytorchImportTest) from the paper and the published architecture: the skip generator, the
residual discriminator, conv_clamp, noise buffers, FIR resampling with [1, 3, 3, 1].

Its modules carry the names, buffers and attributes of stylegan2-ada-pytorch's, and pickle the way
that code's persistent classes do (a call of torch_utils.persistence._reconstruct_persistent_obj
with the module's state), so `pickle.dump({'G': ..., 'D': ..., 'G_ema': ...})` writes a file in
the layout of an ADA network-snapshot-*.pkl. For three small configurations it writes such a
pickle with random weights and, in float64, the images of G_ema for fixed latents (noise modes
const and none, truncation 1 and 0.7) and D's logits of those images (ada_<name>.safetensors).

Run: /usr/bin/python3 ada_twin.py   (Debian's python3-torch)
"""
import json
import math
import pickle
import struct
import sys
import types

import numpy as np
import torch
import torch.nn.functional as F

persistence = types.ModuleType("torch_utils.persistence")


def _reconstruct_persistent_obj(meta):
    raise RuntimeError("only for writing")


_reconstruct_persistent_obj.__module__ = "torch_utils.persistence"
persistence._reconstruct_persistent_obj = _reconstruct_persistent_obj
sys.modules["torch_utils"] = types.ModuleType("torch_utils")
sys.modules["torch_utils.persistence"] = persistence


class Persistent(torch.nn.Module):
    """Pickles as stylegan2-ada-pytorch's persistent classes do: source and state, no class."""

    def __reduce__(self):
        meta = dict(type="class", version=4, module_src="# twin", class_name=type(self).__name__,
                    state=self.__dict__)
        return (_reconstruct_persistent_obj, (meta,))


def fir():
    f = torch.tensor([1.0, 3.0, 3.0, 1.0])
    f = torch.outer(f, f)
    return f / f.sum()


def upfirdn(x, f, up=1, down=1, pad=(0, 0), gain=1.0):
    """Zero-insert by `up`, pad (pad0, pad1) on both axes, convolve with f * gain, keep every `down`-th."""
    n, c, h, w = x.shape
    if up > 1:
        x = x.reshape(n, c, h, 1, w, 1)
        x = F.pad(x, [0, up - 1, 0, 0, 0, up - 1]).reshape(n, c, h * up, w * up)
    x = F.pad(x, [pad[0], pad[1], pad[0], pad[1]])
    k = (f * gain).flip([0, 1]).to(x.dtype)[None, None].repeat(c, 1, 1, 1)
    x = F.conv2d(x, k, groups=c)
    return x[:, :, ::down, ::down]


def lrelu(x, b, gain, clamp):
    x = F.leaky_relu(x + b.reshape(1, -1, 1, 1), 0.2) * gain
    return x.clamp(-clamp, clamp) if clamp is not None else x


class FC(Persistent):
    def __init__(self, i, o, act, lr=1.0, bias_init=0.0):
        super().__init__()
        self.activation = act
        self.weight = torch.nn.Parameter(torch.randn([o, i]) / lr)
        self.bias = torch.nn.Parameter(torch.full([o], float(bias_init)) + 0.1 * torch.randn([o]))
        self.weight_gain = lr / math.sqrt(i)
        self.bias_gain = lr

    def forward(self, x):
        x = x @ (self.weight * self.weight_gain).T + self.bias * self.bias_gain
        return F.leaky_relu(x, 0.2) * math.sqrt(2) if self.activation == "lrelu" else x


def norm2(x):
    return x * (x.square().mean(1, keepdim=True) + 1e-8).rsqrt()


class Mapping(Persistent):
    def __init__(self, z_dim, c_dim, w_dim, num_ws, layers, lr=0.01, track=True):
        super().__init__()
        self.z_dim, self.c_dim, self.w_dim, self.num_ws = z_dim, c_dim, w_dim, num_ws
        self.num_layers = layers
        if c_dim > 0:
            self.embed = FC(c_dim, w_dim, "linear")
        feats = [z_dim + (w_dim if c_dim > 0 else 0)] + [w_dim] * layers
        for i in range(layers):
            setattr(self, f"fc{i}", FC(feats[i], feats[i + 1], "lrelu", lr=lr))
        if track:
            self.register_buffer("w_avg", 0.3 * torch.randn([w_dim]))

    def forward(self, z, c, psi=1.0):
        x = norm2(z) if self.z_dim > 0 else None
        if self.c_dim > 0:
            y = norm2(self.embed(c))
            x = torch.cat([x, y], 1) if x is not None else y
        for i in range(self.num_layers):
            x = getattr(self, f"fc{i}")(x)
        if self.num_ws is None:
            return x
        x = x.unsqueeze(1).repeat(1, self.num_ws, 1)
        if psi != 1:
            x = self.w_avg.lerp(x, psi)
        return x


def modconv(x, weight, styles, demod, up=False, noise=None):
    n = x.shape[0]
    o, i, kh, kw = weight.shape
    w = weight[None] * styles[:, None, :, None, None]
    if demod:
        w = w * (w.square().sum([2, 3, 4]) + 1e-8).rsqrt()[:, :, None, None, None]
    h, wd = x.shape[2], x.shape[3]
    x = x.reshape(1, n * i, h, wd)
    if up:
        wt = w.transpose(1, 2).reshape(n * i, o, kh, kw)
        x = F.conv_transpose2d(x, wt, stride=2, groups=n)
        x = x.reshape(n, o, x.shape[2], x.shape[3])
        x = upfirdn(x, fir(), pad=(1, 1), gain=4.0)
    else:
        x = F.conv2d(x, w.reshape(n * o, i, kh, kw), padding=kh // 2, groups=n)
        x = x.reshape(n, o, x.shape[2], x.shape[3])
    if noise is not None:
        x = x + noise
    return x


class SynthesisLayer(Persistent):
    def __init__(self, i, o, w_dim, res, up, clamp):
        super().__init__()
        self.up, self.resolution, self.conv_clamp = 2 if up else 1, res, clamp
        self.affine = FC(w_dim, i, "linear", bias_init=1)
        self.weight = torch.nn.Parameter(torch.randn([o, i, 3, 3]))
        self.bias = torch.nn.Parameter(0.1 * torch.randn([o]))
        self.register_buffer("resample_filter", fir())
        self.register_buffer("noise_const", torch.randn([res, res]))
        self.noise_strength = torch.nn.Parameter(0.2 * torch.randn([]))

    def forward(self, x, w, noise_mode):
        noise = self.noise_const * self.noise_strength if noise_mode == "const" else None
        x = modconv(x, self.weight, self.affine(w), True, up=self.up == 2, noise=noise)
        return lrelu(x, self.bias, math.sqrt(2), self.conv_clamp)


class ToRGB(Persistent):
    def __init__(self, i, o, w_dim, clamp):
        super().__init__()
        self.conv_clamp = clamp
        self.affine = FC(w_dim, i, "linear", bias_init=1)
        self.weight = torch.nn.Parameter(torch.randn([o, i, 1, 1]))
        self.bias = torch.nn.Parameter(0.1 * torch.randn([o]))
        self.weight_gain = 1 / math.sqrt(i)

    def forward(self, x, w):
        x = modconv(x, self.weight, self.affine(w) * self.weight_gain, False)
        x = x + self.bias.reshape(1, -1, 1, 1)
        return x.clamp(-self.conv_clamp, self.conv_clamp) if self.conv_clamp is not None else x


class SynthesisBlock(Persistent):
    def __init__(self, i, o, w_dim, res, img_channels, clamp):
        super().__init__()
        self.resolution = res
        if i == 0:
            self.const = torch.nn.Parameter(torch.randn([o, res, res]))
        else:
            self.conv0 = SynthesisLayer(i, o, w_dim, res, True, clamp)
        self.conv1 = SynthesisLayer(o, o, w_dim, res, False, clamp)
        self.torgb = ToRGB(o, img_channels, w_dim, clamp)
        self.register_buffer("resample_filter", fir())
        self.num_conv = 1 if i == 0 else 2

    def forward(self, x, img, ws, noise_mode):
        k = 0
        if self.num_conv == 1:
            x = self.const.unsqueeze(0).repeat(ws.shape[0], 1, 1, 1).to(ws.dtype)
        else:
            x = self.conv0(x, ws[:, k], noise_mode)
            k += 1
        x = self.conv1(x, ws[:, k], noise_mode)
        if img is not None:
            img = upfirdn(img, fir(), up=2, pad=(2, 1), gain=4.0)
        y = self.torgb(x, ws[:, k + 1])
        return x, y if img is None else img + y


def channels(res, base, cmax):
    return min(base // res, cmax)


class Synthesis(Persistent):
    def __init__(self, w_dim, res, img_channels, base, cmax, clamp):
        super().__init__()
        self.w_dim, self.img_resolution, self.img_channels = w_dim, res, img_channels
        self.block_resolutions = [2 ** i for i in range(2, int(math.log2(res)) + 1)]
        self.num_ws = 0
        for r in self.block_resolutions:
            i = channels(r // 2, base, cmax) if r > 4 else 0
            block = SynthesisBlock(i, channels(r, base, cmax), w_dim, r, img_channels, clamp)
            setattr(self, f"b{r}", block)
            self.num_ws += block.num_conv
        self.num_ws += 1

    def forward(self, ws, noise_mode):
        x = img = None
        at = 0
        for r in self.block_resolutions:
            b = getattr(self, f"b{r}")
            x, img = b(x, img, ws[:, at:at + b.num_conv + 1], noise_mode)
            at += b.num_conv
        return img


class Generator(Persistent):
    def __init__(self, z_dim, c_dim, w_dim, res, img_channels, base, cmax, clamp, map_layers):
        super().__init__()
        self.z_dim, self.c_dim, self.w_dim = z_dim, c_dim, w_dim
        self.img_resolution, self.img_channels = res, img_channels
        self.synthesis = Synthesis(w_dim, res, img_channels, base, cmax, clamp)
        self.num_ws = self.synthesis.num_ws
        self.mapping = Mapping(z_dim, c_dim, w_dim, self.num_ws, map_layers)

    def forward(self, z, c, psi, noise_mode):
        return self.synthesis(self.mapping(z, c, psi), noise_mode)


class Conv(Persistent):
    def __init__(self, i, o, k, act, bias=True, down=1, clamp=None):
        super().__init__()
        self.activation, self.down, self.conv_clamp = act, down, clamp
        self.weight = torch.nn.Parameter(torch.randn([o, i, k, k]))
        self.bias = torch.nn.Parameter(0.1 * torch.randn([o])) if bias else None
        self.register_buffer("resample_filter", fir())
        self.weight_gain = 1 / math.sqrt(i * k * k)
        self.act_gain = math.sqrt(2) if act == "lrelu" else 1.0

    def forward(self, x, gain=1.0):
        w = self.weight * self.weight_gain
        k = w.shape[2]
        if self.down == 2:
            x = upfirdn(x, fir(), down=2, pad=(1, 1)) if k == 1 else upfirdn(x, fir(), pad=(2, 2))
            x = F.conv2d(x, w, stride=1 if k == 1 else 2)
        else:
            x = F.conv2d(x, w, padding=k // 2)
        if self.bias is not None:
            x = x + self.bias.reshape(1, -1, 1, 1)
        if self.activation == "lrelu":
            x = F.leaky_relu(x, 0.2)
        x = x * (self.act_gain * gain)
        clamp = self.conv_clamp * gain if self.conv_clamp is not None else None
        return x.clamp(-clamp, clamp) if clamp is not None else x


class DBlock(Persistent):
    def __init__(self, i, tmp, o, img_channels, clamp):
        super().__init__()
        self.in_channels, self.architecture = i, "resnet"
        if i == 0:
            self.fromrgb = Conv(img_channels, tmp, 1, "lrelu", clamp=clamp)
        self.conv0 = Conv(tmp, tmp, 3, "lrelu", clamp=clamp)
        self.conv1 = Conv(tmp, o, 3, "lrelu", down=2, clamp=clamp)
        self.skip = Conv(tmp, o, 1, "linear", bias=False, down=2)
        self.register_buffer("resample_filter", fir())

    def forward(self, x, img):
        if self.in_channels == 0:
            x = self.fromrgb(img)
        y = self.skip(x, gain=math.sqrt(0.5))
        x = self.conv1(self.conv0(x), gain=math.sqrt(0.5))
        return y + x


class MbStd(Persistent):
    def __init__(self, group_size, num_channels):
        super().__init__()
        self.group_size, self.num_channels = group_size, num_channels

    def forward(self, x):
        n, c, h, w = x.shape
        g = min(self.group_size, n)
        f = self.num_channels
        y = x.reshape(g, -1, f, c // f, h, w)
        y = (y - y.mean(0)).square().mean(0)
        y = (y + 1e-8).sqrt().mean([2, 3, 4]).reshape(-1, f, 1, 1).repeat(g, 1, h, w)
        return torch.cat([x, y], 1)


class Epilogue(Persistent):
    def __init__(self, c, cmap_dim, group, clamp):
        super().__init__()
        self.cmap_dim = cmap_dim
        self.mbstd = MbStd(group, 1)
        self.conv = Conv(c + 1, c, 3, "lrelu", clamp=clamp)
        self.fc = FC(c * 16, c, "lrelu")
        self.out = FC(c, cmap_dim if cmap_dim > 0 else 1, "linear")

    def forward(self, x, cmap):
        x = self.fc(self.conv(self.mbstd(x)).flatten(1))
        x = self.out(x)
        if cmap is not None:
            x = (x * cmap).sum(1, keepdim=True) / math.sqrt(self.cmap_dim)
        return x


class Discriminator(Persistent):
    def __init__(self, c_dim, res, img_channels, base, cmax, clamp, group):
        super().__init__()
        self.c_dim, self.img_resolution, self.img_channels = c_dim, res, img_channels
        self.block_resolutions = [2 ** i for i in range(int(math.log2(res)), 2, -1)]
        for r in self.block_resolutions:
            i = channels(r, base, cmax) if r < res else 0
            setattr(self, f"b{r}", DBlock(i, channels(r, base, cmax), channels(r // 2, base, cmax),
                                          img_channels, clamp))
        cmap = channels(4, base, cmax) if c_dim > 0 else 0
        if c_dim > 0:
            self.mapping = Mapping(0, c_dim, cmap, None, 8, track=False)
        self.b4 = Epilogue(channels(4, base, cmax), cmap, group, clamp)

    def forward(self, img, c):
        x = None
        for r in self.block_resolutions:
            x = getattr(self, f"b{r}")(x, img)
        cmap = self.mapping(None, c) if self.c_dim > 0 else None
        return self.b4(x, cmap)


CONFIGS = {
    # name: z, c, w, resolution, channels, channel base, channel max, conv_clamp, mapping, mbstd
    "rgb32": (24, 0, 32, 32, 3, 256, 16, 256, 2, 2),
    "grey64_cond": (32, 5, 24, 64, 1, 512, 16, None, 8, 2),
    "rgb256": (16, 0, 16, 256, 3, 1024, 16, 256, 2, 2),
}


def save_safetensors(path, tensors, metadata):
    """Images as F32 (the float64 values rounded once), everything else as F64."""
    header, blobs, at = {"__metadata__": metadata}, [], 0
    for name, t in tensors.items():
        dtype = np.float32 if name.startswith("img") else np.float64
        b = np.ascontiguousarray(t.detach().numpy().astype(dtype)).tobytes()
        header[name] = {"dtype": "F32" if dtype == np.float32 else "F64", "shape": list(t.shape),
                        "data_offsets": [at, at + len(b)]}
        blobs.append(b)
        at += len(b)
    h = json.dumps(header).encode("utf-8")
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def main():
    torch.set_grad_enabled(False)
    for k, (name, cfg) in enumerate(CONFIGS.items()):
        torch.manual_seed(100 + k)
        z_dim, c_dim, w_dim, res, ch, base, cmax, clamp, maps, group = cfg
        G = Generator(z_dim, c_dim, w_dim, res, ch, base, cmax, clamp, maps)
        D = Discriminator(c_dim, res, ch, base, cmax, clamp, group)
        if clamp is not None:  # make the clamp bite in one layer of each network
            G.synthesis.b8.conv1.bias[:2] = torch.tensor([400.0, -400.0])
            D.b8.conv0.bias[:2] = torch.tensor([300.0, -300.0])
        G_ema = Generator(z_dim, c_dim, w_dim, res, ch, base, cmax, clamp, maps)
        G_ema.load_state_dict(G.state_dict())
        G_ema.synthesis.b4.const.data += 0.5  # G_ema differs from G
        nets = dict(G=G, D=D, G_ema=G_ema) if res <= 64 else dict(D=D, G_ema=G_ema)  # no G: smaller
        with open(f"ada_{name}.pkl", "wb") as f:
            pickle.dump(dict(**nets, augment_pipe=None, training_set_kwargs=dict(resolution=res)), f)
        n = 2
        z = torch.randn([n, z_dim]).double()
        labels = torch.arange(n) % max(c_dim, 1)
        c = F.one_hot(labels, c_dim).double() if c_dim > 0 else None
        G_ema.double()
        D.double()
        out = {"z": z, "labels": labels.double()}
        for mode in ("const", "none"):
            for psi in (1.0, 0.7):
                img = G_ema(z, c, psi, mode)
                if res <= 64:
                    out[f"img_{mode}_{psi}"] = img
                elif (mode, psi) == ("const", 1.0):  # at 256 the first image of one setting
                    out[f"img_{mode}_{psi}"] = img[:1]
                out[f"logits_{mode}_{psi}"] = D(img, c)
        save_safetensors(f"ada_{name}.safetensors", out, {"config": json.dumps(cfg)})
        print(name, {k: tuple(v.shape) for k, v in out.items()}, float(out["img_const_1.0"].std()))


if __name__ == "__main__":
    main()
