"""A property test of `--fix --unsafe-fixes` (the path the CLI takes: runner.fix_source)
over the fixable fixtures and generated variants of them: CRLF line endings, a BOM,
tabs for indentation, comments in odd places, the annotated and unannotated forms of
an attribute, containers of the kind. Whatever the variant:

- the output parses, and is stored as the input was (BOM, line endings);
- every fixed finding is gone and no new finding of any rule appears;
- nothing outside the edited statements changes;
- a second pass changes nothing.
"""

from __future__ import annotations

import codecs
import difflib
import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shutdownlint.config import Overrides, build_settings
from shutdownlint.engine import check_bytes
from shutdownlint.findings import Finding, source_lines
from shutdownlint.fixes import python_parses
from shutdownlint.rules import ALL_RULES
from shutdownlint.runner import fix_source

from .conftest import FIXTURES, SOCKET_LIST

SOURCES = [
    p
    for p in sorted(FIXTURES.rglob("*.fixed.py"))
    if p.parent.name not in ("crossmodule", "mpcontext")  # need their sibling modules
]
ORIGINALS = [p.with_name(p.name.replace(".fixed.py", ".py")) for p in SOURCES]

# Shapes the fixtures do not all have: the annotated and unannotated attribute forms,
# and a container of sockets.
EXTRA = {
    "unannotated": """\
import socket


class Client:
    def __init__(self, address):
        self.address = address
        self.sock = None

    def connect(self):
        self.sock = socket.create_connection(self.address)

    def close(self):
        self.address = None
""",
    "container": SOCKET_LIST,
}
EXTRA["annotated"] = EXTRA["unannotated"].replace(
    "self.sock = None", "self.sock: socket.socket | None = None"
)


def _settings(path: Path):
    return build_settings([path], isolated=True, overrides=Overrides(select=["SDL"]))


def _findings(data: bytes, path: Path) -> list[Finding]:
    return check_bytes(data, path, _settings(path), ALL_RULES).findings


def _with_tabs(text: str) -> str:
    """Leading groups of four spaces as tabs (only where every indent is such a group)."""
    lines = source_lines(text, keepends=True)
    if any((len(line) - len(line.lstrip(" "))) % 4 for line in lines if line.strip()):
        return text
    return "".join(
        "\t" * ((len(line) - len(line.lstrip(" "))) // 4) + line.lstrip(" ") for line in lines
    )


def _with_comments(text: str, rows: list[int]) -> str:
    """A comment line inserted before some rows, and a trailing comment after others,
    where neither changes what the code means (not after a backslash, not in a string)."""
    lines = text.split("\n")
    strings = _string_rows(text)
    for row in sorted({r % max(len(lines), 1) for r in rows}, reverse=True):
        before = lines[row - 1] if row else ""
        if row in strings or before.rstrip().endswith("\\"):
            continue
        line = lines[row]
        if line.strip() and not line.rstrip().endswith("\\") and "#" not in line:
            lines[row] = line + "  # trailing: (odd) comment"
        indent = line[: len(line) - len(line.lstrip())]
        lines.insert(row, f"{indent}# an odd comment")
    return "\n".join(lines)


def _string_rows(text: str) -> set[int]:
    """0-based rows that are inside (or end) a multi-line string."""
    import io
    import tokenize

    rows: set[int] = set()
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.STRING and token.end[0] > token.start[0]:
                rows.update(range(token.start[0], token.end[0] + 1))
    except (tokenize.TokenError, SyntaxError):
        return set(range(len(text.split("\n")) + 1))
    return rows


def _variant(text: str, crlf: bool, bom: bool, tabs: bool, comments: list[int]) -> bytes:
    text = re.sub(r"[ \t]*#\s*expect:[^\n]*", "", text)
    if tabs:
        text = _with_tabs(text)
    if comments:
        text = _with_comments(text, comments)
    if crlf:
        text = text.replace("\n", "\r\n")
    data = text.encode("utf-8")
    return codecs.BOM_UTF8 + data if bom else data


def _edited_rows(findings: list[Finding]) -> set[int]:
    rows: set[int] = set()
    for f in findings:
        if f.fix is not None and f.fix.applicable(True):
            for e in f.fix.edits:
                rows.update(range(e.location.row, e.end_location.row + 1))
    return rows


def _check_fix(data: bytes, path: Path) -> None:
    before = _findings(data, path)
    done = fix_source(data, path, _settings(path), unsafe=True, findings=before)
    assert done is not None
    change, stored = done
    out = stored.encode(change.after)
    # Stored as it came: the BOM and the line endings.
    assert out.startswith(codecs.BOM_UTF8) == data.startswith(codecs.BOM_UTF8)
    if b"\r\n" in data:
        assert b"\n" not in out.replace(b"\r\n", b"")
    assert not change.refused, change.refused
    # Inserted lines indent as the file does (no spaces after tabs in a tabbed file).
    mixed = re.compile(r"^\t+ ", re.M)
    assert bool(mixed.search(change.after)) <= bool(mixed.search(change.before))
    if not python_parses(change.before):
        return
    assert python_parses(change.after)
    # Every fixed finding is gone; nothing new appears.
    after = change.findings
    fixed_keys = {(f.code, f.message) for f in before if f.fix and f.fix.applicable(True)}
    assert change.changed == bool(fixed_keys)
    assert not fixed_keys & {(f.code, f.message) for f in after}
    remaining = Counter(f.code for f in before) - Counter(change.fixed)
    assert Counter(f.code for f in after) <= remaining, Counter(f.code for f in after) - remaining
    # Nothing outside the edited statements changes (edits of later passes excepted).
    if sum(change.fixed.values()) == len(fixed_keys):
        edited = _edited_rows(before)
        old, new = change.before.splitlines(), change.after.splitlines()
        for tag, i1, i2, _, _ in difflib.SequenceMatcher(None, old, new).get_opcodes():
            if tag == "equal":
                continue
            touched = set(range(i1 + 1, i2 + 1)) if i2 > i1 else {i1, i1 + 1}
            assert touched & edited or (tag == "insert" and (i1 in edited or i1 + 1 in edited)), (
                tag,
                old[i1:i2],
            )
    # A second pass changes nothing.
    again = fix_source(out, path, _settings(path), unsafe=True)
    assert again is not None and again[0].after == change.after


@pytest.mark.parametrize("original", ORIGINALS, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fixtures_fix_cleanly(original: Path) -> None:
    _check_fix(original.read_bytes(), original)


@pytest.mark.parametrize("name", sorted(EXTRA))
def test_attribute_forms_and_containers_fix_cleanly(name: str) -> None:
    _check_fix(EXTRA[name].encode(), Path(f"{name}.py"))


_VARIANTS = dict(
    original=st.sampled_from(ORIGINALS + sorted(EXTRA)),
    crlf=st.booleans(),
    bom=st.booleans(),
    tabs=st.booleans(),
    comments=st.lists(st.integers(0, 400), max_size=3),
)


def _run_variant(original, crlf: bool, bom: bool, tabs: bool, comments: list[int]) -> None:
    if isinstance(original, str):
        text, path = EXTRA[original], Path(f"{original}.py")
    else:
        text, path = original.read_text(encoding="utf-8"), original
    _check_fix(_variant(text, crlf, bom, tabs, comments), path)


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(**_VARIANTS)
def test_variants_fix_cleanly(original, crlf: bool, bom: bool, tabs: bool, comments) -> None:
    _run_variant(original, crlf, bom, tabs, comments)


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(**_VARIANTS)
def test_many_variants_fix_cleanly(original, crlf: bool, bom: bool, tabs: bool, comments) -> None:
    _run_variant(original, crlf, bom, tabs, comments)
