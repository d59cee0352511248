#!/usr/bin/env python3
"""plan-precision.py PLANS_DIR [REPO...]: compares `hfaudit plan --format json` with a ground truth
of Hub calls (docs/plan.md, "Precision on real code").

PLANS_DIR holds NAME.json, the output of `hfaudit plan --no-config --format json REPOS/NAME`.
The ground truth comes from `hub_calls.py` (set HUB_CALLS to its folder; it needs ripgrep), which
lists every Hub call of REPOS/NAME with the repository id it names (literal, constant,
unresolved, placeholder, ...). Files the plan does not read by design (Markdown, reST, text, HTML)
are left out of the ground truth.

For each repository it prints: the plan's calls resolved to a repository and unresolved; the ground
truth's calls in code (literal or constant, unresolved); the calls where both name the same
repository; and every call where they differ (`different`), to be read by hand, with the ground
truth's row. A plan id that differs from a literal or constant ground-truth id at the same call
is a defect unless reading the file shows otherwise."""
import collections
import json
import os
import re
import sys

sys.path.insert(0, os.environ.get("HUB_CALLS", "/work/precision/tools"))
import hub_calls as hc  # noqa: E402

REPOS = os.environ.get("REPOS", "/work/precision/repos")
DOCS = (".md", ".mdx", ".rst", ".txt", ".html", ".htm")
# The plan's call names and the ground truth's for the same call.
SAME = {
    "url": {"URL", "inference URL", "git clone", "git push", "git remote"},
    "git clone": {"git clone", "URL"},
    "git push": {"git push", "git remote", "URL"},
    "push_to_hub=True": {"push_to_hub"},
    "--push_to_hub": {"push_to_hub"},
    "--push-to-hub": {"push_to_hub"},
}
PY = set(hc.PY_CALLS)


def truth(repo):
    notes = hc.load_notes()
    root = os.path.join(REPOS, repo)
    out = []
    for path in hc.rg_files(root):
        rel = os.path.relpath(path, root)
        if rel.lower().endswith(DOCS):
            continue
        for line, call, kind, access, status, value in hc.scan_file(path):
            fields, _ = notes.get((repo, f"{rel}:{line}")) or notes.get((repo, rel)) or ({}, "")
            row = {"kind": kind, "access": access, "id": status, "repository": value}
            row.update({k: v for k, v in fields.items() if k in row})
            out.append(dict(path=rel, line=line, call=call, **row))
    return out


def truth_id(row):
    value = row["repository"]
    if row["id"] == "constant":
        m = re.search(r"= '(.*)'$|= \"(.*)\"$", value)
        value = (m.group(1) or m.group(2)) if m else value
    value = value.replace(" (from a URL)", "")
    for prefix in ("datasets/", "spaces/", "buckets/", "hf-hub:"):
        value = value.removeprefix(prefix)
    return value


def same_call(mine, theirs):
    if mine == theirs or theirs in SAME.get(mine, ()):
        return True
    if mine not in PY and theirs in ("URL", "inference URL"):
        return True  # a command given a Hub URL (curl, wget, a downloader)
    a, b = mine.split(), theirs.split()
    return a[-1] == b[-1] and a[0] in ("hf", "huggingface-cli") and b[0] in ("hf", "huggingface-cli")


def plan(plans, repo):
    doc = json.load(open(os.path.join(plans, f"{repo}.json")))
    for t in doc["tokens"]:
        for e in t["evidence"]:
            yield dict(e, resolved=True)
        for u in t["unresolved"]:
            yield dict(u, repo=None, resolved=False)


def main():
    plans = sys.argv[1]
    repos = sys.argv[2:] or sorted(f[:-5] for f in os.listdir(plans) if f.endswith(".json"))
    for repo in repos:
        rows = truth(repo)
        counts = collections.Counter()
        different = []
        for use in plan(plans, repo):
            counts["resolved" if use["resolved"] else "unresolved"] += 1
            if not use["resolved"] or use["repo"] is None:
                continue
            kind, ident = use["repo"].split(":", 1)
            near = sorted(
                (r for r in rows if r["path"] == use["path"] and abs(r["line"] - use["line"]) <= 3
                 and same_call(use["call"], r["call"])),
                key=lambda r: abs(r["line"] - use["line"]))
            literal = [r for r in near if r["id"] in ("literal", "constant")]
            if any(truth_id(r) == ident or (kind == "namespace" and truth_id(r).split("/")[0] == ident)
                   for r in literal):
                counts["same"] += 1
            elif near:
                different.append((use, near[0]))
            else:
                counts["not in the ground truth"] += 1
        counts["truth: literal or constant"] = sum(r["id"] in ("literal", "constant") for r in rows)
        counts["truth: unresolved"] = sum(r["id"] == "unresolved" for r in rows)
        print(f"{repo}: {dict(counts)}")
        for use, row in different:
            print(f"  different: {use['path']}:{use['line']} {use['call']} {use['repo']}"
                  f" | truth {row['line']} {row['call']} {row['kind']} {row['id']} {row['repository'][:70]}")


if __name__ == "__main__":
    main()
