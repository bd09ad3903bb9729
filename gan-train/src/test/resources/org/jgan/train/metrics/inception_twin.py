"""The PyTorch twin of JGAN's FID Inception (org.jgan.train.metrics.Inception).

Builds the FID variant of Inception-v3 from torchvision 0.14's blocks (torchvision's own
Inception3 and blocks A-E are the independent reference for what the two variants share; the FID
differences, written here, are the pooling branches: average pooling that does not count the
padding in blocks A, C and the first E, max pooling in the second E), fills every weight from
a generator that Java reproduces exactly (InceptionTwinTest), and writes inception_golden.safetensors:

  features:   pool3 features [3, 2048] (float64) of three images: grey 28x28, RGB 64x64,
              RGB 320x320 (resized to 299 by bilinear interpolation, align_corners=False);
  fid, kid:   FID (pytorch-fid's formula: numpy covariances, scipy.linalg.sqrtm) and KID (one
              subset of all images, cubic polynomial kernel) between two sets of 48 RGB 32x32
              images rounded to 8 bits as ADA does, from float64 features;
  metadata:   every state-dict name and shape the network has (fc excluded).

Run: /usr/bin/python3 inception_twin.py   (Debian: python3-torch, python3-torchvision, python3-scipy)
With --save FILE it also writes the twin's weights with torch.save as a whole state dict (fc and
num_batches_tracked included, 95 MB), in the layout of pytorch-fid's weight file, for trying
`gan evaluate --inception FILE` without the real file.
"""
import json
import struct
import sys

import numpy as np
import scipy.linalg
import torch
import torch.nn.functional as F
from torchvision.models import inception as tv

MASK = (1 << 64) - 1


def fnv1a(text):
    h = 0xCBF29CE484222325
    for b in text.encode("utf-8"):
        h = ((h ^ b) * 0x100000001B3) & MASK
    return h


def uniform(seed, n):
    """n values in [-1, 1) from a 64-bit LCG; each is a multiple of 2^-23, exact in float32."""
    out = np.empty(n, dtype=np.float64)
    s = seed & MASK
    for i in range(n):
        s = (s * 6364136223846793005 + 1442695040888963407) & MASK
        out[i] = (s >> 40) / float(1 << 23) - 1.0
    return out


def weight(name, shape):
    n = int(np.prod(shape))
    u = uniform(fnv1a(name), n)
    if name.endswith("conv.weight"):
        fan_in = int(np.prod(shape[1:]))
        v = u * np.sqrt(6.0 / fan_in)  # variance 2 / fan_in
    elif name.endswith("bn.weight"):
        v = 1.0 + 0.1 * u
    elif name.endswith("bn.running_var"):
        v = 1.0 + 0.25 * (u + 1.0)
    else:  # bn.bias, bn.running_mean
        v = 0.1 * u
    return torch.tensor(v.astype(np.float32).reshape(shape))


def image(seed, c, h, w):
    return torch.tensor(uniform(seed, c * h * w).astype(np.float32).reshape(1, c, h, w))


class FidA(tv.InceptionA):
    def _forward(self, x):
        pool = F.avg_pool2d(x, 3, stride=1, padding=1, count_include_pad=False)
        return [self.branch1x1(x), self.branch5x5_2(self.branch5x5_1(x)),
                self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x))),
                self.branch_pool(pool)]


class FidC(tv.InceptionC):
    def _forward(self, x):
        a = self.branch7x7_3(self.branch7x7_2(self.branch7x7_1(x)))
        d = x
        for m in (self.branch7x7dbl_1, self.branch7x7dbl_2, self.branch7x7dbl_3,
                  self.branch7x7dbl_4, self.branch7x7dbl_5):
            d = m(d)
        pool = F.avg_pool2d(x, 3, stride=1, padding=1, count_include_pad=False)
        return [self.branch1x1(x), a, d, self.branch_pool(pool)]


class FidE(tv.InceptionE):
    def __init__(self, in_channels, max_pool):
        super().__init__(in_channels)
        self.max_pool = max_pool

    def _forward(self, x):
        s = self.branch3x3_1(x)
        d = self.branch3x3dbl_2(self.branch3x3dbl_1(x))
        if self.max_pool:
            pool = F.max_pool2d(x, 3, stride=1, padding=1)
        else:
            pool = F.avg_pool2d(x, 3, stride=1, padding=1, count_include_pad=False)
        return [self.branch1x1(x), torch.cat([self.branch3x3_2a(s), self.branch3x3_2b(s)], 1),
                torch.cat([self.branch3x3dbl_3a(d), self.branch3x3dbl_3b(d)], 1),
                self.branch_pool(pool)]


def fid_inception():
    net = tv.Inception3(num_classes=1008, aux_logits=False, init_weights=False)
    net.Mixed_5b = FidA(192, pool_features=32)
    net.Mixed_5c = FidA(256, pool_features=64)
    net.Mixed_5d = FidA(288, pool_features=64)
    net.Mixed_6b = FidC(768, channels_7x7=128)
    net.Mixed_6c = FidC(768, channels_7x7=160)
    net.Mixed_6d = FidC(768, channels_7x7=160)
    net.Mixed_6e = FidC(768, channels_7x7=192)
    net.Mixed_7b = FidE(1280, max_pool=False)
    net.Mixed_7c = FidE(2048, max_pool=True)
    return net.eval()


def pool3(net, x):
    """pytorch-fid's InceptionV3 forward to pool3: x in [-1, 1] (normalize_input of [0, 1])."""
    x = (x + 1) / 2
    x = F.interpolate(x, size=(299, 299), mode="bilinear", align_corners=False)
    x = 2 * x - 1
    if x.shape[1] == 1:
        x = x.repeat(1, 3, 1, 1)
    for name in ("Conv2d_1a_3x3", "Conv2d_2a_3x3", "Conv2d_2b_3x3", "maxpool1", "Conv2d_3b_1x1",
                 "Conv2d_4a_3x3", "maxpool2", "Mixed_5b", "Mixed_5c", "Mixed_5d", "Mixed_6a",
                 "Mixed_6b", "Mixed_6c", "Mixed_6d", "Mixed_6e", "Mixed_7a", "Mixed_7b",
                 "Mixed_7c"):
        x = getattr(net, name)(x)
    return F.adaptive_avg_pool2d(x, 1).flatten(1)


def frechet(a, b):
    mu1, mu2 = a.mean(0), b.mean(0)
    s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    covmean, _ = scipy.linalg.sqrtm(s1.dot(s2), disp=False)
    covmean = covmean.real
    d = mu1 - mu2
    return float(d.dot(d) + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))


def kid(a, b):
    n, d = a.shape
    kxx = (a @ a.T / d + 1) ** 3
    kyy = (b @ b.T / d + 1) ** 3
    kxy = (a @ b.T / d + 1) ** 3
    return float((kxx.sum() - np.trace(kxx) + kyy.sum() - np.trace(kyy)) / (n * (n - 1))
                 - 2 * kxy.sum() / (n * n))


def quantized(x):
    """8-bit rounding as stylegan2-ada-pytorch applies it before measuring (and JGAN's measure)."""
    return (x * 127.5 + 128).clamp(0, 255).floor() / 127.5 - 1


def set_images(which, count):
    """Set A: noise; set B: noise at half strength over a horizontal ramp."""
    out = []
    ramp = torch.linspace(-0.5, 0.5, 32).reshape(1, 1, 1, 32)
    for k in range(count):
        x = image(1000 * which + k, 3, 32, 32)
        out.append(x if which == 0 else 0.5 * x + ramp)
    return torch.cat(out)


def save_safetensors(path, tensors, metadata):
    header, blobs, at = {"__metadata__": metadata}, [], 0
    for name, t in tensors.items():
        b = np.ascontiguousarray(t, dtype=np.float64).tobytes()
        header[name] = {"dtype": "F64", "shape": list(t.shape), "data_offsets": [at, at + len(b)]}
        blobs.append(b)
        at += len(b)
    h = json.dumps(header).encode("utf-8")
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def main():
    torch.set_grad_enabled(False)
    net = fid_inception()
    state = {k: v for k, v in net.state_dict().items()
             if not k.startswith("fc.") and not k.endswith("num_batches_tracked")}
    net.load_state_dict({k: weight(k, tuple(v.shape)) for k, v in state.items()}, strict=False)
    net = net.double()
    images = [image(1, 1, 28, 28), image(2, 3, 64, 64), image(3, 3, 320, 320)]
    feats = torch.cat([pool3(net, x.double()) for x in images]).numpy()
    a = pool3(net, quantized(set_images(0, 48).double())).numpy()
    b = pool3(net, quantized(set_images(1, 48).double())).numpy()
    names = {k: list(v.shape) for k, v in state.items()}
    save_safetensors("inception_golden.safetensors",
                     {"features": feats, "fid": np.array([frechet(a, b)]),
                      "kid": np.array([kid(a, b)])},
                     {"names": json.dumps(names), "torch": torch.__version__,
                      "torchvision": sys.modules["torchvision"].__version__})
    print("features", feats[:, :4], "fid", frechet(a, b), "kid", kid(a, b))
    if "--save" in sys.argv:
        torch.save(net.float().state_dict(), sys.argv[sys.argv.index("--save") + 1])


if __name__ == "__main__":
    main()
