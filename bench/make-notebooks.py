#!/usr/bin/env python3
"""Writes a tree of Jupyter notebooks full of base64 images (random bytes as PNG data), for
timing the decoders: `python3 bench/make-notebooks.py OUT_DIR [--count N] [--kb K]`.
Deterministic; standard library only; no tokens in it."""
import argparse, base64, json, os, random

p = argparse.ArgumentParser()
p.add_argument("out")
p.add_argument("--count", type=int, default=300)
p.add_argument("--kb", type=int, default=700, help="image bytes per notebook, in KiB")
a = p.parse_args()
rng = random.Random(7)
os.makedirs(a.out, exist_ok=True)
for i in range(a.count):
    cells = []
    for j in range(4):
        img = base64.b64encode(rng.randbytes(a.kb * 1024 // 4)).decode()
        cells.append({"cell_type": "code", "execution_count": j, "metadata": {}, "source": [f"plot({j})\n"],
                      "outputs": [{"output_type": "display_data", "metadata": {},
                                   "data": {"image/png": img, "text/plain": ["<Figure>"]}}]})
    with open(os.path.join(a.out, f"nb{i:04}.ipynb"), "w") as f:
        json.dump({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, f, indent=1)
