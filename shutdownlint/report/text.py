"""The default, human format: location, message, help and notes, a summary line."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from shutdownlint.findings import Finding, source_lines
from shutdownlint.report.options import ReportOptions, printable

_BOLD, _RED, _YELLOW, _CYAN, _DIM, _RESET = (
    "\x1b[1m",
    "\x1b[31m",
    "\x1b[33m",
    "\x1b[36m",
    "\x1b[2m",
    "\x1b[0m",
)


def render(findings: Sequence[Finding], options: ReportOptions) -> str:
    def paint(text: str, *styles: str) -> str:
        return "".join(styles) + text + _RESET if options.color else text

    out: list[str] = []
    for f in findings:
        where = f"{options.display(f.filename)}:{f.location.row}:{f.location.column}:"
        colour = _YELLOW if f.severity == "warning" else _RED
        mark = "[*] " if _fixable(f, options.unsafe_fixes) else ""
        out.append(f"{paint(where, _BOLD)} {paint(f.code, _BOLD, colour)} {mark}{f.message}\n")
        if options.show_source:
            out.extend(_frame(f, options, paint))
        if f.fix is not None:
            out.append(f"  {paint('help', _CYAN)}: {f.fix.message}\n")
        for r in f.related:
            at = f"{options.display(r.filename)}:{r.location.row}:{r.location.column}"
            out.append(f"  {paint('note', _DIM)}: {at}: {r.message}\n")
    if not options.quiet:
        files = len({f.filename for f in findings})
        if findings:
            problems = "problem" if len(findings) == 1 else "problems"
            in_files = "file" if files == 1 else "files"
            out.append(f"Found {len(findings)} {problems} in {files} {in_files}.\n")
        else:
            out.append("All checks passed!\n")
        out.extend(_fix_hint(findings, options.unsafe_fixes))
    return "".join(out)


def _fixable(finding: Finding, unsafe: bool) -> bool:
    return finding.fix is not None and finding.fix.applicable(unsafe)


def _fix_hint(findings: Sequence[Finding], unsafe: bool) -> list[str]:
    """ruff's summary: how many findings `--fix` would fix, and how many unsafe fixes
    only `--unsafe-fixes` enables."""
    fixable = sum(1 for f in findings if _fixable(f, unsafe))
    hidden = sum(1 for f in findings if _fixable(f, True)) - fixable
    fixes = "fix" if hidden == 1 else "fixes"
    more = f"{hidden} hidden {fixes} can be enabled with the `--unsafe-fixes` option"
    if fixable:
        line = f"[*] {fixable} fixable with the `--fix` option"
        return [f"{line} ({more}).\n" if hidden else f"{line}.\n"]
    return [f"No fixes available ({more}).\n"] if hidden else []


def _frame(f: Finding, options: ReportOptions, paint) -> list[str]:
    source = options.sources.get(f.filename)
    if source is None:
        return []
    lines = source_lines(source)
    if not 1 <= f.location.row <= len(lines):
        return []
    raw = lines[f.location.row - 1].expandtabs(1)
    start = f.location.column - 1
    end = f.end_location.column - 1 if f.end_location.row == f.location.row else len(raw)
    width = len(str(f.location.row))
    # Columns count code points; a terminal shows wide characters (CJK, emoji) in two
    # cells and combining marks in none: the caret goes under the text as displayed.
    line = printable(raw)
    caret = " " * _cells(printable(raw[:start])) + "^" * max(1, _cells(printable(raw[start:end])))
    return [
        f"{' ' * width} {paint('|', _DIM)}\n",
        f"{paint(str(f.location.row), _DIM)} {paint('|', _DIM)} {line}\n",
        f"{' ' * width} {paint('|', _DIM)} {paint(caret, _RED)}\n",
    ]


def _cells(text: str) -> int:
    """How many terminal cells `text` takes."""
    cells = 0
    for char in text:
        if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
            continue
        cells += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return cells
