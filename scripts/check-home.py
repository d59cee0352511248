#!/usr/bin/env python3
"""One public home: Cargo.toml's `repository` is the only definition of hfaudit's repository.

What can derive it does: the wheel's "Source Code" link (pyproject.toml's `dynamic = ["urls"]`,
filled in by maturin) and what the binary prints (`env!("CARGO_PKG_REPOSITORY")`, SARIF's
`informationUri`). What cannot (the README's pre-commit and Action examples, action.yml,
docs/, CHANGELOG.md's links, SECURITY.md) must name exactly that repository: this check fails on
any GitHub URL or `uses:` reference to an hfaudit repository that differs, such as an `OWNER`
placeholder left behind once the home is set. .ci/run runs it; the release workflow runs it with
--release, which also refuses a definition that is still a placeholder.

Usage: check-home.py [--fix] [--release]
  --fix      rewrite every mention that differs to the definition, then check again
  --release  fail while the definition itself is a placeholder (OWNER)
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Mentions of a GitHub repository whose name starts with "hfaudit": a URL
# (https://github.com/OWNER/hfaudit/...) or an Action reference (uses: OWNER/hfaudit@v1).
URL = re.compile(r"github\.com/([^/\s\"'`()<>\[\]]+/hfaudit[\w.-]*)")
USES = re.compile(r"(?<![\w./-])([\w.-]+/hfaudit[\w.-]*)@")
PLACEHOLDERS = {"OWNER", "owner", "<owner>", "USER", "ORG", "YOUR_ORG", "example"}
# Where a mention is never the project's home: lock files, test data, build output, this file.
SKIP = re.compile(r"^(Cargo\.lock|fixtures/|target/|tests/all/snapshots/|scripts/check-home\.py$)")


def definition() -> str:
    text = (ROOT / "Cargo.toml").read_text(encoding="utf-8")
    package = re.search(r"^\[package\]\s*$(.*?)(?=^\[|\Z)", text, re.M | re.S)
    found = package and re.search(r'^repository\s*=\s*"([^"]+)"', package.group(1), re.M)
    if not found:
        sys.exit("check-home: no [package] repository in Cargo.toml")
    url = found.group(1)
    m = re.fullmatch(r"https://github\.com/([^/]+/[^/]+?)/?", url)
    if not m:
        sys.exit(f"check-home: Cargo.toml's repository {url!r} is not https://github.com/OWNER/NAME")
    return m.group(1)


def files() -> list[Path]:
    out = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT, check=True, capture_output=True
    ).stdout.decode()
    return [ROOT / p for p in out.split("\0") if p and not SKIP.match(p) and p != "Cargo.toml"]


def mentions(text: str):
    for pattern in (URL, USES):
        for m in pattern.finditer(text):
            yield m.start(1), m.end(1), m.group(1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fix", action="store_true")
    parser.add_argument("--release", action="store_true")
    args = parser.parse_args()
    slug = definition()
    owner = slug.split("/")[0]
    bad: list[str] = []
    agree = 0
    places = set()
    for path in files():
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, FileNotFoundError, IsADirectoryError):
            continue
        found = sorted(set(mentions(text)))
        wrong = [(s, e, g) for s, e, g in found if g != slug]
        agree += len(found) - len(wrong)
        if found:
            places.add(path.relative_to(ROOT).as_posix())
        if wrong and args.fix:
            for s, e, _ in sorted(wrong, reverse=True):
                text = text[:s] + slug + text[e:]
            path.write_text(text, encoding="utf-8")
            print(f"fixed {len(wrong)} in {path.relative_to(ROOT)}")
            continue
        for s, _e, g in wrong:
            line = text.count("\n", 0, s) + 1
            bad.append(f"{path.relative_to(ROOT)}:{line}: {g} (Cargo.toml's repository is {slug})")
    if bad:
        print("check-home: mentions of the project's home that differ from Cargo.toml's repository:")
        print("\n".join(f"  {b}" for b in bad))
        print("run scripts/check-home.py --fix to rewrite them")
        return 1
    print(f"check-home: https://github.com/{slug}: {agree} mentions in {len(places)} files agree")
    if owner in PLACEHOLDERS:
        if args.release:
            print(f"check-home: Cargo.toml's repository is still a placeholder ({owner}): set it before a release")
            return 1
        print(f"check-home: note: the owner is still a placeholder ({owner})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
