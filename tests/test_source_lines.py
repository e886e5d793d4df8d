"""Rows agree with the parser's: only `\\n`, `\\r\\n` and `\\r` end a line, so a form feed
or a `\\u2028` in a file never shifts the rows that fixes and code frames use."""

from __future__ import annotations

from pathlib import Path

import pytest

from shutdownlint.config import build_settings
from shutdownlint.engine import check_bytes
from shutdownlint.findings import source_lines
from shutdownlint.fixes import apply_edits
from shutdownlint.rules import ALL_RULES

from .conftest import BAD


@pytest.mark.parametrize(
    "text, lines",
    [
        ("a\nb", ["a", "b"]),
        ("a\r\nb\rc\n", ["a", "b", "c"]),
        ("a\x0c\nb\u2028c\x1cd\n", ["a\x0c", "b\u2028c\x1cd"]),
        ("", []),
    ],
)
def test_source_lines_split_where_python_does(text: str, lines: list[str]) -> None:
    assert source_lines(text) == lines
    assert "".join(source_lines(text, keepends=True)) == text


@pytest.mark.parametrize("odd", ["\x0c", "'\u2028'", "'\x1c\x85'"])
def test_fix_after_an_odd_line_break_edits_the_right_line(odd: str) -> None:
    source = BAD.replace("import threading\n", f"import threading\n{odd}\n")
    settings = build_settings([Path(".")], isolated=True)
    [finding] = check_bytes(source.encode(), Path("bad.py"), settings, ALL_RULES).findings
    assert finding.fix is not None and finding.fix.edits
    fixed = apply_edits(source, finding.fix.edits)
    assert fixed == source.replace("put(page)", "put(page, timeout=5.0)")
