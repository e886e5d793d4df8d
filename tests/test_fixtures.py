"""The fixture harness: every `# expect: CODE` line must be reported, nothing else.

All rules run on every fixture, so a stray finding of another rule fails too.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from shutdownlint.config import Overrides, build_settings
from shutdownlint.engine import check_path
from shutdownlint.rules import ALL_RULES

from .conftest import FIXTURES

EXPECT = re.compile(r"#\s*expect:\s*(?P<codes>SDL\d{3}(?:\s*,\s*SDL\d{3})*)")
FIXTURE_FILES = sorted(p for p in FIXTURES.rglob("*.py") if not p.name.endswith(".fixed.py"))


def expected(path: Path) -> Counter:
    found: Counter = Counter()
    for row, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        match = EXPECT.search(line)
        if match:
            for code in re.split(r"\s*,\s*", match.group("codes")):
                found[(row, code)] += 1
    return found


def actual(path: Path) -> Counter:
    settings = build_settings([path], isolated=True, overrides=Overrides(select=["SDL"]))
    result = check_path(path, settings, ALL_RULES)
    return Counter((f.location.row, f.code) for f in result.findings)


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fixture(path: Path) -> None:
    want, got = expected(path), actual(path)
    missing = sorted((want - got).elements())
    extra = sorted((got - want).elements())
    assert not missing and not extra, f"missing {missing}, unexpected {extra}"


def test_every_rule_has_bad_and_clean_fixtures() -> None:
    for rule in ALL_RULES:
        if rule.engine_only:
            continue
        folder = FIXTURES / rule.code
        files = list(folder.glob("*.py"))
        assert files, f"no fixtures for {rule.code}"
        assert any(expected(p) for p in files), f"{rule.code} has no bad example"
        clean_lines = sum(
            1 for p in files for line in p.read_text().splitlines() if "expect:" not in line
        )
        assert clean_lines > 0
