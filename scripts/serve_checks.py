#!/usr/bin/env python3
"""Helpers of scripts/serve-check-store and scripts/serve-checks (one subcommand each).

Stdlib only, except `validator-image` (Pillow + iiif-validator) and `presentation`
(iiif-prezi3), which run under .venv/bin/python. Every check prints PASS/FAIL lines and
exits non-zero when something failed; exit 3 means "skipped" (a package is missing).
"""

import argparse
import csv
import html.parser
import http.client
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

SKIP = 3  # exit status of a check that cannot run here

# The corpus selection of the check store: whole near-duplicate groups from four categories
# (so that duplicates, clusters and a classifier have something to find), then other images of
# the same categories up to about 60. Deterministic: sorted paths, no randomness.
CATEGORIES = ("painting", "musical_instrument", "building", "poster")
GROUPS = ("art_nouveau_staircase", "omeka_8c34b501073501df50f8a743", "omeka_cc7aaac2514f17b1d8217f1e",
          "omeka_bdf887c42f26ff62c7f3e5bd", "wuffs_hat", "milkmaid", "pye_waves")
PER_CATEGORY = 15          # images per category in all (group members count)
MAX_EXTRA_BYTES = 1 << 20  # other images above 1 MiB are left out (keeps the store small and fast)


def select(args):
    """Symlinks the selection into OUT/images and writes OUT/labels.csv and OUT/groups.csv."""
    corpus = os.path.abspath(args.corpus)
    images = os.path.join(args.out, "images")
    os.makedirs(images, exist_ok=True)
    with open(os.path.join(corpus, "labels.csv"), newline="") as f:
        category = {r["path"]: r["category"] for r in csv.DictReader(f)}
    with open(os.path.join(corpus, "neardup_groups.csv"), newline="") as f:
        members = list(csv.DictReader(f))
    in_any_group = {r["path"] for r in members}
    chosen = [r["path"] for r in members if r["group_id"] in GROUPS]
    for cat in CATEGORIES:
        have = sum(1 for p in chosen if category.get(p) == cat)
        others = sorted(p for p, c in category.items() if c == cat and p.startswith("images/")
                        and p not in in_any_group and os.path.getsize(os.path.join(corpus, p)) <= MAX_EXTRA_BYTES)
        chosen += others[:max(0, PER_CATEGORY - have)]
    link = {}
    for p in chosen:
        # Flat names (category__file) so the folder is one level deep.
        name = os.path.join(images, p.split("/", 1)[1].replace("/", "__"))
        if not os.path.islink(name):
            os.symlink(os.path.join(corpus, p), name)
        link[p] = os.path.relpath(name, args.out)  # CSV paths are read relative to the CSV's folder
    with open(os.path.join(args.out, "labels.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["path", "category"])
        for p in chosen:
            w.writerow([link[p], category[p]])
    with open(os.path.join(args.out, "groups.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["group_id", "path", "role", "relation_tags"])
        for r in members:
            if r["group_id"] in GROUPS:
                w.writerow([r["group_id"], link[r["path"]], r["role"], r["relation_tags"]])
    print(f"selected {len(chosen)} images ({sum(1 for r in members if r['group_id'] in GROUPS)} in "
          f"{len(GROUPS)} near-duplicate groups) into {images}")


def validator_image(args):
    """The IIIF validator's test image: 1000×1000 px, 10×10 squares of 100 px, where the square
    at column x, row y has ValidationInfo().colorInfo[x][y] (see do_test_square in the package)."""
    try:
        from PIL import Image, ImageDraw
        from iiif_validator.validator import ValidationInfo
    except ImportError as e:
        print(f"validator-image: skipped: {e} (iiif-validator not installed: PyPI unreachable?)")
        return SKIP
    colours = ValidationInfo().colorInfo
    img = Image.new("RGB", (1000, 1000))
    draw = ImageDraw.Draw(img)
    for x in range(10):
        for y in range(10):
            draw.rectangle([x * 100, y * 100, x * 100 + 99, y * 100 + 99], fill=tuple(colours[x][y]))
    img.save(args.out, "PNG")
    print(f"wrote {args.out}")
    return 0


def item_id(args):
    """Prints the catalog id of the item whose sourcePath is PATH."""
    db = sqlite3.connect(f"file:{os.path.join(args.store, 'catalog.sqlite')}?mode=ro", uri=True)
    row = db.execute("SELECT id FROM item WHERE sourcePath = ?", (os.path.abspath(args.path),)).fetchone()
    if row is None:
        row = db.execute("SELECT id FROM item WHERE sourcePath LIKE ?", ("%/" + os.path.basename(args.path),)).fetchone()
    if row is None:
        print(f"item-id: no item has source path {args.path}", file=sys.stderr)
        return 1
    print(row[0])
    return 0


def labels_by_id(args):
    """Rewrites labels.csv (path,category) as item_id,category with the catalog's ids."""
    db = sqlite3.connect(f"file:{os.path.join(args.store, 'catalog.sqlite')}?mode=ro", uri=True)
    ids = dict(db.execute("SELECT sourcePath, id FROM item"))
    folder = os.path.dirname(os.path.abspath(args.labels))
    with open(args.labels, newline="") as f, open(args.out, "w", newline="") as out:
        w = csv.writer(out)
        w.writerow(["item_id", "category"])
        for r in csv.DictReader(f):
            path = os.path.normpath(os.path.join(folder, r["path"]))
            if path in ids:
                w.writerow([ids[path], r["category"]])
    return 0


# ---------------------------------------------------------------- HTTP helpers

def get(url, accept=None, timeout=30):
    """(status, headers, body bytes) of a GET; HTTP errors are answers, not exceptions."""
    req = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def get_json(url):
    status, _, body = get(url, accept="application/json")
    if status != 200:
        raise RuntimeError(f"GET {url}: HTTP {status}: {body[:300].decode('utf-8', 'replace')}")
    return json.loads(body)


def all_item_ids(base, limit):
    """Item ids from /api/items, following nextCursor, at most `limit`."""
    ids, cursor = [], None
    while len(ids) < limit:
        q = {"limit": "50"}
        if cursor:
            q["cursor"] = cursor
        page = get_json(f"{base}/api/items?{urllib.parse.urlencode(q)}")
        ids += [it["id"] for it in page.get("items", [])]
        cursor = page.get("nextCursor")
        if not cursor or not page.get("items"):
            break
    return ids[:limit]


# ---------------------------------------------------------------- part b: Presentation 3

SAMPLE_MANIFEST = {
    "@context": "http://iiif.io/api/presentation/3/context.json",
    "id": "http://127.0.0.1:1/iiif/manifests/1", "type": "Manifest",
    "label": {"none": ["sample"]},
    "items": [{
        "id": "http://127.0.0.1:1/iiif/manifests/1/canvas/1", "type": "Canvas", "width": 1000, "height": 800,
        "items": [{
            "id": "http://127.0.0.1:1/iiif/manifests/1/page/1", "type": "AnnotationPage",
            "items": [{
                "id": "http://127.0.0.1:1/iiif/manifests/1/annotation/1", "type": "Annotation", "motivation": "painting",
                "target": "http://127.0.0.1:1/iiif/manifests/1/canvas/1",
                "body": {"id": "http://127.0.0.1:1/iiif/3/1/full/max/0/default.jpg", "type": "Image",
                         "format": "image/jpeg", "width": 1000, "height": 800,
                         "service": [{"id": "http://127.0.0.1:1/iiif/3/1", "type": "ImageService3", "profile": "level2"}]},
            }],
        }],
    }],
}
SAMPLE_COLLECTION = {
    "@context": "http://iiif.io/api/presentation/3/context.json",
    "id": "http://127.0.0.1:1/iiif/collections/clusters/1/0", "type": "Collection", "label": {"en": ["cluster 0"]},
    "items": [{"id": "http://127.0.0.1:1/iiif/manifests/1", "type": "Manifest", "label": {"none": ["sample"]}}],
}


def strict_prezi3():
    """iiif-prezi3 with its builder helpers off: as loaded, it fills in missing ids, wraps plain
    strings into language maps and single values into lists, which would hide server bugs."""
    import inspect
    import iiif_prezi3
    for _, cls in inspect.getmembers(iiif_prezi3.skeleton, inspect.isclass):
        if "_defaulters" in cls.__dict__:
            cls._defaulters = []
    return iiif_prezi3


def prezi_load(doc):
    """Validates a Presentation 3 document with iiif-prezi3 (pydantic, strict); raises on errors."""
    iiif_prezi3 = strict_prezi3()
    kind = doc.get("type") if isinstance(doc, dict) else None
    model = {"Manifest": iiif_prezi3.Manifest, "Collection": iiif_prezi3.Collection}.get(kind)
    if model is None:
        raise ValueError(f"type is {kind!r}, not Manifest or Collection")
    # model_validate_json: JSON mode, so URL strings are accepted by the strict models.
    return model.model_validate_json(json.dumps(doc))


def prezi_selftest():
    """The loader accepts a hand-written valid manifest and collection and rejects broken ones."""
    prezi_load(SAMPLE_MANIFEST)
    prezi_load(SAMPLE_COLLECTION)
    broken = json.loads(json.dumps(SAMPLE_MANIFEST))
    broken["label"] = "not a language map"
    del broken["items"][0]["id"]
    try:
        prezi_load(broken)
    except Exception:
        return
    raise AssertionError("iiif-prezi3 accepted a manifest without a canvas id and with a plain-string label")


def presentation(args):
    try:
        import iiif_prezi3  # noqa: F401
    except ImportError as e:
        print(f"SKIP presentation: {e} (iiif-prezi3 not installed: PyPI unreachable?)")
        return SKIP
    base = args.base
    prezi_selftest()
    print("  loader self-test: sample manifest and collection valid, broken manifest rejected")
    urls = [f"{base}/iiif/manifests/{i}" for i in all_item_ids(base, args.max_items)]
    clusters = get_json(f"{base}/api/clusters")
    clusters = clusters.get("clusters", clusters) if isinstance(clusters, dict) else clusters
    urls += [f"{base}/iiif/collections/clusters/{c['runID']}/{c['cluster']}" for c in clusters]
    groups = get_json(f"{base}/api/duplicates")
    groups = groups.get("groups", groups) if isinstance(groups, dict) else groups
    urls += [f"{base}/iiif/collections/duplicates/{g['id']}" for g in groups]
    urls.append(f"{base}/iiif/collections/search?q=")
    concept = first_concept(base)
    if concept:
        urls.append(f"{base}/iiif/collections/search?{urllib.parse.urlencode({'concept': concept})}")
    failures = 0
    for url in urls:
        status, _, body = get(url, accept="application/ld+json")
        try:
            if status != 200:
                raise RuntimeError(f"HTTP {status}: {body[:200].decode('utf-8', 'replace')}")
            prezi_load(json.loads(body))
            if args.verbose:
                print(f"  ok   {url}")
        except Exception as e:
            failures += 1
            print(f"  FAIL {url}\n       {str(e).strip()[:2000]}".replace("\n", "\n       "))
    print(f"  {len(urls) - failures} of {len(urls)} documents valid "
          f"({len(clusters)} clusters, {len(groups)} duplicate groups, concept {concept or 'none'})")
    return 1 if failures else 0


def first_concept(base):
    """A concept URI of some item's labels, if any item has one (from /api/items)."""
    page = get_json(f"{base}/api/items?limit=50")
    for it in page.get("items", []):
        for label in it.get("labels", []):
            concept = label.get("concept") or label.get("conceptURI") if isinstance(label, dict) else None
            if concept:
                return concept
    return None


# ---------------------------------------------------------------- part c: browser

PAGES = ("/", "/items/{item}", "/review/duplicates", "/review/predictions", "/clusters", "/map", "/evaluations")


def page_name(path):
    name = re.sub(r"[^A-Za-z0-9]+", "-", path).strip("-")
    return name or "home"


def chromium(*args, timeout=60):
    cmd = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
           "--virtual-time-budget=5000", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


class Resources(html.parser.HTMLParser):
    """The images, scripts and stylesheets a DOM refers to (src/href, entities decoded)."""

    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("img", "script") and a.get("src"):
            self.urls.append(a["src"])
        elif tag == "link" and "stylesheet" in (a.get("rel") or "") and a.get("href"):
            self.urls.append(a["href"])


def broken_resources(url, dom):
    """Same-origin resources of the DOM that do not answer 200 (headless Chromium logs no
    'Failed to load resource' lines, so they are fetched here)."""
    parser = Resources()
    parser.feed(dom)
    origin = urllib.parse.urlsplit(url).netloc
    failed = {}  # status -> [(ref, body)]
    for ref in dict.fromkeys(parser.urls):
        full = urllib.parse.urljoin(url, ref)
        if urllib.parse.urlsplit(full).netloc != origin:
            continue
        status, _, body = get(full)
        if status != 200:
            failed.setdefault(status, []).append((ref, body[:200].decode("utf-8", "replace")))
    problems = []
    for status, refs in sorted(failed.items()):
        problems.append(f"{len(refs)} of {len(parser.urls)} resources answer HTTP {status}, e.g.")
        problems += [f"  {ref} {body}" for ref, body in refs[:3]]
    return problems


def check_page(url, name, shots):
    """Problems of one page: HTTP status, data-js-errors in the DOM, Uncaught console errors,
    same-origin images, scripts and stylesheets that do not load."""
    problems = []
    status, _, _ = get(url)
    if status != 200:
        return [f"HTTP {status}"]
    dump = chromium("--enable-logging=stderr", "--v=0", "--window-size=1280,900", "--dump-dom", url)
    m = re.search(r'data-js-errors="?([^"\s>]*)', dump.stdout)
    if m:
        problems.append(f"data-js-errors={m.group(1)}")
    uncaught = [line.strip() for line in dump.stderr.splitlines() if "Uncaught" in line]
    problems += [f"console: {line[:300]}" for line in uncaught]
    problems += broken_resources(url, dump.stdout)
    if not dump.stdout.strip():
        problems.append(f"empty DOM (chromium exit {dump.returncode}: {dump.stderr.strip()[-300:]})")
    for size, suffix in (("1280,900", "1280"), ("390,844", "phone")):
        path = os.path.join(shots, f"{name}-{suffix}.png")
        shot = chromium(f"--window-size={size}", f"--screenshot={path}", url)
        if shot.returncode != 0 or not os.path.exists(path):
            problems.append(f"no screenshot {path} (chromium exit {shot.returncode})")
        else:
            print(f"    screenshot {path}")
    return problems


def browser(args):
    os.makedirs(args.shots, exist_ok=True)
    pages = args.pages.split() if args.pages else PAGES
    failures = 0
    for p in pages:
        path = p.format(item=args.item)
        problems = check_page(args.base + path, page_name(path), args.shots)
        print(f"  {'FAIL' if problems else 'ok  '} {path}" + "".join(f"\n       {x}" for x in problems))
        failures += bool(problems)
    return 1 if failures else 0


def browser_selftest(args):
    """The page check passes a clean page and catches an uncaught error (local http.server)."""
    import http.server
    import tempfile
    handler = ("<script>window.onerror=function(){var n=+(document.documentElement.dataset.jsErrors||0)+1;"
               "document.documentElement.setAttribute('data-js-errors',n)};</script>")
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "clean.html"), "w") as f:
            f.write(f"<!doctype html><html><head>{handler}</head><body><h1>fine</h1></body></html>")
        with open(os.path.join(d, "broken.html"), "w") as f:
            f.write(f"<!doctype html><html><head>{handler}</head><body><script>nope()</script></body></html>")
        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *a):
                pass
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), lambda *a: Quiet(*a, directory=d))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}"
        try:
            clean = check_page(base + "/clean.html", "selftest-clean", d)
            broken = check_page(base + "/broken.html", "selftest-broken", d)
            missing = check_page(base + "/missing.html", "selftest-missing", d)
        finally:
            server.shutdown()
    print(f"clean: {clean}\nbroken: {broken}\nmissing: {missing}")
    ok = not clean and any("data-js-errors" in p for p in broken) and any("console" in p for p in broken) and missing
    print("PASS browser self-test" if ok else "FAIL browser self-test")
    return 0 if ok else 1


# ---------------------------------------------------------------- part d: graceful shutdown

def process_state(pid):
    """'R', 'S', … from /proc/PID/stat; 'Z' for a zombie; None once reaped."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return None


def shutdown_burst(args):
    """Writers POST similar-item feedback without pause; after `--after` seconds the server gets
    SIGTERM. Writes {"accepted": [ids of 201 answers], "signalled": t, "exited": t} to OUT."""
    host, port = urllib.parse.urlsplit(args.base).hostname, urllib.parse.urlsplit(args.base).port
    body = json.dumps({"itemID": args.item_a, "similarItemID": args.item_b, "relevant": True, "who": "check"})
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {args.token}"}
    accepted, other, lock, stop = [], {}, threading.Lock(), threading.Event()

    def writer():
        conn = None
        while not stop.is_set():
            try:
                conn = conn or http.client.HTTPConnection(host, port, timeout=10)
                conn.request("POST", "/api/feedback/similar", body=body, headers=headers)
                r = conn.getresponse()
                data = r.read()
                with lock:
                    if r.status == 201:
                        accepted.append(json.loads(data)["id"])
                    else:
                        other[str(r.status)] = other.get(str(r.status), 0) + 1
                if r.getheader("Connection", "").lower() == "close":
                    conn.close(); conn = None
            except (OSError, http.client.HTTPException):
                # Refused or cut off while the server stops: expected after SIGTERM.
                if conn:
                    conn.close()
                conn = None
                with lock:
                    other["connection"] = other.get("connection", 0) + 1
                time.sleep(0.01)

    threads = [threading.Thread(target=writer) for _ in range(args.writers)]
    for t in threads:
        t.start()
    time.sleep(args.after)
    with lock:
        before = len(accepted)
    signalled = time.monotonic()
    os.kill(args.pid, signal.SIGTERM)
    while process_state(args.pid) not in (None, "Z") and time.monotonic() - signalled < args.timeout:
        time.sleep(0.05)
    exited = time.monotonic() - signalled
    stop.set()
    for t in threads:
        t.join()
    stopped = process_state(args.pid) in (None, "Z")
    with open(args.out, "w") as f:
        json.dump({"accepted": accepted, "beforeSignal": before, "other": other,
                   "secondsToExit": round(exited, 3), "exited": stopped}, f)
    print(f"  {len(accepted)} writes answered 201 ({before} before SIGTERM), others {other}; "
          f"server {'exited' if stopped else 'still running'} {exited:.2f} s after SIGTERM")
    return 0 if stopped else 1


def check_feedback(args):
    """integrity_check of the catalog, and every 201 id of the burst stored in similarFeedback."""
    with open(args.burst) as f:
        burst = json.load(f)
    db = sqlite3.connect(os.path.join(args.store, "catalog.sqlite"))
    integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
    stored = {r[0] for r in db.execute("SELECT id FROM similarFeedback WHERE who = 'check'")}
    missing = [i for i in burst["accepted"] if i not in stored]
    print(f"  PRAGMA integrity_check: {integrity}; {len(burst['accepted']) - len(missing)} of "
          f"{len(burst['accepted'])} accepted writes stored" + (f"; missing ids {missing[:20]}" if missing else ""))
    return 0 if integrity == "ok" and not missing and burst["accepted"] else 1


def detection_item(args):
    """Prints the item with the most detections, or nothing when there are none."""
    db = sqlite3.connect(f"file:{os.path.join(args.store, 'catalog.sqlite')}?mode=ro", uri=True)
    try:
        row = db.execute("SELECT itemID FROM detectionItem WHERE detections > 0 "
                         "ORDER BY detections DESC, itemID LIMIT 1").fetchone()
    except sqlite3.OperationalError:
        row = None
    if row:
        print(row[0])
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("select"); s.add_argument("corpus"); s.add_argument("out"); s.set_defaults(f=select)
    s = sub.add_parser("validator-image"); s.add_argument("out"); s.set_defaults(f=validator_image)
    s = sub.add_parser("item-id"); s.add_argument("store"); s.add_argument("path"); s.set_defaults(f=item_id)
    s = sub.add_parser("labels-by-id"); s.add_argument("store"); s.add_argument("labels"); s.add_argument("out")
    s.set_defaults(f=labels_by_id)
    s = sub.add_parser("detection-item"); s.add_argument("store"); s.set_defaults(f=detection_item)
    s = sub.add_parser("presentation"); s.add_argument("base"); s.add_argument("--max-items", type=int, default=60)
    s.add_argument("--verbose", action="store_true"); s.set_defaults(f=presentation)
    s = sub.add_parser("browser"); s.add_argument("base"); s.add_argument("shots"); s.add_argument("item")
    s.add_argument("--pages", help="space-separated paths instead of the web interface's pages"); s.set_defaults(f=browser)
    s = sub.add_parser("browser-selftest"); s.set_defaults(f=browser_selftest)
    s = sub.add_parser("shutdown-burst"); s.add_argument("base"); s.add_argument("token"); s.add_argument("pid", type=int)
    s.add_argument("item_a", type=int); s.add_argument("item_b", type=int); s.add_argument("out")
    s.add_argument("--writers", type=int, default=8); s.add_argument("--after", type=float, default=1.5)
    s.add_argument("--timeout", type=float, default=10); s.set_defaults(f=shutdown_burst)
    s = sub.add_parser("check-feedback"); s.add_argument("store"); s.add_argument("burst"); s.set_defaults(f=check_feedback)
    args = p.parse_args()
    sys.exit(args.f(args) or 0)


if __name__ == "__main__":
    main()
