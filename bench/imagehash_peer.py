#!/usr/bin/env python3
"""The Python peer of `vitrine bench hashes`: Pillow decode + imagehash aHash, dHash, pHash, wHash.

Usage: imagehash_peer.py FOLDER [--passes N] [--decode-only]

Walks FOLDER recursively (hidden files and folders skipped, sorted paths, image extensions
only), reads every file into memory once (as the Swift side does, so that neither side times
file I/O), then for each pass decodes each file with Pillow, converts it to RGB and computes
the four hashes with hash_size 8, on one thread. A file that fails is counted as an error; the
run never stops on one. Prints one JSON object for the last pass:

  {images, errors, megapixels, seconds, imagesPerSecond, megapixelsPerSecond, threads: 1, ...}

Megapixels are those of the full-resolution image (width × height from the header), as in the
Swift figure.
"""
import os

# One thread for real: these must be set before numpy / scipy load their BLAS and OpenMP runtimes.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS",
             "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import importlib.metadata  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

IMAGE_EXTENSIONS = {"jpg", "jpeg", "jpe", "png", "tif", "tiff", "jp2", "webp", "gif", "bmp"}


def image_files(folder):
    """Sorted image paths under folder, hidden files and folders skipped."""
    found = []
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if name.startswith("."):
                continue
            ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
            if ext in IMAGE_EXTENSIONS:
                found.append(os.path.join(root, name))
    return sorted(found)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder")
    parser.add_argument("--passes", type=int, default=2)
    parser.add_argument("--decode-only", action="store_true", help="decode and convert only, no hashes")
    args = parser.parse_args(argv)

    if not os.path.isdir(args.folder):
        print(f"imagehash_peer: {args.folder}: no such folder", file=sys.stderr)
        return 2

    import imagehash
    from PIL import Image

    versions = {"python": sys.version.split()[0]}
    for dist in ("ImageHash", "Pillow", "numpy", "scipy", "PyWavelets"):
        try:
            versions[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            versions[dist] = None

    warnings.simplefilter("ignore")  # e.g. palette-with-transparency or EXIF warnings from Pillow

    files = image_files(args.folder)
    data = []
    read_errors = 0
    for path in files:
        try:
            with open(path, "rb") as f:
                data.append(f.read())
        except OSError:
            read_errors += 1

    result = None
    for pass_index in range(max(1, args.passes)):
        images = errors = 0
        megapixels = 0.0
        start = time.perf_counter()
        for blob in data:
            try:
                with Image.open(io.BytesIO(blob)) as im:
                    width, height = im.size
                    rgb = im.convert("RGB")
                if not args.decode_only:
                    imagehash.average_hash(rgb, hash_size=8)
                    imagehash.dhash(rgb, hash_size=8)
                    imagehash.phash(rgb, hash_size=8)
                    imagehash.whash(rgb, hash_size=8)
                images += 1
                megapixels += width * height / 1e6
            except Exception:  # noqa: BLE001 - any failure is an error, never a crash
                errors += 1
        seconds = time.perf_counter() - start
        result = {
            "images": images,
            "errors": errors,
            "megapixels": megapixels,
            "seconds": seconds,
            "imagesPerSecond": images / seconds if seconds > 0 else 0.0,
            "megapixelsPerSecond": megapixels / seconds if seconds > 0 else 0.0,
            "threads": 1,
            "readErrors": read_errors,
            "decodeOnly": args.decode_only,
            "versions": versions,
        }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
