"""Fix edits: libcst rewrites of a node's source, and applying edits to a text.

Rules build edits from the source of the node they report (`SourceText.segment`)
with the rewrites below, which parse that text with libcst and print it back
with only the intended change, so the rest of the code keeps its formatting.
`apply_edits` applies a set of edits to a whole text (the tests do it in
memory; `--fix` will write the result atomically after re-parsing it).
"""

from __future__ import annotations

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
