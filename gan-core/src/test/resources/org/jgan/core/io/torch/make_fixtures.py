"""Writes the PyTorch files that TorchFilesTest reads, and what they hold (expected.json).

Run from this folder with Debian's python3-torch (1.13): /usr/bin/python3 make_fixtures.py
The files are small and committed; the test needs no Python.
"""
import collections
import io
import json
import os
import pickle
import sys
import types
import zipfile

import torch

torch.manual_seed(0)


def state():
    base = torch.arange(12, dtype=torch.float32).reshape(3, 4) / 8 - 0.5
    shared = torch.linspace(-1, 1, 10, dtype=torch.float64)
    sd = collections.OrderedDict()
    sd["conv.weight"] = torch.randn(2, 3, 2, 2)
    sd["conv.bias"] = torch.tensor([0.25, -1.5])
    sd["double"] = shared
    sd["double_tail"] = shared[3:7]  # a view with a storage offset
    sd["transposed"] = base.t()  # strides (1, 4)
    sd["every_other"] = base[:, ::2]  # strides (4, 2)
    sd["half"] = torch.tensor([1.0, -2.5, 65504.0, 6.1e-5], dtype=torch.float16)
    sd["bfloat"] = torch.tensor([[1.0, -3.0], [0.0078125, 1e30]], dtype=torch.bfloat16)
    sd["steps"] = torch.tensor(12345678901, dtype=torch.int64)  # a 0-d tensor
    sd["flags"] = torch.tensor([True, False, True])
    sd["bytes"] = torch.tensor([0, 7, 255], dtype=torch.uint8)
    sd["ints"] = torch.tensor([-3, 2**31 - 1], dtype=torch.int32)
    sd["empty"] = torch.zeros(0, 3)
    sd["nested"] = {"inner": {"w": torch.ones(2)}, "list": [torch.full((1,), 3.0)]}
    return sd


def expected(sd):
    out = {}

    def walk(prefix, v):
        if isinstance(v, torch.Tensor):
            out[prefix] = {
                "dtype": str(v.dtype).replace("torch.", ""),
                "shape": list(v.shape),
                "values": [float(x) for x in v.double().flatten().tolist()],
            }
        elif isinstance(v, dict):
            for k, x in v.items():
                walk(f"{prefix}.{k}" if prefix else str(k), x)
        elif isinstance(v, (list, tuple)):
            for i, x in enumerate(v):
                walk(f"{prefix}.{i}", x)

    walk("", sd)
    return out


sd = state()
torch.save(sd, "state_dict.pt")
torch.save(sd, "state_dict_legacy.pt", _use_new_zipfile_serialization=False)
model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.BatchNorm1d(3))
torch.save(model, "module.pt")

# A network pickle in the manner of stylegan2-ada-pytorch: the class travels as a call of
# torch_utils.persistence._reconstruct_persistent_obj(meta) with the module's source and state.
persistence = types.ModuleType("torch_utils.persistence")
persistence.__dict__["_reconstruct_persistent_obj"] = lambda meta: meta
sys.modules["torch_utils"] = types.ModuleType("torch_utils")
sys.modules["torch_utils.persistence"] = persistence
persistence._reconstruct_persistent_obj.__module__ = "torch_utils.persistence"
persistence._reconstruct_persistent_obj.__qualname__ = "_reconstruct_persistent_obj"


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(3, 2)
        self.register_buffer("w_avg", torch.arange(4, dtype=torch.float32))

    def __reduce__(self):
        meta = dict(type="class", version=4, module_src="class Net: ...", class_name="Net",
                    state=self.__dict__)
        return (persistence._reconstruct_persistent_obj, (meta,))


net = Net()
with open("ada_like.pkl", "wb") as f:
    pickle.dump({"G": net, "G_ema": net, "training_set_kwargs": {"resolution": 32}}, f)

# Hostile files: each would run a command if Python unpickled it.
MARKER = "/tmp/jgan-unpickler-was-here"


class Payload:
    def __reduce__(self):
        return (os.system, (f"touch {MARKER}",))


with open("hostile_os_system.pkl", "wb") as f:
    pickle.dump({"weight": Payload()}, f, protocol=4)
with open("hostile_eval.pkl", "wb") as f:
    f.write(b"cbuiltins\neval\n(S'__import__(\"os\").system(\"touch " + MARKER.encode() + b"\")'\ntR.")
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
    z.writestr("archive/data.pkl", pickle.dumps(Payload(), protocol=2))
    z.writestr("archive/version", "3\n")
with open("hostile_in_zip.pt", "wb") as f:
    f.write(buf.getvalue())

with open("expected.json", "w") as f:
    json.dump({"state_dict": expected(sd), "module": expected(model.state_dict()),
               "ada_like": expected({"G": net.state_dict()}), "marker": MARKER}, f, indent=1)
print("torch", torch.__version__)
