#!/usr/bin/env python3
"""Writes the starting inputs of every fuzz target into fuzz/corpus/<target>/seed-*: small
fixtures of the repository, and inputs made here around fake tokens (random letters and
digits from a fixed seed: never a real token). Python 3 standard library only.

The committed corpora are these seeds plus what fuzzing found, minimised (see README.md);
run this again only to start a corpus over.
"""

import base64
import bz2
import gzip
import io
import json
import lzma
import random
import string
import tarfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parent / "fixtures"
ALNUM = string.ascii_letters + string.digits


def tok(seed, prefix="hf_", n=34):
    r = random.Random(seed)
    return prefix + "".join(r.choice(ALNUM) for _ in range(n))


def lcg_token(seed):
    """The fake tokens of the baseline target (fuzz_targets/baseline.rs makes the same)."""
    alnum = string.ascii_uppercase + string.ascii_lowercase + string.digits
    mask = (1 << 64) - 1
    state, out = seed, ""
    for _ in range(34):
        state = (state * 6364136223846793005 + 1442695040888963407) & mask
        out += alnum[(state >> 33) % 62]
    return "hf_" + out


def jwt(seed):
    r = random.Random(seed)
    part = lambda n: "".join(r.choice(ALNUM + "-_") for _ in range(n))
    return "hf_jwt_eyJ" + part(20) + "." + part(40) + "." + part(43)


def write(target, name, data):
    d = HERE / "corpus" / target
    d.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    (d / f"seed-{name}").write_bytes(data)


def utf16(text, le=True, bom=False):
    enc = "utf-16-le" if le else "utf-16-be"
    mark = (b"\xff\xfe" if le else b"\xfe\xff") if bom else b""
    return mark + text.encode(enc)


def zip_bytes(members, method=zipfile.ZIP_DEFLATED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in members:
            z.writestr(zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0)), data, compress_type=method)
    return buf.getvalue()


def tar_bytes(members, fmt=tarfile.PAX_FORMAT):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as t:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 1577836800
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def texts():
    """Text inputs for the detector and the pipeline: (name, bytes, name index of inspect)."""
    t1, t2, t3 = tok(1), tok(2), tok(3)
    org = tok(4, "api_org_")
    oauth = "hf_oauth_" + tok(5, "", 40)
    u = "".join(f"\\u{ord(c):04x}" for c in t1)
    x = "".join(f"\\x{ord(c):02x}" for c in t2)
    pct = t3.replace("_", "%5F")
    b64 = base64.b64encode(f'{{"token": "{t1}"}}'.encode()).decode()
    b64_escaped = base64.b64encode(f'{{"token": "{u}"}}'.encode()).decode()
    out = [
        ("app", f'import os\nfrom huggingface_hub import login\nlogin(token="{t1}")\n'
                f'tok = os.environ["HF_TOKEN"]\n', 0),
        ("env", f"HF_TOKEN={t2}\nHUGGING_FACE_HUB_TOKEN={org}\n", 1),
        ("readme", f"# Demo\n\nexport HF_TOKEN={t3}\n`hf_...` is a placeholder\n", 3),
        ("dockerfile", f"FROM python:3.12\nARG HF_TOKEN\nENV HF_TOKEN={t1}\n"
                       "RUN echo $HF_TOKEN > /root/.cache/huggingface/token\n", 4),
        ("workflow", "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    env:\n"
                     "      HF_TOKEN: ${{ secrets.HF_TOKEN }}\n    steps:\n"
                     "      - run: echo $HF_TOKEN\n"
                     f"      - run: huggingface-cli login --token {t2}\n", 5),
        ("encoded", f'{{"a": "{u}", "b": "{x}", "url": "https://h/x?t={pct}"}}\n', 8),
        ("base64", f"auth: {b64}\nnested: {b64_escaped}\n", 14),
        ("kinds", f"{org} {oauth} {jwt(6)}\nhf_{'x' * 34} xhf_{tok(7, '')}\n", 15),
        ("utf16le", utf16(f"HF_TOKEN={t1}\nnotes\n", True, True), 15),
        ("utf16be", utf16(f"token: {t2}\n", False, False), 15),
        ("binary", b"\x7fELF\x00\x00\x00" + utf16(f"k={t3};", True) + b"\x00" + t1.encode()
                   + b"\x00SQLite", 6),
        ("bundle", f'var k="{u}";fetch("https://huggingface.co/api",{{headers:'
                   f'{{Authorization:"Bearer "+k}}}});\n', 12),
    ]
    return out


def notebook(seed):
    t = tok(seed)
    nb = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": ["# Explore\n"]},
            {"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [],
             "source": ["from huggingface_hub import login\n", f'login(token="{t}")']},
            {"cell_type": "code", "execution_count": 2, "metadata": {},
             "outputs": [{"name": "stdout", "output_type": "stream", "text": [f"{t}\n"]}],
             "source": "print(1)"},
        ],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
    }
    return json.dumps(nb, indent=1)


def notebook_v3(seed):
    t = tok(seed)
    nb = {"worksheets": [{"cells": [
        {"cell_type": "code", "input": [f'TOKEN = "{t}"'], "outputs": []},
        {"cell_type": "code", "input": "x", "outputs": [{"text": t}]},
    ]}], "nbformat": 3}
    return json.dumps(nb)


def archives():
    """(name, bytes) archives: the small fixtures, and made here."""
    out = []
    for p in sorted((FIXTURES / "archives").iterdir()):
        if p.suffix in (".sh", ".txt") or p.stat().st_size > 16 << 10:
            continue
        out.append((p.name, p.read_bytes()))
    env = f"HF_TOKEN={tok(11)}\n".encode()
    out += [
        ("made.zip", zip_bytes([(".env", env), ("a/b.py", b"x = 1\n")])),
        ("made.tar.bz2", bz2.compress(tar_bytes([("app/.env", env)], tarfile.GNU_FORMAT))),
        ("made.tar.xz", lzma.compress(tar_bytes([("app/.env", env)]))),
        ("made.py.gz", gzip.compress(env, mtime=0)),
        ("nested.zip", zip_bytes([("inner.tar.gz", gzip.compress(
            tar_bytes([("deep/settings.py", env)]), mtime=0))])),
        ("stored.zip", zip_bytes([("settings.py", env)], zipfile.ZIP_STORED)),
    ]
    return out


def git_streams():
    a, b, c, z = "1" * 40, "2" * 40, "3" * 40, "0" * 40
    head = lambda cid, parents: f"\x01{cid} {' '.join(parents)}\x1fA U Thor <a@example.com>" \
                                f"\x1f2024-01-02T03:04:05+00:00\x00\n"
    log = (head(a, [b]) + f":100644 100644 {b} {c} M\x00src/app.py\x00"
           + f":000000 100644 {z} {a} A\x00.env\x00"
           + f":100644 100644 {a} {b} R087\x00old name.py\x00new/name.py\x00"
           + f":120000 120000 {a} {b} M\x00link\x00"
           + head(b, [a, c]) + f"::100644 100644 100644 {a} {b} {c} MM\x00merged.py\x00")
    diff_index = f":100644 100644 {a} {z} M\x00staged.py\x00:000000 160000 {z} {b} A\x00sub\x00"
    stage = (f"100644 {a} 0\tsrc/app.py\x00100755 {b} 0\tscripts/run.sh\x00"
             f"120000 {c} 0\tlink\x00160000 {a} 0\tsub\x00")
    return [("log", log), ("diff-index", diff_index), ("stage", stage)]


def hub_answers():
    t = tok(21)
    lfs_oid = "a" * 64
    tree = [
        {"type": "directory", "oid": "1" * 40, "size": 0, "path": "src"},
        {"type": "file", "oid": "2" * 40, "size": 120, "path": "src/app.py"},
        {"type": "file", "oid": "3" * 40, "size": 5 << 30, "path": "model.safetensors",
         "lfs": {"oid": lfs_oid, "size": 5 << 30, "pointerSize": 134}},
        {"type": "file", "oid": "4" * 40, "size": 10, "path": "a/../../etc/passwd"},
        {"type": "file", "size": 10, "path": "weird name #1?.txt"},
    ]
    owner = [{"id": "acme/demo", "private": False}, {"id": "acme/other-model"}]
    refs = {"branches": [{"name": "main", "ref": "refs/heads/main"}],
            "pullRequests": [{"ref": "refs/pr/1"}, {"ref": "refs/pr/12"}, {"ref": "refs/pr/x"}]}
    page = {"discussions": [{"num": 1, "title": "a"}, {"num": 2}], "count": 5, "start": 0}
    thread = {"num": 1, "title": f"token {t}", "events": [
        {"type": "comment", "data": {"latest": {"raw": f"use {t} please"}}},
        {"type": "status-change", "data": {"status": "closed"}},
    ]}
    variables = {"HF_TOKEN": {"value": t, "description": "the token"}, "MODEL": "gpt2"}
    link = '<https://huggingface.co/api/models?cursor=abc>; rel="next", <https://h/p1>; rel="prev"'
    whoami = {"type": "user", "id": "1", "name": "alice",
              "orgs": [{"name": "acme"}, {"name": f"\u202eevil{t}"}],
              "auth": {"type": "access_token", "accessToken": {
                  "displayName": f"ci \x1b[31m{t}", "role": "fineGrained",
                  "fineGrained": {"global": ["discussion.write"],
                                  "scoped": [{"entity": {"type": "user"},
                                              "permissions": ["repo.content.read", t[3:]]}]}}}}
    return [
        (0x00, "tree", json.dumps(tree)), (0x18, "tree-space-pr", json.dumps(tree)),
        (0x01, "owner", json.dumps(owner)), (0x02, "refs", json.dumps(refs)),
        (0x03, "page", json.dumps(page)), (0x04, "thread", json.dumps(thread)),
        (0x05, "variables", json.dumps(variables)), (0x06, "link", link),
        (0x07, "whoami", json.dumps(whoami)),
        (0x07, "whoami-oauth", json.dumps({"name": "bob", "auth": {"type": "oauth"}})),
    ]


def main():
    for name, data, pick in texts():
        write("detect", name, data)
        write("inspect", name, bytes([pick]) + (data if isinstance(data, bytes) else data.encode()))
    for p in ["basic/app.py", "basic/legacy.py", "basic/README.md", "decoded/bundle.js",
              "decoded/config.json", "decoded/notes.txt", "decoded/secret.yaml",
              "decoded/link.txt", "binary/settings.pyc", "basic/data/cache.bin"]:
        write("detect", "fixture-" + p.replace("/", "-"), (FIXTURES / p).read_bytes())
    for seed, nb in [(31, notebook(31)), (32, notebook_v3(32))]:
        write("notebook", f"nb{seed}", nb)
        write("inspect", f"nb{seed}", b"\x02" + nb.encode())
    write("notebook", "fixture-explore", (FIXTURES / "basic/notebooks/explore.ipynb").read_bytes())
    write("notebook", "clean", (FIXTURES / "clean/notebooks/explore.ipynb").read_bytes())
    for name, data in archives():
        write("archive", name, data)
        write("inspect", name, b"\x07" + data)
    for name, data in git_streams():
        write("git_parse", name, data)
    for pick, name, body in hub_answers():
        write("hub_json", name, bytes([pick]) + body.encode())
    write("config", "hfaudit", b"\x00" + b'exclude = ["fixtures/", "*.ipynb"]\n'
          b'disable = ["HF004"]\nenv-vars = ["MY_HF_KEY"]\nread-calls = ["fetch_model"]\n'
          b'write-calls = ["push_model"]\nallow-fingerprints = ["0123456789abcdef"]\n'
          b'[severity]\nhf003 = "warning"\n')
    write("config", "pyproject", b"\x01[project]\nname = \"demo\"\n\n[tool.hfaudit]\n"
          b'exclude = ["data/"]\nenv-vars = ["TOKEN_FOR_HUB"]\n[tool.hfaudit.severity]\n'
          b'HF001 = "info"\n')
    write("config", "unknown-key", b"\x00colour = true\n")
    # The baseline target's findings: HF001 for these tokens at these paths.
    import hashlib
    fp = lambda t: hashlib.sha256(t.encode()).hexdigest()[:16]
    entries = [
        {"rule": "HF001", "fingerprint": fp(lcg_token(1)), "path": ".env"},
        {"rule": "HF001", "fingerprint": fp(lcg_token(2)), "path": "app.py"},
        {"rule": "HF001", "fingerprint": fp(lcg_token(1)), "path": "app.py"},
        {"rule": "HF001", "fingerprint": fp(lcg_token(3)), "path": "gone.txt"},
    ]
    write("baseline", "entries", json.dumps({"version": 1, "entries": entries}, indent=2))
    write("baseline", "empty", json.dumps({"version": 1, "entries": []}))
    write("baseline", "version2", json.dumps({"version": 2, "entries": []}))


if __name__ == "__main__":
    main()
