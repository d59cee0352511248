#!/usr/bin/env python3
"""Keep the part of a minimised corpus that fits a byte budget and covers the most.

libFuzzer's merge (`cargo fuzz cmin`) keeps every input that adds a feature, smallest first,
however many bytes that takes. When a target's corpus is still too big to commit, this picks,
from the control file of a merge, the inputs with the most new features per byte until the
budget is spent, and says how much of the features and of the coverage the kept ones hold.

    T=archive
    mkdir -p /tmp/empty
    target/x86_64-unknown-linux-gnu/debug/$T -merge=1 -merge_control_file=/tmp/$T.ctl \\
        -max_len=20000 /tmp/empty corpus/$T
    python3 budget.py /tmp/$T.ctl 300000 > /tmp/keep.txt   # the paths kept, one a line

(from fuzz/, after `cargo +nightly fuzz build --dev --sanitizer none`); then replace
corpus/$T with the files listed.
"""

import os
import sys


def main() -> None:
    control, budget = sys.argv[1], int(sys.argv[2])
    lines = open(control, encoding="utf-8").read().splitlines()
    n = int(lines[0])
    paths = lines[2 : 2 + n]
    features: dict[int, set[int]] = {}
    edges: dict[int, set[int]] = {}
    for line in lines[2 + n :]:
        parts = line.split()
        if parts and parts[0] in ("FT", "COV"):
            into = features if parts[0] == "FT" else edges
            into[int(parts[1])] = set(map(int, parts[2:]))
    size = {i: os.path.getsize(paths[i]) for i in range(n)}
    all_features = set().union(*features.values())
    all_edges = set().union(*edges.values())
    have: set[int] = set()
    have_edges: set[int] = set()
    kept: list[int] = []
    spent = 0
    left = {i for i in range(n) if features.get(i)}
    while left:
        # New features per byte (32 bytes added: a file costs something however small).
        best = max(left, key=lambda i: (len(features[i] - have) / (size[i] + 32), -size[i]))
        left.discard(best)
        if not features[best] - have:
            break
        if spent + size[best] > budget:
            continue
        kept.append(best)
        spent += size[best]
        have |= features[best]
        have_edges |= edges.get(best, set())
    print(
        f"kept {len(kept)} of {n} inputs, {spent} bytes: features {len(have)} of "
        f"{len(all_features)}, coverage edges {len(have_edges)} of {len(all_edges)}",
        file=sys.stderr,
    )
    for i in kept:
        print(paths[i])


if __name__ == "__main__":
    main()
