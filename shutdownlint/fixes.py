"""Fix edits: libcst rewrites of a node's source, and applying edits to a text.

Rules build edits from the source of the node they report (`SourceText.segment`)
with the rewrites below, which parse that text with libcst and print it back
with only the intended change, so the rest of the code keeps its formatting.
`apply_edits` applies a set of edits to a whole text (the tests do it in
memory; `--fix` will write the result atomically after re-parsing it).
`noqa_edit` makes the `# noqa` comment of a line cover one more code (the
editor's "add noqa" action).
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Iterable

import libcst as cst

from shutdownlint.findings import Edit, Location, source_lines


def with_keyword_argument(call_source: str, name: str, value: str) -> str | None:
    """`f(a)` -> `f(a, name=value)`; an existing `name=` (or a positional argument given
    as a literal `None` where `name` goes) gets the new value. None when the text is not
    a call libcst can parse on its own."""
    try:
        call = cst.parse_expression(call_source)
        new_value = cst.parse_expression(value)
    except (cst.ParserSyntaxError, ValueError, RecursionError):
        return None
    if not isinstance(call, cst.Call):
        return None
    args = list(call.args)
    for i, arg in enumerate(args):
        if arg.keyword is not None and arg.keyword.value == name:
            args[i] = arg.with_changes(value=new_value)
            break
    else:
        if any(arg.star for arg in args):
            return None
        keyword = cst.Arg(
            value=new_value,
            keyword=cst.Name(name),
            equal=cst.AssignEqual(
                whitespace_before=cst.SimpleWhitespace(""),
                whitespace_after=cst.SimpleWhitespace(""),
            ),
        )
        args.append(keyword)
    return cst.Module(body=[]).code_for_node(call.with_changes(args=args))


def replace_argument(call_source: str, position: int, value: str) -> str | None:
    """`f(a, None)` -> `f(a, value)` for the positional argument at `position`."""
    try:
        call = cst.parse_expression(call_source)
        new_value = cst.parse_expression(value)
    except (cst.ParserSyntaxError, ValueError, RecursionError):
        return None
    if not isinstance(call, cst.Call) or position >= len(call.args):
        return None
    args = list(call.args)
    if args[position].keyword is not None or args[position].star:
        return None
    args[position] = args[position].with_changes(value=new_value)
    return cst.Module(body=[]).code_for_node(call.with_changes(args=args))


def parses(source: str) -> bool:
    try:
        cst.parse_module(source)
    except (cst.ParserSyntaxError, ValueError, RecursionError):
        return False
    return True


class EditConflict(ValueError):
    """Two edits overlap."""


def apply_edits(source: str, edits: Iterable[Edit]) -> str:
    """`source` with every edit applied. Identical edits count once (two findings may
    each add the same import); overlapping different edits raise EditConflict."""
    unique = sorted(set(edits), key=lambda e: (e.location, e.end_location, e.content))
    lines = source_lines(source, keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(location: Location) -> int:
        row = min(max(location.row, 1), len(lines) + 1)
        base = starts[row - 1]
        line = lines[row - 1] if row <= len(lines) else ""
        return base + min(location.column - 1, len(line))

    out, cursor = [], 0
    for edit in unique:
        start, end = offset(edit.location), offset(edit.end_location)
        if start < cursor:
            raise EditConflict(f"edits overlap at {edit.location.row}:{edit.location.column}")
        out.append(source[cursor:start])
        out.append(edit.content)
        cursor = end
    out.append(source[cursor:])
    return "".join(out)


# A noqa comment, bare or with codes, as the engine reads it.
NOQA_COMMENT = re.compile(
    r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?", re.IGNORECASE
)


def noqa_edit(source: str, row: int, code: str) -> Edit | None:
    """An edit that makes the `# noqa` comment of line `row` cover `code`: `, CODE` added
    to an existing `# noqa: A`, else `  # noqa: CODE` at the end of the line (after any
    other comment). None when the line already suppresses `code`, or when no comment
    can end it: it ends inside a string that goes on below, or with a backslash."""
    lines = source_lines(source)
    if not 1 <= row <= len(lines):
        return None
    line = lines[row - 1]
    comment = _comment_on(source, row, line)
    if comment is _NO_COMMENT_POSSIBLE:
        return None
    if comment is not None:
        column, text = comment
        match = NOQA_COMMENT.search(text)
        if match is not None:
            codes = match.group("codes")
            if codes is None or code.upper() in {c.upper() for c in re.split(r"[\s,]+", codes)}:
                return None  # a bare noqa, or the code is already there
            at = Location(row, column + match.end("codes") + 1)
            return Edit(f", {code}", at, at)
    elif line.rstrip().endswith("\\"):
        return None
    end = len(line.rstrip())
    return Edit(f"  # noqa: {code}", Location(row, end + 1), Location(row, len(line) + 1))


_NO_COMMENT_POSSIBLE = (-1, "")


def _comment_on(source: str, row: int, line: str) -> tuple[int, str] | None:
    """(0-based column, text) of the comment on line `row`, None when there is none, or
    _NO_COMMENT_POSSIBLE when the line ends inside a string that goes on below."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError, ValueError, RecursionError, MemoryError):
        # A file that does not tokenise (a syntax error): a `#` might be in a string.
        column = line.find("#")
        if column < 0:
            return None
        return (column, line[column:]) if NOQA_COMMENT.search(line[column:]) else None
    for token in tokens:
        if token.start[0] <= row < token.end[0]:
            return _NO_COMMENT_POSSIBLE  # a string spanning the end of the line
        if token.type == tokenize.COMMENT and token.start[0] == row:
            return token.start[1], token.string
    return None
