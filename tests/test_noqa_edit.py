"""fixes.noqa_edit (the editor's "add noqa" action): the comment it writes is one the
engine honours, and it never breaks the code."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from shutdownlint.config import build_settings
from shutdownlint.engine import check_bytes
from shutdownlint.fixes import apply_edits, noqa_edit
from shutdownlint.rules import ALL_RULES

from .conftest import BAD

PUT = "self.results.put(page)"


def codes(source: str) -> list[str]:
    settings = build_settings([Path(".")], isolated=True)
    return [
        f.code for f in check_bytes(source.encode(), Path("m.py"), settings, ALL_RULES).findings
    ]


@pytest.mark.parametrize(
    ("tail", "expected"),
    [
        ("", "  # noqa: SDL301"),
        ("   ", "  # noqa: SDL301"),
        ("  # keep going", "  # keep going  # noqa: SDL301"),
        ("  # noqa: E501", "  # noqa: E501, SDL301"),
        ("  # noqa:E501,W291 long line", "  # noqa:E501,W291, SDL301 long line"),
        ("  # NOQA: E501", "  # NOQA: E501, SDL301"),
    ],
)
def test_noqa_edit_is_honoured_by_the_engine(tail: str, expected: str) -> None:
    source = BAD.replace(PUT, PUT + tail)
    assert codes(source) == ["SDL301"]
    edit = noqa_edit(source, 11, "SDL301")
    assert edit is not None
    silenced = apply_edits(source, [edit])
    assert f"{PUT}{expected}\n" in silenced
    ast.parse(silenced)
    assert codes(silenced) == []


@pytest.mark.parametrize(
    "tail", ["  # noqa", "  # noqa: SDL301", "  # noqa: E501, sdl301", "  # noqa: SDL3"]
)
def test_nothing_to_add_when_already_suppressed(tail: str) -> None:
    source = BAD.replace(PUT, PUT + tail)
    assert codes(source) == []  # a code prefix covers it, as in flake8
    assert noqa_edit(source, 11, "SDL301") is None


@pytest.mark.parametrize(
    ("source", "row"),
    [
        ('x = f("""a\nb""")\n', 1),  # the line ends inside a string
        ("x = f(1) + \\\n    2\n", 1),  # a backslash continuation
    ],
)
def test_no_edit_where_a_comment_cannot_go(source: str, row: int) -> None:
    assert noqa_edit(source, row, "SDL301") is None


def test_open_bracket_and_crlf_lines_take_a_comment() -> None:
    source = "f(\n    1)\r\nx = 1   \r\n"
    assert apply_edits(source, [noqa_edit(source, 1, "SDL301")]) == (
        "f(  # noqa: SDL301\n    1)\r\nx = 1   \r\n"
    )
    assert apply_edits(source, [noqa_edit(source, 3, "SDL301")]) == (
        "f(\n    1)\r\nx = 1  # noqa: SDL301\r\n"
    )


def test_a_file_that_does_not_tokenise_still_gets_one() -> None:
    source = "def f(:\n    x = '#'\n"
    silenced = apply_edits(source, [noqa_edit(source, 1, "SDL900")])
    assert silenced.startswith("def f(:  # noqa: SDL900\n")
    assert codes(silenced) == []
    assert noqa_edit(source, 99, "SDL900") is None


def test_noqa_text_merges_several_codes_on_one_line_and_skips_covered_ones() -> None:
    from shutdownlint.fixes import noqa_text

    source = "a = 1\nb = 2  # noqa: E501\nc = 3  # noqa\n"
    rows = [(1, "SDL201"), (1, "SDL202"), (2, "SDL301"), (3, "SDL301"), (1, "SDL201")]
    text, added = noqa_text(source, rows)
    assert text == "a = 1  # noqa: SDL201, SDL202\nb = 2  # noqa: E501, SDL301\nc = 3  # noqa\n"
    assert added == 3
