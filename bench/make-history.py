#!/usr/bin/env python3
"""Write a `git fast-import` stream for a repository with a long history.

Used by bench/history.sh. Deterministic for a given --seed. The history has a main line of
--commits commits touching 1-4 files each, feature branches merged back with merge commits,
and a few unmerged work-in-progress branches. Some commits add a fake Hugging Face token (made
up here, at random: none is real) to a file, some later delete one, so the tokens of old
commits are no longer in the tree.

Prints the stream on stdout; writes the expected number of findings of
`hfaudit scan --history` (one per path and token) to --truth.
"""

import argparse
import json
import random
import string
import sys

WORDS = (
    "model dataset token config train eval loss batch epoch tensor layer weight "
    "device cuda cache path file name value result output input prompt score"
).split()
ALNUM = string.ascii_letters + string.digits


def fake_token(rng):
    while True:
        body = "".join(rng.choice(ALNUM) for _ in range(34))
        if any(c.isdigit() for c in body) and any(c.isalpha() for c in body):
            return "hf_" + body


def code_line(rng):
    a, b, c = rng.sample(WORDS, 3)
    kind = rng.randrange(4)
    if kind == 0:
        return f"    {a}_{b} = {c}({rng.randrange(1000)})"
    if kind == 1:
        return f"def {a}_{b}({c}):"
    if kind == 2:
        return f"    return {a}.{b}({c}, {rng.random():.4f})"
    return f"# {a} {b} {c} {rng.randrange(10**6)}"


class Writer:
    def __init__(self, out):
        self.out = out
        self.mark = 0
        self.when = 1_600_000_000

    def data(self, text):
        raw = text.encode()
        self.out.write(b"data %d\n" % len(raw))
        self.out.write(raw)
        self.out.write(b"\n")

    def commit(self, ref, message, files, deleted=(), parent=None, merge=None):
        """Writes a commit; `files` maps path -> list of lines. Returns its mark."""
        self.mark += 1
        self.when += 600
        w = self.out
        w.write(f"commit {ref}\nmark :{self.mark}\n".encode())
        who = "Bench Writer <bench@example.invalid>"
        w.write(f"author {who} {self.when} +0000\ncommitter {who} {self.when} +0000\n".encode())
        self.data(message)
        if parent is not None:
            w.write(f"from :{parent}\n".encode())
        if merge is not None:
            w.write(f"merge :{merge}\n".encode())
        for path in deleted:
            w.write(f"D {path}\n".encode())
        for path, lines in files.items():
            w.write(f"M 100644 inline {path}\n".encode())
            self.data("\n".join(lines) + "\n")
        w.write(b"\n")
        return self.mark


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--commits", type=int, default=3000)
    ap.add_argument("--files", type=int, default=200)
    ap.add_argument("--lines", type=int, default=100, help="lines per file at the start")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--truth", required=True)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    w = Writer(sys.stdout.buffer)
    introduced = set()  # (path, token): what --history must report

    tree = {}
    for i in range(args.files):
        folder = rng.choice(["src", "src/models", "scripts", "train", "serve", "lib"])
        tree[f"{folder}/mod_{i:03}.py"] = [code_line(rng) for _ in range(args.lines)]
    tip = w.commit("refs/heads/main", "initial import\n", tree)
    paths = sorted(tree)
    with_token = {}  # path -> line index of a token line, on main

    def edit(state, path, tokens_at, allow_tokens=True):
        lines = state[path]
        roll = rng.random()
        if allow_tokens and roll < 0.05 and path not in tokens_at:
            token = fake_token(rng)
            at = rng.randrange(len(lines) + 1)
            lines.insert(at, f'HF_TOKEN = "{token}"')
            tokens_at[path] = token
            introduced.add((path, token))
        elif allow_tokens and roll < 0.08 and path in tokens_at:
            token = tokens_at.pop(path)
            state[path] = [l for l in lines if token not in l]
        elif roll < 0.6:
            lines[rng.randrange(len(lines))] = code_line(rng)
        else:
            at = rng.randrange(len(lines) + 1)
            lines[at:at] = [code_line(rng) for _ in range(rng.randrange(1, 5))]

    made = 1
    feature = 0
    while made < args.commits:
        if made % 300 == 150:
            # A feature branch with its own files, merged back into main.
            feature += 1
            ref = f"refs/heads/feature-{feature}"
            side_tip = tip
            side = {}
            for j in range(10):
                path = f"features/f{feature}/part_{j % 3}.py"
                side.setdefault(path, [code_line(rng) for _ in range(30)])
                if j == 4:
                    token = fake_token(rng)
                    side[path].append(f'HF_TOKEN = "{token}"')
                    introduced.add((path, token))
                else:
                    side[path][rng.randrange(len(side[path]))] = code_line(rng)
                side_tip = w.commit(ref, f"feature {feature}: step {j}\n", {path: side[path]}, parent=side_tip)
                made += 1
            tip = w.commit("refs/heads/main", f"Merge feature {feature}\n", dict(side), parent=tip, merge=side_tip)
            tree.update(side)
            made += 1
            continue
        if made % 1000 == 500:
            # An unmerged work-in-progress branch: its token lives only there.
            ref = f"refs/heads/wip-{made}"
            wip_tip = tip
            state = {p: list(tree[p]) for p in paths[:5]}
            wip_tokens = dict(with_token)
            for j in range(5):
                path = paths[j]
                edit(state, path, wip_tokens)
                if j == 2 and path not in wip_tokens:
                    token = fake_token(rng)
                    state[path].append(f'HF_TOKEN = "{token}"')
                    introduced.add((path, token))
                wip_tip = w.commit(ref, f"wip {j}\n", {path: state[path]}, parent=wip_tip)
                made += 1
            continue
        touched = rng.sample(paths, rng.randrange(1, 5))
        for path in touched:
            edit(tree, path, with_token)
        tip = w.commit(
            "refs/heads/main",
            f"change {made}: {' '.join(rng.sample(WORDS, 3))}\n",
            {p: tree[p] for p in touched},
            parent=tip,
        )
        made += 1

    with open(args.truth, "w") as f:
        json.dump(
            {
                "commits": w.mark,
                "expected_findings": len(introduced),
                "seed": args.seed,
            },
            f,
        )


if __name__ == "__main__":
    main()
