"""The fixture harness: every `# expect: CODE` line must be reported, nothing else.

All rules run on every fixture, so a stray finding of another rule fails too.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import sys
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from click.testing import Result as CliResult

from shutdownlint.cli import main
from shutdownlint.config import TARGET_VERSIONS, Overrides, build_settings
from shutdownlint.engine import check_bytes, check_path
from shutdownlint.findings import Applicability
from shutdownlint.fixes import apply_edits
from shutdownlint.rules import ALL_RULES

from .conftest import FIXTURES

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

EXPECT = re.compile(r"#\s*expect:\s*(?P<items>SDL\d{3}.*)$")
# One expected finding: its code, and optionally a fragment of what the user reads (the
# message or the fix title): `# expect: SDL403 "before its producers", SDL302`.
ITEM = re.compile(r'\s*(?P<code>SDL\d{3})(?:\s+"(?P<fragment>[^"]*)")?\s*(?:,|$)')
# Blind programs (written from SPEC alone by reviewers who did not read the rules) are
# scored by their manifest, one family each: `test_blind_program`.
BLIND = FIXTURES / "blind"
FIXTURE_FILES = sorted(
    p for p in FIXTURES.rglob("*.py") if not p.name.endswith(".fixed.py") and BLIND not in p.parents
)
BLIND_PROBES = [
    pytest.param(
        manifest.parent,
        probe,
        id=f"{manifest.parent.name}/{probe['file']}",
        # A shape missed on purpose (precision first), with the reason: strict, so that a
        # change that starts reporting it is looked at.
        marks=[pytest.mark.xfail(strict=True, reason=probe["missed"])] if "missed" in probe else [],
    )
    for manifest in sorted(BLIND.glob("*/manifest.toml"))
    for probe in tomllib.loads(manifest.read_text(encoding="utf-8"))["probe"]
]


def expectations(path: Path) -> list[tuple[int, str, str | None]]:
    """(line, code, message fragment or None) for every `# expect:` item of a fixture."""
    found = []
    for row, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        match = EXPECT.search(line)
        if not match:
            continue
        items = match.group("items").rstrip()
        at = 0
        while at < len(items):
            item = ITEM.match(items, at)
            assert item and item.end() > at, f"{path.name}:{row}: bad `# expect:` {items!r}"
            found.append((row, item.group("code"), item.group("fragment")))
            at = item.end()
    return found


def expected(path: Path) -> Counter:
    return Counter((row, code) for row, code, _ in expectations(path))


def findings_of(path: Path):
    settings = build_settings([path], isolated=True, overrides=Overrides(select=["SDL"]))
    return check_path(path, settings, ALL_RULES).findings


def actual(path: Path) -> Counter:
    return Counter((f.location.row, f.code) for f in findings_of(path))


def _read(finding) -> str:
    """What a user reads of a finding: its message and its fix title."""
    return f"{finding.message}\n{finding.fix.message if finding.fix else ''}"


@pytest.mark.parametrize(("folder", "probe"), BLIND_PROBES)
def test_blind_program(folder: Path, probe: dict) -> None:
    """A seeded bug is reported with its code at the line SPEC names; a correct program
    gets no finding of its family (the other families are not what it was written for)."""
    path = folder / probe["file"]
    family = (probe["expect"] or probe.get("family", folder.name.upper()))[:4]
    got = {(row, code) for row, code in actual(path) if code.startswith(family)}
    if probe["expect"]:
        assert (probe["line"], probe["expect"]) in got, f"{probe['why']}: got {sorted(got)}"
    else:
        assert not got, f"{probe['why']}: got {sorted(got)}"


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fixture(path: Path) -> None:
    findings = findings_of(path)
    want = expected(path)
    got = Counter((f.location.row, f.code) for f in findings)
    missing = sorted((want - got).elements())
    extra = sorted((got - want).elements())
    assert not missing and not extra, f"missing {missing}, unexpected {extra}"
    for row, code, fragment in expectations(path):
        if fragment is None:
            continue
        read = [_read(f) for f in findings if (f.location.row, f.code) == (row, code)]
        assert any(fragment in text for text in read), (
            f"line {row}: no {code} says {fragment!r}; it says {read}"
        )


def test_every_rule_has_bad_and_clean_fixtures() -> None:
    for rule in ALL_RULES:
        if rule.engine_only:
            continue
        folder = FIXTURES / rule.code
        files = list(folder.glob("*.py"))
        assert files, f"no fixtures for {rule.code}"
        assert any(expected(p) for p in files), f"{rule.code} has no bad example"
        assert any(fragment for p in files for _, _, fragment in expectations(p)), (
            f'{rule.code}: no fixture checks what its message says (`# expect: CODE "..."`)'
        )
        clean_lines = sum(
            1 for p in files for line in p.read_text().splitlines() if "expect:" not in line
        )
        assert clean_lines > 0


# -- fixes ---------------------------------------------------------------------------------
def _findings(path: Path, text: str, target: str | None = None):
    overrides = Overrides(select=["SDL"])
    settings = build_settings([path], isolated=True, overrides=overrides)
    if target is not None:
        analysis = dataclasses.replace(settings.analysis, target_version=TARGET_VERSIONS[target])
        settings = dataclasses.replace(settings, analysis=analysis)
    return check_bytes(text.encode("utf-8"), path, settings, ALL_RULES).findings


def _strip_expect(text: str) -> str:
    return re.sub(r"[ \t]*#\s*expect:[^\n]*", "", text)


FIXABLE = [
    p for p in FIXTURE_FILES if any(f.fix and f.fix.edits for f in _findings(p, p.read_text()))
]


@pytest.mark.parametrize("target", ["py310", "py311"])
@pytest.mark.parametrize("path", FIXABLE, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_every_edit_parses_and_removes_its_finding(path: Path, target: str) -> None:
    source = path.read_text(encoding="utf-8")
    before = _findings(path, source, target)
    fixable = [f for f in before if f.fix and f.fix.edits]
    assert fixable
    for finding in fixable:
        assert finding.fix.applicability is Applicability.UNSAFE
        fixed = apply_edits(source, finding.fix.edits)
        compile(fixed, str(path), "exec")  # the result parses
        after = Counter(f.code for f in _findings(path, fixed, target))
        assert after[finding.code] == Counter(f.code for f in before)[finding.code] - 1, (
            f"{finding.code} at {finding.location.row} is still reported after its fix"
        )
    # All at once: every fixed finding is gone, nothing new appears.
    fixed = apply_edits(source, [e for f in fixable for e in f.fix.edits])
    compile(fixed, str(path), "exec")
    after = Counter(f.code for f in _findings(path, fixed, target))
    assert after == Counter(f.code for f in before) - Counter(f.code for f in fixable)


def test_every_fixable_fixture_has_a_fixed_sibling() -> None:
    """(`python -m tests.regenerate_fixed` writes them.)"""
    missing = [
        str(p.relative_to(FIXTURES))
        for p in FIXABLE
        if not p.with_name(p.name[: -len(".py")] + ".fixed.py").exists()
    ]
    assert not missing, missing


def _fix_with_cli(folder: Path, path: Path) -> CliResult:
    return CliRunner().invoke(
        main,
        ["check", "--isolated", "--no-cache", "--select", "SDL", "--fix", "--unsafe-fixes"]
        + ["--quiet", str(path)],
    )


@pytest.mark.parametrize(
    "path",
    sorted(FIXTURES.rglob("*.fixed.py")),
    ids=lambda p: str(p.relative_to(FIXTURES)),
)
def test_fixed_sibling(path: Path, tmp_path: Path) -> None:
    """`foo.fixed.py` is what `check --fix --unsafe-fixes` writes into `foo.py`
    (`# expect:` comments aside), and fixing it again changes nothing."""
    original = path.with_name(path.name.replace(".fixed.py", ".py"))
    folder = tmp_path / original.parent.name
    shutil.copytree(original.parent, folder)  # other modules of the folder are consulted
    copy = folder / original.name
    result = _fix_with_cli(folder, copy)
    assert result.exit_code in (0, 1), result.output
    fixed = copy.read_text(encoding="utf-8")
    assert _strip_expect(fixed) == _strip_expect(path.read_text(encoding="utf-8"))
    again = _fix_with_cli(folder, copy)
    assert copy.read_text(encoding="utf-8") == fixed, again.output
