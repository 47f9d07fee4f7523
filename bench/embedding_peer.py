#!/usr/bin/env python3
"""Peer of `vitrine bench embed`: Pillow decode + resize (shorter side 256, bilinear) + centre crop
224 + (x - 127) / 128, then onnxruntime on the same ONNX file, batches of 16, N intra-op threads.
Prints one JSON object."""
import argparse, json, os, sys, time

import numpy as np
import onnxruntime as ort
from PIL import Image

p = argparse.ArgumentParser()
p.add_argument("folder")
p.add_argument("--model", required=True)
p.add_argument("--threads", type=int, default=1)
p.add_argument("--limit", type=int, default=200)
p.add_argument("--batch", type=int, default=16)
a = p.parse_args()

files = sorted(os.path.join(d, f) for d, _, fs in os.walk(a.folder) for f in fs if not f.startswith("."))[: a.limit]
blobs = [open(f, "rb").read() for f in files]
options = ort.SessionOptions()
options.intra_op_num_threads = a.threads
options.inter_op_num_threads = 1
session = ort.InferenceSession(a.model, options, providers=["CPUExecutionProvider"])


def prepare(data):
    import io
    im = Image.open(io.BytesIO(data)).convert("RGB")
    w, h = im.size
    s = 256 / min(w, h)
    im = im.resize((max(224, round(w * s)), max(224, round(h * s))), Image.BILINEAR)
    w, h = im.size
    l, t = (w - 224) // 2, (h - 224) // 2
    x = (np.asarray(im.crop((l, t, l + 224, t + 224)), dtype=np.float32) - 127) / 128
    return x.transpose(2, 0, 1)


session.run(["embedding"], {"input": prepare(blobs[0])[None]})
start = time.perf_counter()
images = errors = 0
for i in range(0, len(blobs), a.batch):
    batch = []
    for data in blobs[i : i + a.batch]:
        try:
            batch.append(prepare(data))
        except Exception:
            errors += 1
    if batch:
        session.run(["embedding"], {"input": np.stack(batch)})
        images += len(batch)
seconds = time.perf_counter() - start
print(json.dumps({"images": images, "errors": errors, "seconds": seconds, "imagesPerSecond": images / seconds,
                  "threads": a.threads, "peer": f"onnxruntime {ort.__version__} + Pillow"}))
