#!/usr/bin/env python3
"""Peer of `vitrine bench knn`: scikit-learn NearestNeighbors (brute force, cosine) on random unit
vectors of the same size; build time and single-query latency. Prints one JSON object."""
import argparse, json, time

import numpy as np
import sklearn
from sklearn.neighbors import NearestNeighbors

p = argparse.ArgumentParser()
p.add_argument("--count", type=int, default=100000)
p.add_argument("--dimension", type=int, default=1280)
p.add_argument("--queries", type=int, default=50)
a = p.parse_args()
rng = np.random.default_rng(5)
x = rng.uniform(-1, 1, (a.count, a.dimension)).astype(np.float32)
x /= np.linalg.norm(x, axis=1, keepdims=True)
q = x[(np.arange(a.queries) * 7919) % a.count] + 0.05 * rng.uniform(-1, 1, (a.queries, a.dimension)).astype(np.float32)
start = time.perf_counter()
nn = NearestNeighbors(n_neighbors=10, metric="cosine", algorithm="brute").fit(x)
build = time.perf_counter() - start
times = []
for row in q:
    t = time.perf_counter()
    nn.kneighbors(row[None], 10)
    times.append(time.perf_counter() - t)
print(json.dumps({"count": a.count, "dimension": a.dimension, "buildSeconds": build,
                  "singleQueryMillisecondsP50": 1000 * float(np.median(times)),
                  "peer": f"scikit-learn {sklearn.__version__} NearestNeighbors(brute, cosine)"}))
