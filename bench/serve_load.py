#!/usr/bin/env python3
"""Load test of `vitrine serve` (bench/serve-load runs it; stdlib only).

ROUNDS rounds of CONCURRENCY requests that start together (a barrier per round), one keep-alive
connection per client thread, over a seeded mix of IIIF tiles, IIIF sizes, info.json and REST
API requests. Prints requests, errors (non-2xx or connection failures), p50/p95/p99 latency,
requests/s and the server's peak RSS (VmHWM); exits 1 on any error.
"""

import argparse
import http.client
import json
import random
import statistics
import threading
import time
import urllib.parse
import urllib.request


def get_json(base, path):
    with urllib.request.urlopen(base + path, timeout=30) as r:
        return json.load(r)


def items_of(base, limit):
    """(id, width, height, thumbnail path) of up to `limit` items, following nextCursor."""
    out, cursor = [], None
    while len(out) < limit:
        page = get_json(base, "/api/items?limit=50" + (f"&cursor={cursor}" if cursor else ""))
        out += [(it["id"], it.get("width") or 512, it.get("height") or 512,
                 urllib.parse.urlsplit(it["thumbnail"]).path) for it in page["items"]]
        cursor = page.get("nextCursor")
        if not cursor or not page["items"]:
            break
    return out[:limit]


def request_mix(items, count, seed):
    """`count` (kind, path) pairs: 4 in 7 IIIF (tiles, !300,300, info.json), 3 in 7 API."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        i, w, h, thumbnail = rng.choice(items)
        kind = rng.choice(("tile", "tile", "size", "info", "items", "item", "similar"))
        if kind == "tile":
            # A 512 px tile on the grid at half size, as a viewer asks for it: clipped at the
            # right and bottom edges, its width halved (never upscaled, which needs ^).
            x, y = rng.randrange(0, w, 512), rng.randrange(0, h, 512)
            tw, th = min(512, w - x), min(512, h - y)
            path = f"/iiif/3/{i}/{x},{y},{tw},{th}/{max(1, tw // 2)},/0/default.jpg"
        elif kind == "size":
            path = thumbnail  # the item's thumbnail link, /iiif/3/{id}/full/!300,300/0/default.jpg
        elif kind == "info":
            path = f"/iiif/3/{i}/info.json"
        elif kind == "items":
            path = "/api/items?limit=50"
        elif kind == "item":
            path = f"/api/items/{i}"
        else:
            path = f"/api/items/{i}/similar?k=10"
        out.append((kind, path))
    return out


def peak_rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("base", help="http://127.0.0.1:PORT")
    p.add_argument("pid", type=int, help="server process (for VmHWM)")
    p.add_argument("--concurrency", type=int, default=200)
    p.add_argument("--rounds", type=int, default=10)
    p.add_argument("--seed", type=int, default=8)
    p.add_argument("--timeout", type=float, default=60, help="seconds per request")
    args = p.parse_args()

    host, port = args.base.split("//", 1)[1].split(":")
    items = items_of(args.base, 200)
    if not items:
        raise SystemExit("serve-load: the store has no items")
    plan = request_mix(items, args.concurrency * args.rounds, args.seed)
    results = []            # (kind, seconds, status or error name)
    lock = threading.Lock()
    barrier = threading.Barrier(args.concurrency)

    def client(n):
        conn = None
        for r in range(args.rounds):
            kind, path = plan[r * args.concurrency + n]
            barrier.wait()   # every round starts with CONCURRENCY requests at once
            started = time.perf_counter()
            try:
                conn = conn or http.client.HTTPConnection(host, int(port), timeout=args.timeout)
                conn.request("GET", path)
                resp = conn.getresponse()
                resp.read()
                outcome = resp.status
            except (OSError, http.client.HTTPException) as e:
                outcome = type(e).__name__
                if conn:
                    conn.close()
                conn = None
            with lock:
                results.append((kind, time.perf_counter() - started, outcome, path))
        if conn:
            conn.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(args.concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started

    errors = [r for r in results if not (isinstance(r[2], int) and 200 <= r[2] < 300)]
    ms = sorted(r[1] * 1000 for r in results)
    q = statistics.quantiles(ms, n=100, method="inclusive")
    print(f"requests      {len(results)} ({args.rounds} rounds of {args.concurrency} concurrent, {len(items)} items)")
    print(f"errors        {len(errors)}")
    print(f"latency ms    p50 {q[49]:.1f}  p95 {q[94]:.1f}  p99 {q[98]:.1f}  max {ms[-1]:.1f}")
    print(f"throughput    {len(results) / elapsed:.1f} requests/s ({elapsed:.1f} s)")
    print(f"server RSS    {peak_rss_mib(args.pid):.0f} MiB peak (VmHWM)")
    for kind in sorted({r[0] for r in results}):
        k = sorted(r[1] * 1000 for r in results if r[0] == kind)
        print(f"  {kind:8s} {len(k):5d}  p50 {statistics.median(k):7.1f} ms  max {k[-1]:7.1f} ms")
    by_outcome = {}
    for kind, _, outcome, path in errors:
        by_outcome.setdefault((kind, outcome), []).append(path)
    for (kind, outcome), paths in sorted(by_outcome.items(), key=str):
        print(f"  error: {len(paths)} × {outcome} on {kind}, e.g. {paths[0]}")
    raise SystemExit(1 if errors else 0)


if __name__ == "__main__":
    main()
