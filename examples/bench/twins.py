#!/usr/bin/env python3
"""PyTorch twins of the two benchmark networks (the project's TWINS specification).

The parameters live in flat dictionaries keyed by the same names as the library's state dicts, so
that weights move between the two implementations through safetensors files.

  python3 twins.py bench [--threads N] [--steps S] [--warmup W]   -> one JSON line of timings
  python3 twins.py check IN.safetensors OUT.safetensors            -> outputs for the agreement check

Needs Debian's python3-torch (1.13); nothing else.
"""
import json
import math
import struct
import sys
import time

import torch
import torch.nn.functional as F


# ----------------------------------------------------------------------------- safetensors

def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        begin, end = e["data_offsets"]
        dtype = {"F32": torch.float32, "F64": torch.float64}[e["dtype"]]
        buf = bytearray(data[8 + n + begin:8 + n + end])
        out[name] = torch.frombuffer(buf, dtype=dtype).reshape(e["shape"]).clone() if end > begin else torch.zeros(e["shape"], dtype=dtype)
    return out


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        b = t.detach().contiguous().cpu().numpy().tobytes()
        header[name] = {"dtype": "F64" if t.dtype == torch.float64 else "F32", "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


# ----------------------------------------------------------------------------- DCGAN-28

def dcgan_params(gen):
    def p(*shape, std=0.02):
        return torch.nn.Parameter(torch.randn(*shape, generator=gen) * std)

    def z(*shape):
        return torch.nn.Parameter(torch.zeros(*shape))
    g = {"fc.weight": p(6272, 100), "fc.bias": z(6272), "deconv1.weight": p(128, 64, 4, 4), "deconv1.bias": z(64),
         "deconv2.weight": p(64, 1, 4, 4), "deconv2.bias": z(1)}
    d = {"conv1.weight": p(64, 1, 4, 4), "conv1.bias": z(64), "conv2.weight": p(128, 64, 4, 4), "conv2.bias": z(128),
         "fc.weight": p(1, 6272), "fc.bias": z(1)}
    return g, d


def dcgan_g(g, zz):
    x = F.leaky_relu(F.linear(zz, g["fc.weight"], g["fc.bias"]), 0.2).reshape(-1, 128, 7, 7)
    x = F.leaky_relu(F.conv_transpose2d(x, g["deconv1.weight"], g["deconv1.bias"], stride=2, padding=1), 0.2)
    return torch.tanh(F.conv_transpose2d(x, g["deconv2.weight"], g["deconv2.bias"], stride=2, padding=1))


def dcgan_d(d, x):
    h = F.leaky_relu(F.conv2d(x, d["conv1.weight"], d["conv1.bias"], stride=2, padding=1), 0.2)
    h = F.leaky_relu(F.conv2d(h, d["conv2.weight"], d["conv2.bias"], stride=2, padding=1), 0.2)
    return F.linear(h.flatten(1), d["fc.weight"], d["fc.bias"])


def dcgan_step(g, d, opt_g, opt_d, real):
    fake = dcgan_g(g, torch.randn(real.shape[0], 100))
    opt_d.zero_grad(set_to_none=True)
    loss_d = F.softplus(-dcgan_d(d, real)).mean() + F.softplus(dcgan_d(d, fake.detach())).mean()
    loss_d.backward()
    opt_d.step()
    opt_g.zero_grad(set_to_none=True)
    for p in d.values():
        p.requires_grad_(False)
    loss_g = F.softplus(-dcgan_d(d, fake)).mean()
    loss_g.backward()
    for p in d.values():
        p.requires_grad_(True)
    opt_g.step()


# ----------------------------------------------------------------------------- SG2-32

SQRT2 = math.sqrt(2.0)


def lrelu(x):
    return F.leaky_relu(x, 0.2) * SQRT2


def eq_linear(x, w, b, lr_mul=1.0, act=False):
    y = F.linear(x, w * (lr_mul / math.sqrt(w.shape[1])), None if b is None else b * lr_mul)
    return lrelu(y) if act else y


def eq_conv(x, w, b, act, padding):
    y = F.conv2d(x, w * (1 / math.sqrt(w[0].numel())), b, padding=padding)
    return lrelu(y) if act else y


def sg2_params(gen):
    def n(*shape):
        return torch.nn.Parameter(torch.randn(*shape, generator=gen))

    def c(value, *shape):
        return torch.nn.Parameter(torch.full(shape, float(value)))
    g = {}
    for i in range(4):
        g[f"mapping.fc{i}.weight"] = torch.nn.Parameter(torch.randn(128, 128, generator=gen) / 0.01)
        g[f"mapping.fc{i}.bias"] = c(0, 128)
    g["synthesis.input.const"] = n(128, 4, 4)
    for res in (4, 8, 16, 32):
        for k in ("conv0", "conv1"):
            pre = f"synthesis.b{res}.{k}."
            g[pre + "affine.weight"] = n(128, 128)
            g[pre + "affine.bias"] = c(1, 128)
            g[pre + "weight"] = n(128, 128, 3, 3)
            g[pre + "noise.strength"] = c(0)
            g[pre + "bias"] = c(0, 128)
        pre = f"synthesis.b{res}.torgb."
        g[pre + "conv.affine.weight"] = n(128, 128)
        g[pre + "conv.affine.bias"] = c(1, 128)
        g[pre + "conv.weight"] = n(1, 128, 1, 1)
        g[pre + "bias"] = c(0, 1)
    d = {"fromrgb.weight": n(128, 1, 1, 1), "fromrgb.bias": c(0, 128)}
    for res in (32, 16, 8):
        for k in ("conv0", "conv1"):
            d[f"b{res}.{k}.weight"] = n(128, 128, 3, 3)
            d[f"b{res}.{k}.bias"] = c(0, 128)
        d[f"b{res}.skip.weight"] = n(128, 128, 1, 1)
    d.update({"b4.conv.weight": n(128, 129, 3, 3), "b4.conv.bias": c(0, 128), "b4.fc.weight": n(128, 2048),
              "b4.fc.bias": c(0, 128), "b4.out.weight": n(1, 128), "b4.out.bias": c(0, 1)})
    return g, d


def modconv(g, pre, x, w, noise):
    s = eq_linear(w, g[pre + "affine.weight"], g[pre + "affine.bias"])
    weight = g[pre + "weight"]
    d = torch.rsqrt(s.square() @ weight.square().sum(dim=[2, 3]).t() + 1e-8)
    y = F.conv2d(x * s[:, :, None, None], weight, padding=1) * d[:, :, None, None]
    if noise:
        y = y + g[pre + "noise.strength"] * torch.randn(y.shape[0], 1, y.shape[2], y.shape[3])
    return lrelu(y + g[pre + "bias"][None, :, None, None])


def torgb(g, pre, x, w):
    s = eq_linear(w, g[pre + "conv.affine.weight"], g[pre + "conv.affine.bias"]) / math.sqrt(x.shape[1])
    return F.conv2d(x * s[:, :, None, None], g[pre + "conv.weight"]) + g[pre + "bias"][None, :, None, None]


def sg2_g(g, zz, noise=True):
    x = zz * torch.rsqrt(zz.square().mean(dim=1, keepdim=True) + 1e-8)
    for i in range(4):
        x = eq_linear(x, g[f"mapping.fc{i}.weight"], g[f"mapping.fc{i}.bias"], 0.01, act=True)
    w = x
    x = g["synthesis.input.const"].unsqueeze(0).repeat(w.shape[0], 1, 1, 1)
    rgb = None
    for res in (4, 8, 16, 32):
        if res > 4:
            x = F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)
        x = modconv(g, f"synthesis.b{res}.conv0.", x, w, noise)
        x = modconv(g, f"synthesis.b{res}.conv1.", x, w, noise)
        y = torgb(g, f"synthesis.b{res}.torgb.", x, w)
        rgb = y if rgb is None else F.interpolate(rgb, scale_factor=2, mode="bilinear", align_corners=False) + y
    return rgb


def mbstd(x, group=4):
    n, c, h, w = x.shape
    gs = min(group, n)
    y = x.reshape(gs, -1, 1, c, h, w)
    y = (y - y.mean(dim=0)).square().mean(dim=0)
    y = (y + 1e-8).sqrt().mean(dim=[2, 3, 4]).reshape(-1, 1, 1, 1).repeat(gs, 1, h, w)
    return torch.cat([x, y], dim=1)


def sg2_d(d, img):
    x = eq_conv(img, d["fromrgb.weight"], d["fromrgb.bias"], True, 0)
    for res in (32, 16, 8):
        h = eq_conv(x, d[f"b{res}.conv0.weight"], d[f"b{res}.conv0.bias"], True, 1)
        h = F.avg_pool2d(eq_conv(h, d[f"b{res}.conv1.weight"], d[f"b{res}.conv1.bias"], True, 1), 2)
        skip = eq_conv(F.avg_pool2d(x, 2), d[f"b{res}.skip.weight"], None, False, 0)
        x = (h + skip) / SQRT2
    x = eq_conv(mbstd(x), d["b4.conv.weight"], d["b4.conv.bias"], True, 1)
    x = eq_linear(x.flatten(1), d["b4.fc.weight"], d["b4.fc.bias"], act=True)
    return eq_linear(x, d["b4.out.weight"], d["b4.out.bias"])


def sg2_step(g, d, opt_g, opt_d, real, r1):
    n = real.shape[0]
    opt_d.zero_grad(set_to_none=True)
    with torch.no_grad():
        fake = sg2_g(g, torch.randn(n, 128))
    x = real.detach().requires_grad_(r1)
    real_logits = sg2_d(d, x)
    loss_d = F.softplus(sg2_d(d, fake)).mean() + F.softplus(-real_logits).mean()
    if r1:
        grad, = torch.autograd.grad(real_logits.sum(), x, create_graph=True)
        loss_d = loss_d + grad.square().sum(dim=[1, 2, 3]).mean() * (0.1 / 2)
    loss_d.backward()
    opt_d.step()
    opt_g.zero_grad(set_to_none=True)
    for p in d.values():
        p.requires_grad_(False)
    loss_g = F.softplus(-sg2_d(d, sg2_g(g, torch.randn(n, 128)))).mean()
    loss_g.backward()
    for p in d.values():
        p.requires_grad_(True)
    opt_g.step()


# ----------------------------------------------------------------------------- commands

def timed(fn, warmup, steps):
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(steps):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    samples.sort()
    return samples[len(samples) // 2]


def bench(threads, steps, warmup):
    torch.set_num_threads(threads)
    gen = torch.Generator().manual_seed(1)
    rows = {}
    g, d = dcgan_params(gen)
    opt_g = torch.optim.Adam(g.values(), lr=2e-4, betas=(0.5, 0.999), eps=1e-8)
    opt_d = torch.optim.Adam(d.values(), lr=2e-4, betas=(0.5, 0.999), eps=1e-8)
    real = torch.rand(64, 1, 28, 28) * 2 - 1
    rows["dcgan28_step_b64"] = timed(lambda: dcgan_step(g, d, opt_g, opt_d, real), warmup, steps)
    for r1 in (True, False):
        g, d = sg2_params(gen)
        opt_g = torch.optim.Adam(g.values(), lr=2e-3, betas=(0.0, 0.99), eps=1e-8)
        opt_d = torch.optim.Adam(d.values(), lr=2e-3, betas=(0.0, 0.99), eps=1e-8)
        real = torch.rand(32, 1, 32, 32) * 2 - 1
        key = "sg2_32_step_r1_b32" if r1 else "sg2_32_step_b32"
        rows[key] = timed(lambda: sg2_step(g, d, opt_g, opt_d, real, r1), max(1, warmup // 2), max(3, steps // 2))
    with torch.no_grad():
        zz = torch.randn(64, 128)
        rows["sg2_32_generate_b64"] = timed(lambda: sg2_g(g, zz), warmup, steps)
    print(json.dumps({"torch": torch.__version__, "threads": threads, "seconds": rows}))


def check(inp, out):
    t = read_safetensors(inp)
    g = {k[2:]: v.float() for k, v in t.items() if k.startswith("G.")}
    d = {k[2:]: v.float() for k, v in t.items() if k.startswith("D.")}
    res = {}
    with torch.no_grad():
        if "dcgan.z" in t:
            gd = {k[6:]: v for k, v in g.items() if k.startswith("dcgan.")}
            dd = {k[6:]: v for k, v in d.items() if k.startswith("dcgan.")}
            res["dcgan.images"] = dcgan_g(gd, t["dcgan.z"].float())
            res["dcgan.logits"] = dcgan_d(dd, t["dcgan.x"].float())
        gs = {k[4:]: v for k, v in g.items() if k.startswith("sg2.")}
        ds = {k[4:]: v for k, v in d.items() if k.startswith("sg2.")}
        res["sg2.images"] = sg2_g(gs, t["sg2.z"].float(), noise=False)
        res["sg2.logits"] = sg2_d(ds, t["sg2.x"].float())
    write_safetensors(out, res)


def main():
    args = sys.argv[1:]
    if args and args[0] == "bench":
        opts = {"--threads": 2, "--steps": 10, "--warmup": 3}
        for i in range(1, len(args), 2):
            opts[args[i]] = int(args[i + 1])
        bench(opts["--threads"], opts["--steps"], opts["--warmup"])
    elif len(args) == 3 and args[0] == "check":
        torch.set_num_threads(2)
        check(args[1], args[2])
    else:
        print(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main()
