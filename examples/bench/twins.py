#!/usr/bin/env python3
"""PyTorch twins of the benchmark networks (the project's TWINS specification): DCGAN-28, SG2-32 and
SG2-64-RGB.

The parameters live in flat dictionaries keyed by the same names as the library's state dicts, so
that weights move between the two implementations through safetensors files.

  python3 twins.py bench [--threads N] [--steps S] [--warmup W] [--twins sg2_32,sg2_64]
                                                                -> one JSON line of timings and of
                                                                  the BLAS, oneDNN, threads and
                                                                  allocator settings they ran with
  python3 twins.py env                                             -> that environment only
  python3 twins.py check IN.safetensors OUT.safetensors            -> outputs for the agreement check

Needs Debian's python3-torch (1.13); nothing else.
"""
import json
import math
import os
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


# ----------------------------------------------------------------------------- SG2-32 and SG2-64-RGB

SQRT2 = math.sqrt(2.0)

# the sizes that tell the StyleGAN2 twins apart (TWINS.md); the rest of the two is the same
SG2_32 = {"name": "sg2_32", "z": 128, "layers": 4, "img": 1, "res": 32,
          "ch": {4: 128, 8: 128, 16: 128, 32: 128}, "batch": 32}
SG2_64 = {"name": "sg2_64", "z": 256, "layers": 8, "img": 3, "res": 64,
          "ch": {4: 256, 8: 256, 16: 256, 32: 128, 64: 64}, "batch": 16}
SPECS = {s["name"]: s for s in (SG2_32, SG2_64)}


def resolutions(spec):
    r, out = 4, []
    while r <= spec["res"]:
        out.append(r)
        r *= 2
    return out


def lrelu(x):
    return F.leaky_relu(x, 0.2) * SQRT2


def eq_linear(x, w, b, lr_mul=1.0, act=False):
    y = F.linear(x, w * (lr_mul / math.sqrt(w.shape[1])), None if b is None else b * lr_mul)
    return lrelu(y) if act else y


def eq_conv(x, w, b, act, padding):
    y = F.conv2d(x, w * (1 / math.sqrt(w[0].numel())), b, padding=padding)
    return lrelu(y) if act else y


def sg2_params(gen, spec=SG2_32):
    def n(*shape):
        return torch.nn.Parameter(torch.randn(*shape, generator=gen))

    def c(value, *shape):
        return torch.nn.Parameter(torch.full(shape, float(value)))
    z, ch, img = spec["z"], spec["ch"], spec["img"]
    g = {}
    for i in range(spec["layers"]):
        g[f"mapping.fc{i}.weight"] = torch.nn.Parameter(torch.randn(z, z, generator=gen) / 0.01)
        g[f"mapping.fc{i}.bias"] = c(0, z)
    g["synthesis.input.const"] = n(ch[4], 4, 4)
    prev = ch[4]
    for res in resolutions(spec):
        for k, cin in (("conv0", prev), ("conv1", ch[res])):
            pre = f"synthesis.b{res}.{k}."
            g[pre + "affine.weight"] = n(cin, z)
            g[pre + "affine.bias"] = c(1, cin)
            g[pre + "weight"] = n(ch[res], cin, 3, 3)
            g[pre + "noise.strength"] = c(0)
            g[pre + "bias"] = c(0, ch[res])
        pre = f"synthesis.b{res}.torgb."
        g[pre + "conv.affine.weight"] = n(ch[res], z)
        g[pre + "conv.affine.bias"] = c(1, ch[res])
        g[pre + "conv.weight"] = n(img, ch[res], 1, 1)
        g[pre + "bias"] = c(0, img)
        prev = ch[res]
    top = spec["res"]
    d = {"fromrgb.weight": n(ch[top], img, 1, 1), "fromrgb.bias": c(0, ch[top])}
    for res in reversed(resolutions(spec)[1:]):
        cin, cout = ch[res], ch[res // 2]
        d[f"b{res}.conv0.weight"] = n(cin, cin, 3, 3)
        d[f"b{res}.conv0.bias"] = c(0, cin)
        d[f"b{res}.conv1.weight"] = n(cout, cin, 3, 3)
        d[f"b{res}.conv1.bias"] = c(0, cout)
        d[f"b{res}.skip.weight"] = n(cout, cin, 1, 1)
    c4 = ch[4]
    d.update({"b4.conv.weight": n(c4, c4 + 1, 3, 3), "b4.conv.bias": c(0, c4), "b4.fc.weight": n(c4, c4 * 16),
              "b4.fc.bias": c(0, c4), "b4.out.weight": n(1, c4), "b4.out.bias": c(0, 1)})
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


def sg2_g(g, zz, noise=True, spec=SG2_32):
    x = zz * torch.rsqrt(zz.square().mean(dim=1, keepdim=True) + 1e-8)
    for i in range(spec["layers"]):
        x = eq_linear(x, g[f"mapping.fc{i}.weight"], g[f"mapping.fc{i}.bias"], 0.01, act=True)
    w = x
    x = g["synthesis.input.const"].unsqueeze(0).repeat(w.shape[0], 1, 1, 1)
    rgb = None
    for res in resolutions(spec):
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


def sg2_d(d, img, spec=SG2_32):
    x = eq_conv(img, d["fromrgb.weight"], d["fromrgb.bias"], True, 0)
    for res in reversed(resolutions(spec)[1:]):
        h = eq_conv(x, d[f"b{res}.conv0.weight"], d[f"b{res}.conv0.bias"], True, 1)
        h = F.avg_pool2d(eq_conv(h, d[f"b{res}.conv1.weight"], d[f"b{res}.conv1.bias"], True, 1), 2)
        skip = eq_conv(F.avg_pool2d(x, 2), d[f"b{res}.skip.weight"], None, False, 0)
        x = (h + skip) / SQRT2
    x = eq_conv(mbstd(x), d["b4.conv.weight"], d["b4.conv.bias"], True, 1)
    x = eq_linear(x.flatten(1), d["b4.fc.weight"], d["b4.fc.bias"], act=True)
    return eq_linear(x, d["b4.out.weight"], d["b4.out.bias"])


def sg2_step(g, d, opt_g, opt_d, real, r1, spec=SG2_32):
    n = real.shape[0]
    opt_d.zero_grad(set_to_none=True)
    with torch.no_grad():
        fake = sg2_g(g, torch.randn(n, spec["z"]), spec=spec)
    x = real.detach().requires_grad_(r1)
    real_logits = sg2_d(d, x, spec)
    loss_d = F.softplus(sg2_d(d, fake, spec)).mean() + F.softplus(-real_logits).mean()
    if r1:
        grad, = torch.autograd.grad(real_logits.sum(), x, create_graph=True)
        loss_d = loss_d + grad.square().sum(dim=[1, 2, 3]).mean() * (0.1 / 2)
    loss_d.backward()
    opt_d.step()
    opt_g.zero_grad(set_to_none=True)
    for p in d.values():
        p.requires_grad_(False)
    loss_g = F.softplus(-sg2_d(d, sg2_g(g, torch.randn(n, spec["z"]), spec=spec), spec)).mean()
    loss_g.backward()
    for p in d.values():
        p.requires_grad_(True)
    opt_g.step()


# ----------------------------------------------------------------------------- environment

ALLOCATOR = ("MALLOC_ARENA_MAX", "MALLOC_MMAP_MAX_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_")


def blas_kind(path):
    """Which BLAS a mapped library is, from its real path (Debian's alternatives resolve there)."""
    name = os.path.realpath(path).lower()
    for needle, kind in (("openblas", "OpenBLAS"), ("blis", "BLIS"), ("mkl", "MKL"), ("atlas", "ATLAS")):
        if needle in name:
            return kind
    if "/blas/libblas.so" in name or name.endswith("/libblas.so.3"):
        return "reference"
    return "unknown"


def environment():
    """What this PyTorch runs on: the BLAS and oneDNN it mapped, its threads and allocator settings.

    Run after the benchmark's first GEMM and transposed convolution, so that the libraries they
    load lazily are mapped.
    """
    blas = set()
    onednn = set()
    with open("/proc/self/maps") as f:
        for line in f:
            parts = line.split()
            if len(parts) < 6 or not parts[-1].startswith("/"):
                continue
            lib = os.path.basename(parts[-1])
            if "blas" in lib or lib.startswith("libmkl") or lib.startswith("libblis"):
                blas.add(parts[-1])
            if "dnnl" in lib or "mkldnn" in lib:
                onednn.add(parts[-1])
    config = torch.__config__.show()
    dnn_line = next((l.strip(" -") for l in config.splitlines() if "DNN" in l), "none")
    kinds = sorted({blas_kind(p) for p in blas}) or ["none mapped"]
    # OpenBLAS's own libblas.so.3 and libopenblas*.so are one library: name it once
    if "OpenBLAS" in kinds:
        kinds = ["OpenBLAS"]
    return {
        "blas": kinds,
        "blasLibraries": sorted(os.path.realpath(p) for p in blas),
        "onednn": dnn_line,
        "onednnLibraries": sorted(onednn),
        "threads": torch.get_num_threads(),
        "env": {k: os.environ.get(k, "") for k in ALLOCATOR + ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")},
    }


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


def bench(threads, steps, warmup, specs):
    torch.set_num_threads(threads)
    gen = torch.Generator().manual_seed(1)
    rows = {}
    g, d = dcgan_params(gen)
    opt_g = torch.optim.Adam(g.values(), lr=2e-4, betas=(0.5, 0.999), eps=1e-8)
    opt_d = torch.optim.Adam(d.values(), lr=2e-4, betas=(0.5, 0.999), eps=1e-8)
    real = torch.rand(64, 1, 28, 28) * 2 - 1
    rows["dcgan28_step_b64"] = timed(lambda: dcgan_step(g, d, opt_g, opt_d, real), warmup, steps)
    for spec in specs:
        n, r = spec["batch"], spec["res"]
        # the larger twin's steps take seconds: fewer of them (as the library's side)
        train_steps = max(3, steps // 4 if r > 32 else steps // 2)
        for r1 in (True, False):
            g, d = sg2_params(gen, spec)
            opt_g = torch.optim.Adam(g.values(), lr=2e-3, betas=(0.0, 0.99), eps=1e-8)
            opt_d = torch.optim.Adam(d.values(), lr=2e-3, betas=(0.0, 0.99), eps=1e-8)
            real = torch.rand(n, spec["img"], r, r) * 2 - 1
            key = f"{spec['name']}_step_r1_b{n}" if r1 else f"{spec['name']}_step_b{n}"
            rows[key] = timed(lambda: sg2_step(g, d, opt_g, opt_d, real, r1, spec), max(1, warmup // 2),
                              train_steps)
        with torch.no_grad():
            zz = torch.randn(2 * n, spec["z"])
            rows[f"{spec['name']}_generate_b{2 * n}"] = timed(lambda: sg2_g(g, zz, spec=spec), warmup, steps)
    print(json.dumps({"torch": torch.__version__, "threads": threads, "environment": environment(),
                      "seconds": rows}))


def check(inp, out):
    t = read_safetensors(inp)
    res = {}
    for prefix in ["dcgan"] + [k for k in SPECS if k + ".z" in t]:
        g = {k[len(prefix) + 3:]: v.float() for k, v in t.items() if k.startswith("G." + prefix + ".")}
        d = {k[len(prefix) + 3:]: v.float() for k, v in t.items() if k.startswith("D." + prefix + ".")}
        z = t[prefix + ".z"].float()
        if prefix == "dcgan":
            def generate(zz):
                return dcgan_g(g, zz)

            def discriminate(x):
                return dcgan_d(d, x)
        else:
            spec = SPECS[prefix]

            def generate(zz, spec=spec):
                return sg2_g(g, zz, noise=False, spec=spec)

            def discriminate(x, spec=spec):
                return sg2_d(d, x, spec)
        with torch.no_grad():
            res[prefix + ".images"] = generate(z)
            res[prefix + ".logits"] = discriminate(t[prefix + ".x"].float())
        # the gradients of the summed logits of D(G(z)) with respect to every parameter
        params = {"G." + k: v.requires_grad_(True) for k, v in g.items()}
        params.update({"D." + k: v.requires_grad_(True) for k, v in d.items()})
        grads = torch.autograd.grad(discriminate(generate(z)).sum(), list(params.values()), allow_unused=True)
        for (k, v), gr in zip(params.items(), grads):
            res[prefix + ".grad." + k] = torch.zeros_like(v) if gr is None else gr
    write_safetensors(out, res)


def main():
    args = sys.argv[1:]
    if args and args[0] == "bench":
        opts = {"--threads": 2, "--steps": 10, "--warmup": 3, "--twins": "sg2_32"}
        for i in range(1, len(args), 2):
            opts[args[i]] = args[i + 1] if args[i] == "--twins" else int(args[i + 1])
        specs = [SPECS[k] for k in opts["--twins"].split(",")]
        bench(opts["--threads"], opts["--steps"], opts["--warmup"], specs)
    elif args == ["env"]:
        a = torch.randn(64, 64)
        (a @ a).sum()
        F.conv_transpose2d(torch.randn(2, 4, 5, 5), torch.randn(4, 3, 4, 4), stride=2, padding=1)
        print(json.dumps(environment()))
    elif len(args) == 3 and args[0] == "check":
        check(args[1], args[2])
    else:
        print(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main()
