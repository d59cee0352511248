#!/usr/bin/env python3
"""CHANGELOG.md (Keep a Changelog 1.1.0): check it, cut a release from it, print a release's notes.

Usage:
  changelog.py check                 the file has an `## [Unreleased]` section first, every other
                                     section is `## [X.Y.Z] - YYYY-MM-DD`, no version twice
  changelog.py notes VERSION         print the notes of VERSION (the release workflow's release
                                     notes); exit 1 when there is no such section, or it is empty
  changelog.py release VERSION [--date YYYY-MM-DD]
                                     move what is under Unreleased to a new VERSION section
                                     (today's date by default) and update the links at the end

Options: --file PATH (default: CHANGELOG.md at the repository root).
"""

from __future__ import annotations

import argparse
import datetime
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADING = re.compile(r"^## \[(?P<name>[^\]]+)\](?P<rest>.*)$", re.M)
VERSION = re.compile(r"\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?")
DATED = re.compile(r" - \d{4}-\d{2}-\d{2}")


class ChangelogError(Exception):
    """A changelog that does not follow the format, or lacks what was asked for."""


def sections(text: str) -> list[tuple[str, str, int, int]]:
    """(name, rest of the heading line, start of the heading, end of the section body)."""
    found = list(HEADING.finditer(text))
    links = re.search(r"^\[[^\]]+\]: ", text, re.M)
    end_of_all = links.start() if links else len(text)
    out = []
    for i, m in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else end_of_all
        out.append((m.group("name"), m.group("rest"), m.start(), end))
    return out


def check(text: str) -> list[str]:
    """Every problem with the file (empty when it is well-formed)."""
    problems = []
    found = sections(text)
    if not found or found[0][0] != "Unreleased":
        problems.append("the first section must be `## [Unreleased]`")
    seen = set()
    for name, rest, _start, _end in found:
        if name == "Unreleased":
            if rest.strip():
                problems.append("`## [Unreleased]` takes no date")
            continue
        if not VERSION.fullmatch(name):
            problems.append(f"`## [{name}]`: not a version (X.Y.Z)")
        if not DATED.fullmatch(rest):
            problems.append(f"`## [{name}]{rest}`: a release heading is `## [X.Y.Z] - YYYY-MM-DD`")
        if name in seen:
            problems.append(f"`## [{name}]` appears twice")
        seen.add(name)
    if [n for n, *_ in found].count("Unreleased") > 1:
        problems.append("`## [Unreleased]` appears twice")
    return problems


def notes(text: str, version: str) -> str:
    for name, _rest, start, end in sections(text):
        if name == version:
            body = text[start:end].split("\n", 1)[1].strip() if "\n" in text[start:end] else ""
            if not body:
                raise ChangelogError(f"CHANGELOG.md: the section `## [{version}]` is empty")
            return body + "\n"
    raise ChangelogError(
        f"CHANGELOG.md has no `## [{version}]` section: run `scripts/changelog.py release {version}`"
        " before tagging"
    )


def release(text: str, version: str, date: str) -> str:
    if not VERSION.fullmatch(version):
        raise ChangelogError(f"{version!r} is not a version (X.Y.Z)")
    found = sections(text)
    if any(name == version for name, *_ in found):
        raise ChangelogError(f"CHANGELOG.md already has `## [{version}]`")
    if not found or found[0][0] != "Unreleased":
        raise ChangelogError("CHANGELOG.md has no `## [Unreleased]` section first")
    _name, _rest, start, end = found[0]
    body = text[start:end].split("\n", 1)[1].strip()
    if not body:
        raise ChangelogError("nothing under `## [Unreleased]` to release")
    new = f"## [Unreleased]\n\n## [{version}] - {date}\n\n{body}\n\n"
    text = text[:start] + new + text[end:]
    # The links: Unreleased compares from the new tag; the new version links to its tag.
    m = re.search(r"^\[Unreleased\]: (https://github\.com/[^/\s]+/[^/\s]+)/\S*$", text, re.M)
    if m:
        home = m.group(1)
        previous = next((n for n, *_ in found[1:]), None)
        tag_link = (
            f"{home}/compare/v{previous}...v{version}" if previous else f"{home}/releases/tag/v{version}"
        )
        text = (
            text[: m.start()]
            + f"[Unreleased]: {home}/compare/v{version}...HEAD\n[{version}]: {tag_link}"
            + text[m.end() :]
        )
    return text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=ROOT / "CHANGELOG.md")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("check")
    p = sub.add_parser("notes")
    p.add_argument("version")
    p = sub.add_parser("release")
    p.add_argument("version")
    p.add_argument("--date", default=datetime.date.today().isoformat())
    args = parser.parse_args()
    try:
        text = args.file.read_text(encoding="utf-8")
    except OSError as e:
        print(f"changelog: cannot read {args.file}: {e.strerror}", file=sys.stderr)
        return 1
    try:
        if args.command == "check":
            problems = check(text)
            for p in problems:
                print(f"{args.file.name}: {p}", file=sys.stderr)
            if problems:
                return 1
            print(f"changelog: {args.file.name} is well-formed, with an Unreleased section")
        elif args.command == "notes":
            sys.stdout.write(notes(text, args.version.removeprefix("v")))
        else:
            args.file.write_text(release(text, args.version, args.date), encoding="utf-8")
            print(f"changelog: Unreleased is now {args.version} - {args.date}")
    except ChangelogError as e:
        print(f"changelog: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
