#!/usr/bin/env python3
"""Lays out N copies of an image folder for the streaming-ingest benchmark.

Usage: make_copies.py SOURCE DEST --copies N [--distinct]

Creates DEST/copy01 ... DEST/copyNN, each mirroring SOURCE (hidden files and folders skipped).
copy01 is always hard links to SOURCE (a plain copy where hard links are impossible).
Without --distinct every copy is hard links: identical bytes at distinct paths.
With --distinct, copies 2...N get bytes of their own that decode to the same pixels, so the
store and the thumbnail cache cannot share work between copies:
  - JPEG: a COM segment (FF FE) right after SOI, carrying the copy's number;
  - PNG: a tEXt chunk (with its CRC) right before IEND;
  - any other format (TIFF, GIF, WebP, JPEG 2000, BMP): the marker appended after the end of
    the file, which decoders read past or ignore.
Prints one JSON object: {files, copies, distinct, bytes}.
"""
import argparse
import json
import os
import shutil
import struct
import sys
import zlib


def marked(data, copy):
    text = f"vitrine-bench copy {copy:02d}".encode()
    if data[:3] == b"\xff\xd8\xff":
        segment = b"\xff\xfe" + struct.pack(">H", len(text) + 2) + text
        return data[:2] + segment + data[2:]
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        end = data.rfind(b"IEND")
        if end >= 4:
            body = b"Comment\x00" + text
            chunk = struct.pack(">I", len(body)) + b"tEXt" + body + struct.pack(">I", zlib.crc32(b"tEXt" + body))
            return data[:end - 4] + chunk + data[end - 4:]
    return data + b"\x00" + text


def link_or_copy(src, dst):
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source")
    parser.add_argument("dest")
    parser.add_argument("--copies", type=int, required=True)
    parser.add_argument("--distinct", action="store_true")
    args = parser.parse_args(argv)

    files = []
    for root, dirs, names in os.walk(args.source):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if not name.startswith("."):
                files.append(os.path.relpath(os.path.join(root, name), args.source))

    total_bytes = 0
    for copy in range(1, args.copies + 1):
        base = os.path.join(args.dest, f"copy{copy:02d}")
        for rel in files:
            src = os.path.join(args.source, rel)
            dst = os.path.join(base, rel)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            if copy == 1 or not args.distinct:
                link_or_copy(src, dst)
                total_bytes += os.path.getsize(dst)
            else:
                with open(src, "rb") as f:
                    data = marked(f.read(), copy)
                with open(dst, "wb") as f:
                    f.write(data)
                total_bytes += len(data)
    print(json.dumps({"files": len(files) * args.copies, "copies": args.copies,
                      "distinct": args.distinct, "bytes": total_bytes}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
