"""Fix edits: libcst rewrites of a node's source, and applying edits to a text.

Rules build edits from the source of the node they report (`SourceText.segment`)
with the rewrites below, which parse that text with libcst and print it back
with only the intended change, so the rest of the code keeps its formatting.
`apply_edits` applies a set of edits to a whole text.

Applying fixes (`--fix`, `--diff`, the editor's quick fixes) goes through one
path: `finding_edits` gives the edits of one finding as they would be written
into this text (inserted lines end the way the file's lines end) or None when
they would leave code that does not parse; `fix_text` applies the fixes of a
text in passes until nothing changes (bounded), leaving overlapping edits to the
next pass and refusing edits that break the code; `write_atomically` replaces a
file through a temporary file in its folder, keeping its permissions.
`read_source`/`StoredAs` keep the BOM, the encoding cookie's codec and the line
endings. `noqa_edit` makes the `# noqa` comment of a line cover one more code
(the editor's "add noqa" action, `--add-noqa`).
"""

from __future__ import annotations

import ast
import codecs
import contextlib
import io
import os
import re
import stat
import tempfile
import tokenize
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from shutdownlint.findings import Edit, Finding, Location, newline_of, source_lines


def _libcst():
    """libcst, imported on the first rewrite: most checks write no fix that needs it, and
    the import is a third of the analysis's own (a re-check of one changed file pays it)."""
    import libcst

    return libcst


def preload() -> None:
    """Import libcst now: before forking workers, so that they share one import instead
    of each paying for its own on their first fix."""
    _libcst()


def with_keyword_argument(call_source: str, name: str, value: str) -> str | None:
    """`f(a)` -> `f(a, name=value)`; an existing `name=` (or a positional argument given
    as a literal `None` where `name` goes) gets the new value. None when the text is not
    a call libcst can parse on its own."""
    cst = _libcst()
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
    cst = _libcst()
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
    cst = _libcst()
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
            named = tuple(c.upper() for c in re.split(r"[\s,]+", codes or "") if c)
            if codes is None or code.upper().startswith(named):
                return None  # a bare noqa, or the code (or a prefix of it) is already there
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


# -- applying fixes ------------------------------------------------------------------
MAX_PASSES = 10


@dataclass(frozen=True)
class StoredAs:
    """How a file's text is stored: its codec, whether it starts with a BOM, and the
    line ending its lines use (the first one found; `\n` for a file of one line)."""

    encoding: str = "utf-8"
    bom: bool = False
    newline: str = "\n"

    def encode(self, text: str) -> bytes:
        data = text.encode(self.encoding)
        return codecs.BOM_UTF8 + data if self.bom else data


def read_source(data: bytes) -> tuple[str, StoredAs] | None:
    """The text of a file's bytes, decoded as Python does, and how to store it again;
    None when it does not decode (nothing is fixed in such a file)."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        bom = data.startswith(codecs.BOM_UTF8)
        text = data[len(codecs.BOM_UTF8) :].decode(encoding) if bom else data.decode(encoding)
        if encoding == "utf-8-sig":
            encoding = "utf-8"
        if text.encode(encoding) != data[len(codecs.BOM_UTF8) if bom else 0 :]:
            return None  # would not round-trip: leave the bytes alone
    except Exception:  # noqa: BLE001 - any codec may fail in any way
        return None
    return text, StoredAs(encoding, bom, newline_of(text))


def python_parses(source: str) -> bool:
    """Whether the running interpreter's grammar accepts `source` (never run)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(source, "<fixed>", "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def applies(finding: Finding, unsafe: bool) -> bool:
    """Whether `--fix` applies this finding's fix (`unsafe`: with `--unsafe-fixes`)."""
    return finding.fix is not None and finding.fix.applicable(unsafe)


def finding_edits(source: str, finding: Finding) -> tuple[Edit, ...] | None:
    """The edits of `finding`'s fix as they are written into `source`, or None when it
    has none or they would leave code that does not parse. The editor's quick fix and
    `--fix` both take a finding's edits from here."""
    if finding.fix is None or not finding.fix.edits:
        return None
    edits = finding.fix.in_newline(newline_of(source)).edits
    try:
        fixed = apply_edits(source, edits)
    except EditConflict:
        return None
    if python_parses(source) and not python_parses(fixed):
        return None
    return edits


@dataclass
class FixOutcome:
    """What fixing one text gave."""

    text: str
    findings: list[Finding]  # of the final text
    fixed: Counter[str] = field(default_factory=Counter)  # code -> findings fixed
    # One line per fix refused: the rule whose edit would have broken the code.
    refused: list[str] = field(default_factory=list)


def _key(finding: Finding) -> tuple[str, str]:
    return finding.code, finding.message


def fix_text(
    text: str,
    check: Callable[[str], Sequence[Finding]],
    unsafe: bool = False,
    findings: Sequence[Finding] | None = None,
    passes: int = MAX_PASSES,
) -> FixOutcome:
    """Apply the fixes of `text`'s findings (`check(text)`, or `findings` for the
    first pass) in passes until none applies, at most `passes` times. Within a pass,
    a fix whose edits overlap an earlier one waits for the next pass; a fix whose
    edits do not parse is refused, naming its rule; a finding still reported after
    its fix was applied is not fixed again."""
    outcome = FixOutcome(text, list(check(text) if findings is None else findings))
    done: set[tuple[str, str]] = set()  # applied or refused
    for _ in range(passes):
        chosen: list[Edit] = []
        applied: list[Finding] = []
        current = outcome.text
        for finding in outcome.findings:
            if _key(finding) in done or not applies(finding, unsafe):
                continue
            edits = finding_edits(current, finding)
            if edits is None:
                done.add(_key(finding))
                where = f"{finding.location.row}:{finding.location.column}"
                outcome.refused.append(
                    f"{where}: {finding.code} ({finding.name}): not fixed: its edit would "
                    "leave code that does not parse"
                )
                continue
            try:
                candidate = apply_edits(current, [*chosen, *edits])
            except EditConflict:
                continue  # overlaps a fix of this pass: the next pass
            if not python_parses(candidate) and python_parses(current):
                continue  # breaks only together with another fix: the next pass
            chosen.extend(edits)
            applied.append(finding)
        if not applied:
            break
        new = apply_edits(current, chosen)
        done.update(_key(f) for f in applied)
        outcome.fixed.update(f.code for f in applied)
        if new == current:
            break
        outcome.text = new
        outcome.findings = list(check(new))
    return outcome


def noqa_text(source: str, rows: Iterable[tuple[int, str]]) -> tuple[str, int]:
    """`source` with a `# noqa: CODE` for each (row, code) merged into the comment of
    that row, and how many were added. Rows that cannot end in a comment are skipped."""
    added = 0
    for row, code in sorted(set(rows)):
        edit = noqa_edit(source, row, code)
        if edit is not None:
            source = apply_edits(source, [edit])
            added += 1
    return source, added


class FileChanged(OSError):
    """The file changed on disk while it was being fixed: it is not overwritten."""


def write_atomically(path: Path, data: bytes, expected: bytes | None = None) -> None:
    """Replace the content of the file at `path` (its link target, for a symlink) with
    `data`: written to a temporary file in the same folder, flushed, given the file's
    permissions, then renamed over it, so that the file is the old or the new content,
    never a part. With `expected`, a file that no longer holds those bytes is left alone
    (FileChanged)."""
    target = Path(os.path.realpath(path))
    mode = stat.S_IMODE(os.stat(target).st_mode)
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        if expected is not None and target.read_bytes() != expected:
            raise FileChanged(f"{path}: changed on disk while being fixed; not written")
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
