#!/usr/bin/env python3
"""Standalone release archives from the wheels: the binary each wheel carries, with README, the
licence texts, man pages and shell completions, as hfaudit-VERSION-TARGET.tar.gz (.zip for
Windows), plus SHA256SUMS. One build per platform serves PyPI and the GitHub release alike.

Usage: release-archives.py --out DIR WHEEL...

The man pages and completions are the same on every platform; they come from whichever wheel's
binary runs on this machine.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import re
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Wheel platform tag (its architecture and libc or OS) -> Rust target triple.
TARGETS = [
    (r"^manylinux.*_x86_64$", "x86_64-unknown-linux-gnu"),
    (r"^manylinux.*_aarch64$", "aarch64-unknown-linux-gnu"),
    (r"^musllinux.*_x86_64$", "x86_64-unknown-linux-musl"),
    (r"^musllinux.*_aarch64$", "aarch64-unknown-linux-musl"),
    (r"^linux_x86_64$", "x86_64-unknown-linux-gnu"),
    (r"^macosx_.*_x86_64$", "x86_64-apple-darwin"),
    (r"^macosx_.*_arm64$", "aarch64-apple-darwin"),
    (r"^win_amd64$", "x86_64-pc-windows-msvc"),
]
SHELLS = {"bash": "hfaudit.bash", "zsh": "_hfaudit", "fish": "hfaudit.fish", "powershell": "_hfaudit.ps1"}


def target_of(wheel: Path) -> tuple[str, str]:
    # name-version-py3-none-platform.whl; a platform may be several tags joined by dots.
    name, version, _py, _abi, platform = wheel.name[: -len(".whl")].split("-")
    for tag in platform.split("."):
        for pattern, triple in TARGETS:
            if re.match(pattern, tag):
                return version, triple
    sys.exit(f"{wheel.name}: no known target for platform {platform!r}")


def binary_of(wheel: Path) -> tuple[str, bytes]:
    with zipfile.ZipFile(wheel) as whl:
        for info in whl.infolist():
            if re.fullmatch(r"[^/]+\.data/scripts/hfaudit(\.exe)?", info.filename):
                return Path(info.filename).name, whl.read(info)
    sys.exit(f"{wheel.name}: no hfaudit binary inside")


def docs(binaries: list[tuple[str, bytes]]) -> dict[str, bytes]:
    """man/*.1 and completions/*, from the first binary that runs here."""
    with tempfile.TemporaryDirectory() as tmp:
        for name, data in binaries:
            exe = Path(tmp) / name
            exe.write_bytes(data)
            exe.chmod(0o755)
            try:
                run = lambda *args: subprocess.run([str(exe), *args], check=True, capture_output=True).stdout
                run("--version")
            except (OSError, subprocess.CalledProcessError):
                continue
            out = {f"completions/{file}": run("completions", shell) for shell, file in SHELLS.items()}
            out["man/hfaudit.1"] = run("man")
            help_text = run("--help").decode()
            commands = re.findall(r"^  ([a-z][a-z-]+)  ", help_text.split("Commands:")[1].split("Options:")[0], re.M)
            for command in commands:
                if command != "help":
                    out[f"man/hfaudit-{command}.1"] = run("man", command)
            return out
    sys.exit("none of the binaries runs on this machine: cannot make man pages and completions")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("wheels", type=Path, nargs="+")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    built = [(wheel, *target_of(wheel), *binary_of(wheel)) for wheel in args.wheels]
    extra = docs([(name, data) for *_, name, data in built])
    for name in ("README.md", "LICENSE-MIT", "LICENSE-APACHE"):
        extra[name] = (ROOT / name).read_bytes()
    sums = []
    seen = set()
    for wheel, version, triple, name, data in built:
        if triple in seen:  # manylinux_x86_64 and linux_x86_64 wheels of one build
            continue
        seen.add(triple)
        folder = f"hfaudit-{version}-{triple}"
        files = {name: (data, 0o755), **{path: (body, 0o644) for path, body in extra.items()}}
        if "windows" in triple:
            archive = args.out / f"{folder}.zip"
            with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
                for path, (body, _mode) in sorted(files.items()):
                    z.writestr(f"{folder}/{path}", body)
        else:
            archive = args.out / f"{folder}.tar.gz"
            with tarfile.open(archive, "w:gz") as tar:
                for path, (body, mode) in sorted(files.items()):
                    info = tarfile.TarInfo(f"{folder}/{path}")
                    info.size, info.mode = len(body), mode
                    tar.addfile(info, io.BytesIO(body))
        sums.append(f"{hashlib.sha256(archive.read_bytes()).hexdigest()}  {archive.name}\n")
        print(archive)
    (args.out / "SHA256SUMS").write_text("".join(sums))


if __name__ == "__main__":
    main()
