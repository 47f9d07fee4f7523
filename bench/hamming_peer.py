#!/usr/bin/env python3
"""The numpy peer of `vitrine bench hamming`: brute-force all-pairs Hamming search.

Usage: hamming_peer.py [--count 100000] [--threshold 10] [--extrapolate-to 1000000] [--chunk 32]

Generates `count` synthetic 64-bit codes laid out like the Swift benchmark's default (uniformly
random, 5 % of them planted as copies of an earlier code with 1...8 bits flipped; numpy's own
generator, seed 42), then counts every pair i < j with popcount(code_i XOR code_j) ≤ threshold
by brute force: rows in chunks, XOR against all later codes, `numpy.bitwise_count`, compare,
sum. One thread (numpy's elementwise kernels are single-threaded; the BLAS/OpenMP variables are
set to 1 anyway). Generation is not timed.

Brute force is O(n²), so the time at `extrapolate-to` codes is estimated as
(extrapolate_to / count)² × measured seconds and reported as `extrapolatedSeconds`, labelled
as an extrapolation, never as a measurement.

Prints one JSON object: {count, threshold, pairs, seconds, peakRSSMiB, extrapolatedTo,
extrapolatedSeconds, threads: 1, numpy}.
"""
import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS",
             "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402


def synthetic_codes(count, seed=42, fraction=0.05, max_flips=8):
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, np.iinfo(np.uint64).max, size=count, dtype=np.uint64, endpoint=True)
    planted = np.nonzero(rng.random(count) < fraction)[0]
    planted = planted[planted > 0]
    for i in planted:  # sequential, so a planted code may copy an earlier planted one
        base = codes[rng.integers(0, i)]
        bits = rng.choice(64, size=int(rng.integers(1, max_flips + 1)), replace=False)
        mask = np.uint64(0)
        for b in bits:
            mask |= np.uint64(1) << np.uint64(b)
        codes[i] = base ^ mask
    return codes


def popcount(x):
    if hasattr(np, "bitwise_count"):  # numpy ≥ 2.0
        return np.bitwise_count(x)
    # Fallback for older numpy: byte-wise lookup table.
    table = np.array([bin(i).count("1") for i in range(256)], dtype=np.uint8)
    return table[x.view(np.uint8)].reshape(x.shape + (8,)).sum(axis=-1, dtype=np.uint8)


def count_pairs(codes, threshold, chunk):
    """Pairs i < j with Hamming distance ≤ threshold, by brute force."""
    n = codes.shape[0]
    total = 0
    for start in range(0, n, chunk):
        stop = min(start + chunk, n)
        rows = codes[start:stop, None]
        # Pairs inside the chunk: the block is symmetric and its diagonal is distance 0.
        inside = int(np.count_nonzero(popcount(rows ^ codes[None, start:stop]) <= threshold))
        total += (inside - (stop - start)) // 2
        if stop < n:
            total += int(np.count_nonzero(popcount(rows ^ codes[None, stop:]) <= threshold))
    return total


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--threshold", type=int, default=10)
    parser.add_argument("--extrapolate-to", type=int, default=1_000_000)
    parser.add_argument("--chunk", type=int, default=32)
    args = parser.parse_args(argv)

    codes = synthetic_codes(args.count)
    start = time.perf_counter()
    pairs = count_pairs(codes, args.threshold, args.chunk)
    seconds = time.perf_counter() - start
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    factor = (args.extrapolate_to / args.count) ** 2
    print(json.dumps({
        "count": args.count,
        "threshold": args.threshold,
        "pairs": pairs,
        "seconds": seconds,
        "peakRSSMiB": peak_mib,
        "extrapolatedTo": args.extrapolate_to,
        "extrapolatedSeconds": seconds * factor,
        "extrapolation": f"({args.extrapolate_to}/{args.count})^2 x measured seconds (brute force is O(n^2))",
        "threads": 1,
        "numpy": np.__version__,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
