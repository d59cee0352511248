"""PEP 517 build backend of hfaudit: maturin, or the prebuilt wheel where compiling is wrong.

pre-commit installs a `language: python` hook with `pip install .` in its own checkout of the
hook's repository. With maturin as the backend that compiles hfaudit from source: minutes on the
first commit, and a failure (or a Rust toolchain downloaded on the fly) where there is no cargo.
ruff and typos avoid it with a second, placeholder package that depends on the published wheel;
this wrapper does the same from one pyproject.toml, so `pip install .` in a clone still builds.

Which wheel `pip install .` builds:

* `HFAUDIT_BUILD=source`: the real `hfaudit` wheel, compiled by maturin (needs cargo).
* `HFAUDIT_BUILD=prebuilt`: `hfaudit-prebuilt`, a wheel with no files that requires
  `hfaudit==<this version>`; pip then installs that prebuilt binary wheel from PyPI (or from
  `PIP_FIND_LINKS`, `PIP_INDEX_URL`). The version is this checkout's, so the binary matches the
  hooks file of the same tag.
* unset: prebuilt inside pre-commit's hook environment, or when `cargo` is not on PATH; else
  source.

sdists and editable installs always go to maturin.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import sys
import zipfile
from pathlib import Path

MATURIN = "maturin>=1.9,<2.0"  # 1.9: PEP 639 license expressions
SHIM = "hfaudit_prebuilt"
ROOT = Path(__file__).resolve().parent.parent


def _version() -> str:
    """The crate's version, from Cargo.toml (the one source of truth maturin also reads)."""
    text = (ROOT / "Cargo.toml").read_text(encoding="utf-8")
    package = re.search(r"^\[package\]\s*$(.*?)(?=^\[|\Z)", text, re.M | re.S)
    found = package and re.search(r'^version\s*=\s*"([^"]+)"', package.group(1), re.M)
    if not found:
        raise RuntimeError(f"no [package] version in {ROOT / 'Cargo.toml'}")
    return found.group(1)


def _in_pre_commit() -> bool:
    # pre-commit makes the hook's virtualenv inside its checkout: <checkout>/py_env-<version>.
    # The backend runs on that environment's interpreter, with the checkout as working folder.
    env = Path(sys.prefix).resolve()
    return env.name.startswith("py_env-") and env.parent == Path.cwd().resolve()


def _prebuilt() -> bool:
    choice = os.environ.get("HFAUDIT_BUILD", "").strip().lower()
    if choice in ("source", "prebuilt"):
        return choice == "prebuilt"
    if choice:
        raise RuntimeError(f"HFAUDIT_BUILD={choice!r}: use 'source' or 'prebuilt'")
    return _in_pre_commit() or shutil.which("cargo") is None


def _metadata(version: str) -> dict[str, bytes]:
    """The dist-info files of the shim wheel, by name."""
    metadata = (
        "Metadata-Version: 2.1\n"
        f"Name: hfaudit-prebuilt\n"
        f"Version: {version}\n"
        "Summary: Installs the prebuilt hfaudit wheel of the same version\n"
        f"Requires-Dist: hfaudit=={version}\n"
    )
    wheel = (
        "Wheel-Version: 1.0\n"
        "Generator: hfaudit_build\n"
        "Root-Is-Purelib: true\n"
        "Tag: py3-none-any\n"
    )
    return {"METADATA": metadata.encode(), "WHEEL": wheel.encode()}


def _dist_info(version: str) -> str:
    return f"{SHIM}-{version}.dist-info"


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return "sha256=" + digest.decode()


def _build_shim(wheel_directory: str) -> str:
    version = _version()
    info = _dist_info(version)
    files = {f"{info}/{name}": data for name, data in _metadata(version).items()}
    record = "".join(
        f"{path},{_record_hash(data)},{len(data)}\n" for path, data in files.items()
    )
    record += f"{info}/RECORD,,\n"
    files[f"{info}/RECORD"] = record.encode()
    name = f"{SHIM}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(Path(wheel_directory) / name, "w", zipfile.ZIP_DEFLATED) as whl:
        for path, data in files.items():
            whl.writestr(path, data)
    return name


# PEP 517 hooks.


def get_requires_for_build_wheel(config_settings=None):
    return [] if _prebuilt() else [MATURIN]


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    if not _prebuilt():
        import maturin

        return maturin.prepare_metadata_for_build_wheel(metadata_directory, config_settings)
    info = _dist_info(_version())
    folder = Path(metadata_directory) / info
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in _metadata(_version()).items():
        (folder / name).write_bytes(data)
    return info


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    if _prebuilt():
        return _build_shim(wheel_directory)
    import maturin

    return maturin.build_wheel(wheel_directory, config_settings, metadata_directory)


def get_requires_for_build_sdist(config_settings=None):
    return [MATURIN]


def build_sdist(sdist_directory, config_settings=None):
    import maturin

    return maturin.build_sdist(sdist_directory, config_settings)


def get_requires_for_build_editable(config_settings=None):
    return [MATURIN]


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    import maturin

    return maturin.build_editable(wheel_directory, config_settings, metadata_directory)
