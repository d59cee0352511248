"""Tests of scripts/changelog.py (run with `python3 -m unittest discover -s python`)."""

import importlib.util
import unittest
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "changelog", Path(__file__).resolve().parent.parent / "scripts" / "changelog.py"
)
changelog = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(changelog)

TEXT = """# Changelog

## [Unreleased]

### Fixed
- a thing

## [0.1.0] - 2026-01-02

### Added
- everything

[Unreleased]: https://github.com/acme/widget/compare/v0.1.0...HEAD
[0.1.0]: https://github.com/acme/widget/releases/tag/v0.1.0
"""


class Changelog(unittest.TestCase):
    def test_a_well_formed_file_passes(self):
        self.assertEqual(changelog.check(TEXT), [])

    def test_a_missing_unreleased_section_fails(self):
        text = TEXT.replace("## [Unreleased]\n\n### Fixed\n- a thing\n\n", "")
        self.assertIn("the first section must be `## [Unreleased]`", changelog.check(text))

    def test_an_undated_release_fails(self):
        problems = changelog.check(TEXT.replace("## [0.1.0] - 2026-01-02", "## [0.1.0]"))
        self.assertTrue(any("YYYY-MM-DD" in p for p in problems), problems)

    def test_notes_are_the_section_body_without_the_links(self):
        self.assertEqual(changelog.notes(TEXT, "0.1.0"), "### Added\n- everything\n")

    def test_notes_of_a_missing_version_fail(self):
        with self.assertRaises(changelog.ChangelogError):
            changelog.notes(TEXT, "0.2.0")

    def test_release_moves_unreleased_and_updates_the_links(self):
        out = changelog.release(TEXT, "0.2.0", "2026-03-04")
        self.assertEqual(changelog.check(out), [])
        self.assertEqual(changelog.notes(out, "0.2.0"), "### Fixed\n- a thing\n")
        self.assertIn("## [Unreleased]\n\n## [0.2.0] - 2026-03-04\n", out)
        self.assertIn("[Unreleased]: https://github.com/acme/widget/compare/v0.2.0...HEAD\n", out)
        self.assertIn("[0.2.0]: https://github.com/acme/widget/compare/v0.1.0...v0.2.0\n", out)

    def test_release_refuses_an_empty_unreleased_section(self):
        out = changelog.release(TEXT, "0.2.0", "2026-03-04")
        with self.assertRaises(changelog.ChangelogError):
            changelog.release(out, "0.3.0", "2026-03-05")


if __name__ == "__main__":
    unittest.main()
