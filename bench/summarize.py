#!/usr/bin/env python3
"""Helpers of bench/run: reads the JSON files one run left in a work folder, prints the summary
table and writes it as JSON.

Usage:
  summarize.py time-v FILE            -> prints {"peakRSSMiB": .., "wallSeconds": .., "exitStatus": ..}
  summarize.py hashes SWIFT.json PEER.json
  summarize.py hamming VITRINE.json... --peer PEER.json...
  summarize.py ingest NAME RESULT.json TIME.json
  summarize.py final WORKDIR OUT.json
"""
import json
import os
import sys

HASH_GOAL = 5.0  # Vitrine img/s ÷ imagehash img/s, per core
RSS_FLAT = 1.5  # 10× peak RSS ≤ 1.5 × 1× peak RSS


def load(path):
    with open(path) as f:
        return json.load(f)


def last_json_object(path):
    """The last line of a file that parses as a JSON object (tools may log before it)."""
    with open(path, errors="replace") as f:
        lines = f.read().splitlines()
    for line in reversed(lines):
        line = line.strip()
        if line.startswith("{"):
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                continue
    raise SystemExit(f"summarize: no JSON object in {path}")


def parse_time_v(path):
    """Peak RSS, wall time and exit status from `/usr/bin/time -v -o FILE`."""
    out = {"peakRSSMiB": None, "wallSeconds": None, "exitStatus": None}
    with open(path, errors="replace") as f:
        for line in f:
            key, _, value = line.strip().rpartition(": ")
            if key == "Maximum resident set size (kbytes)":
                out["peakRSSMiB"] = int(value) / 1024
            elif key.startswith("Elapsed (wall clock) time"):
                seconds = 0.0
                for part in value.split(":"):
                    seconds = seconds * 60 + float(part)
                out["wallSeconds"] = seconds
            elif key == "Exit status":
                out["exitStatus"] = int(value)
            elif line.startswith("Command exited with non-zero status"):
                out["exitStatus"] = int(line.split()[-1])
    return out


def fmt(x, digits=1):
    return "—" if x is None else f"{x:,.{digits}f}"


def hashes_section(swift, peer):
    ratio = swift["imagesPerSecond"] / peer["imagesPerSecond"] if peer["imagesPerSecond"] else None
    return {
        "vitrine": swift,
        "imagehash": peer,
        "ratio": ratio,
        "megapixelRatio": (swift["megapixelsPerSecond"] / peer["megapixelsPerSecond"]
                           if peer["megapixelsPerSecond"] else None),
        "goal": HASH_GOAL,
        "goalMet": ratio is not None and ratio >= HASH_GOAL,
    }


def print_hashes(h):
    s, p = h["vitrine"], h["imagehash"]
    print(f"  vitrine   (libvips + Swift, 1 thread): {s['images']} images, {s['errors']} errors, "
          f"{s['seconds']:.2f} s: {s['imagesPerSecond']:.1f} img/s, {s['megapixelsPerSecond']:.1f} MP/s")
    print(f"  imagehash (Pillow + numpy, 1 thread):  {p['images']} images, {p['errors']} errors, "
          f"{p['seconds']:.2f} s: {p['imagesPerSecond']:.1f} img/s, {p['megapixelsPerSecond']:.1f} MP/s")
    verdict = "MET" if h["goalMet"] else "NOT MET"
    print(f"  ratio (img/s per core): {h['ratio']:.2f}x  —  goal ≥ {HASH_GOAL:.0f}x imagehash per core: {verdict}")


def hamming_value(v):
    if v.get("timedOut"):
        return f"did not finish within {v['limitSeconds']} s (stopped)"
    return f"{v['seconds']:.1f} s, {v['peakRSSMiB']:.0f} MiB peak RSS, {v['pairs']:,} pairs"


def print_hamming(vitrine, peers):
    for v in vitrine:
        print(f"  vitrine (FAISS, 1 thread) {v['count']:,} hashes, ≤ {v['threshold']} bits: {hamming_value(v)}")
    for p in peers:
        print(f"  numpy brute force (1 thread) {p['count']:,} hashes, ≤ {p['threshold']} bits: {p['pairs']:,} pairs "
              f"in {p['seconds']:.1f} s measured, peak RSS {p['peakRSSMiB']:.0f} MiB; "
              f"EXTRAPOLATED to {p['extrapolatedTo']:,}: ≈ {p['extrapolatedSeconds']:.0f} s "
              f"(({p['extrapolatedTo']:,}/{p['count']:,})² × measured)")


def ingest_entry(result, timing):
    seconds = result.get("seconds") or timing.get("wallSeconds")
    processed = result.get("processed", 0)
    return {
        "found": result.get("found"),
        "processed": processed,
        "ok": result.get("ok"),
        "errors": result.get("errors"),
        "alreadyDone": result.get("alreadyDone"),
        "seconds": seconds,
        "wallSeconds": timing.get("wallSeconds"),
        "imagesPerSecond": processed / seconds if seconds else None,
        "peakRSSMiB": timing.get("peakRSSMiB"),
        "exitStatus": timing.get("exitStatus"),
    }


def print_ingest(name, e):
    print(f"  {name:<22} {e['processed']:>6} items ({e['ok']} ok, {e['errors']} errors) in {fmt(e['seconds'], 2)} s: "
          f"{fmt(e['imagesPerSecond'])} img/s, peak RSS {fmt(e['peakRSSMiB'], 0)} MiB")


def final(work, out_path):
    meta = load(os.path.join(work, "meta.json"))
    summary = {"meta": meta}
    rows = []

    swift_path, peer_path = os.path.join(work, "hashes-vitrine.json"), os.path.join(work, "hashes-peer.json")
    if os.path.exists(swift_path) and os.path.exists(peer_path):
        hashes = hashes_section(load(swift_path), load(peer_path))
        summary["hashes"] = hashes
        rows.append(("hashing: vitrine decode + 4 hashes, 1 thread", f"{hashes['vitrine']['imagesPerSecond']:.1f} img/s"))
        rows.append(("hashing: imagehash + Pillow, 1 thread", f"{hashes['imagehash']['imagesPerSecond']:.1f} img/s"))
        rows.append((f"hashing: ratio (goal ≥ {HASH_GOAL:.0f}x)",
                     f"{hashes['ratio']:.2f}x {'MET' if hashes['goalMet'] else 'NOT MET'}"))

    hamming = {"vitrine": [], "numpy": []}
    for name in sorted(os.listdir(work)):
        if name.startswith("hamming-vitrine-") and name.endswith(".json"):
            hamming["vitrine"].append(load(os.path.join(work, name)))
        elif name.startswith("hamming-numpy-") and name.endswith(".json"):
            hamming["numpy"].append(load(os.path.join(work, name)))
    hamming["vitrine"].sort(key=lambda r: r["threshold"])
    hamming["numpy"].sort(key=lambda r: r["threshold"])
    if hamming["vitrine"] or hamming["numpy"]:
        summary["hamming"] = hamming
    for v in hamming["vitrine"]:
        rows.append((f"near-dup: vitrine {v['count']:,} hashes ≤ {v['threshold']} bits", hamming_value(v)))
    for p in hamming["numpy"]:
        rows.append((f"near-dup: numpy {p['count']:,} ≤ {p['threshold']} bits (measured)", f"{p['seconds']:.1f} s"))
        rows.append((f"near-dup: numpy {p['extrapolatedTo']:,} ≤ {p['threshold']} bits (EXTRAPOLATED)",
                     f"≈ {p['extrapolatedSeconds']:.0f} s"))

    ingest = {}
    entries = sorted(n for n in os.listdir(work) if n.startswith("ingest-") and n.endswith(".entry.json"))
    names = [n[len("ingest-"):-len(".entry.json")] for n in entries]
    names.sort(key=lambda n: (n != "x1", "identical" not in n, n))
    for name in names:
        ingest[name] = load(os.path.join(work, f"ingest-{name}.entry.json"))
    base = ingest.get("x1", {}).get("peakRSSMiB")
    flat = {}
    for name in names:
        if name != "x1" and base and ingest[name].get("peakRSSMiB") is not None:
            ratio = ingest[name]["peakRSSMiB"] / base
            flat[name] = {"ratio": ratio, "flat": ratio <= RSS_FLAT}
    for name in names:
        e = ingest[name]
        rows.append((f"ingest {name} ({e['processed']} items, {meta.get('ingestThreads', '?')} threads)",
                     f"{fmt(e['imagesPerSecond'])} img/s, {fmt(e['peakRSSMiB'], 0)} MiB peak RSS"))
    for name, v in flat.items():
        rows.append((f"ingest peak RSS {name} ÷ x1 (flat ≤ {RSS_FLAT}x)",
                     f"{v['ratio']:.2f}x {'flat' if v['flat'] else 'NOT flat'}"))
    if ingest:
        ingest["rssFlatLimit"] = RSS_FLAT
        ingest["rssFlat"] = flat
        ingest["rssStayedFlat"] = bool(flat) and all(v["flat"] for v in flat.values())
        summary["ingest"] = ingest

    summary["table"] = [{"measure": k, "value": v} for k, v in rows]
    width = max([len(k) for k, _ in rows] + [20])
    print()
    print("=" * (width + 40))
    print(f"Vitrine benchmark summary — {meta.get('date')} on {meta.get('cpu')} ({meta.get('cores')} cores, "
          f"load at start {meta.get('loadAtStart')})")
    print("=" * (width + 40))
    for k, v in rows:
        print(f"{k:<{width}}  {v}")
    os.makedirs(os.path.dirname(out_path), exist_ok=True)
    with open(out_path, "w") as f:
        json.dump(summary, f, indent=2, ensure_ascii=False)
        f.write("\n")
    print(f"\n(written to {out_path})")


def main(argv):
    if not argv:
        raise SystemExit(__doc__)
    cmd, args = argv[0], argv[1:]
    if cmd == "time-v":
        print(json.dumps(parse_time_v(args[0])))
    elif cmd == "json":
        print(json.dumps(last_json_object(args[0])))
    elif cmd == "hashes":
        print_hashes(hashes_section(load(args[0]), load(args[1])))
    elif cmd == "hamming":
        split = args.index("--peer") if "--peer" in args else len(args)
        print_hamming([load(p) for p in args[:split]], [load(p) for p in args[split + 1:]])
    elif cmd == "ingest":
        name, result, timing = args
        entry = ingest_entry(load(result), load(timing))
        with open(result.replace(".json", ".entry.json"), "w") as f:
            json.dump(entry, f)
        print_ingest(name, entry)
    elif cmd == "final":
        final(args[0], args[1])
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
