"""Tests of the build backend's choice and of the shim wheel (run by scripts/check-dist.sh:
`python -m unittest discover -s python`). The end-to-end checks, pip and pre-commit included,
are in scripts/check-dist.sh."""

from __future__ import annotations

import base64
import hashlib
import os
import subprocess
import sys
import tempfile
import unittest
import venv
import zipfile
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent))
import hfaudit_build as hb  # noqa: E402


class Choice(unittest.TestCase):
    def choose(self, env: dict[str, str], cargo: bool, pre_commit: bool = False) -> bool:
        which = (lambda _name: "/usr/bin/cargo") if cargo else (lambda _name: None)
        with mock.patch.dict(os.environ, env, clear=True), mock.patch.object(
            hb.shutil, "which", which
        ), mock.patch.object(hb, "_in_pre_commit", lambda: pre_commit):
            return hb._prebuilt()

    def test_a_clone_with_cargo_compiles(self):
        self.assertFalse(self.choose({}, cargo=True))

    def test_no_cargo_or_pre_commit_means_prebuilt(self):
        self.assertTrue(self.choose({}, cargo=False))
        self.assertTrue(self.choose({}, cargo=True, pre_commit=True))

    def test_the_variable_decides_first(self):
        self.assertTrue(self.choose({"HFAUDIT_BUILD": "prebuilt"}, cargo=True))
        self.assertFalse(self.choose({"HFAUDIT_BUILD": "source"}, cargo=False, pre_commit=True))
        with self.assertRaisesRegex(RuntimeError, "use 'source' or 'prebuilt'"):
            self.choose({"HFAUDIT_BUILD": "wheel"}, cargo=True)


class PreCommitLayout(unittest.TestCase):
    """pre-commit's layout, for real: a virtualenv named py_env-* inside the checkout."""

    def detect(self, env_name: str) -> str:
        with tempfile.TemporaryDirectory() as checkout:
            env = Path(checkout) / env_name
            venv.create(env, with_pip=False)
            python = env / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
            code = f"import sys; sys.path.insert(0, {str(Path(hb.__file__).parent)!r}); import hfaudit_build as hb; print(hb._in_pre_commit())"
            return subprocess.run(
                [str(python), "-c", code], cwd=checkout, check=True, capture_output=True, text=True
            ).stdout.strip()

    def test_detects_pre_commits_environment_only(self):
        self.assertEqual(self.detect("py_env-python3.11"), "True")
        # A developer's .venv inside a clone is not pre-commit.
        self.assertEqual(self.detect(".venv"), "False")


class Shim(unittest.TestCase):
    def test_version_is_cargo_tomls(self):
        text = (hb.ROOT / "Cargo.toml").read_text()
        self.assertIn(f'\nversion = "{hb._version()}"\n', text)

    def test_shim_wheel_requires_the_same_version_and_has_a_valid_record(self):
        version = hb._version()
        with tempfile.TemporaryDirectory() as out, mock.patch.dict(os.environ, {"HFAUDIT_BUILD": "prebuilt"}):
            self.assertEqual(hb.get_requires_for_build_wheel(), [])
            name = hb.build_wheel(out)
            self.assertEqual(name, f"hfaudit_prebuilt-{version}-py3-none-any.whl")
            with zipfile.ZipFile(Path(out) / name) as whl:
                info = f"hfaudit_prebuilt-{version}.dist-info"
                meta = whl.read(f"{info}/METADATA").decode()
                self.assertIn(f"Requires-Dist: hfaudit=={version}\n", meta)
                self.assertIn("Name: hfaudit-prebuilt\n", meta)
                rows = [r.split(",") for r in whl.read(f"{info}/RECORD").decode().splitlines()]
                self.assertEqual(sorted(r[0] for r in rows), sorted(whl.namelist()))
                for path, digest, size in rows:
                    if path.endswith("RECORD"):
                        continue
                    data = whl.read(path)
                    want = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
                    self.assertEqual((digest, int(size)), (f"sha256={want}", len(data)))
            meta_dir = Path(out) / "meta"
            meta_dir.mkdir()
            folder = hb.prepare_metadata_for_build_wheel(str(meta_dir))
            self.assertEqual((meta_dir / folder / "METADATA").read_text(), meta)


if __name__ == "__main__":
    unittest.main()
