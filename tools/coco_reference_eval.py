#!/usr/bin/env python3
"""Reference COCO bbox evaluation with pycocotools, for the Datasets agreement tests.

usage: coco_reference_eval.py GT.json RESULTS.json
prints one JSON object: {"stats": [12 figures of COCOeval.summarize()],
                         "per_category": {"<category id>": [AP, AP50, AP75]}}

pycocotools records matches by annotation id and reads id 0 as "unmatched", so a ground-truth
annotation with id 0 would never count as found. Vitrine matches it like any other, so this
script renumbers ground-truth annotation ids (id + 1) before evaluating; nothing else changes.
"""
import contextlib
import io
import json
import sys

import numpy as np
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval


def main():
    gt_path, dt_path = sys.argv[1], sys.argv[2]
    with open(gt_path) as f:
        gt = json.load(f)
    gt.setdefault("info", {})
    gt.setdefault("licenses", [])
    for a in gt["annotations"]:
        a["id"] = int(a["id"]) + 1
    with open(dt_path) as f:
        dt = json.load(f)
    with contextlib.redirect_stdout(io.StringIO()):
        coco_gt = COCO()
        coco_gt.dataset = gt
        coco_gt.createIndex()
        coco_dt = coco_gt.loadRes(dt)
        e = COCOeval(coco_gt, coco_dt, "bbox")
        e.evaluate()
        e.accumulate()
        e.summarize()
    per = {}
    p = e.eval["precision"]
    for k, cat in enumerate(e.params.catIds):
        row = []
        for t in (None, 0, 5):
            s = p[:, :, k, 0, 2] if t is None else p[t, :, k, 0, 2]
            row.append(float(np.mean(s[s > -1])) if (s > -1).any() else -1.0)
        per[str(cat)] = row
    print(json.dumps({"stats": [float(x) for x in e.stats], "per_category": per}))


if __name__ == "__main__":
    main()
