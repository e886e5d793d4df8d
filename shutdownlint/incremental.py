"""The language server's incremental path: what the check of a buffer's new version
can take over from the check of its previous version.

One reuse is exact without analysing again: an edit that changes, on each row it
touches, only what follows the code: a comment written, edited or removed (typing in a
comment, a `# TODO`, a `# noqa:` being written), blanks at the end of the line. Such a
version gets the previous version's findings with its own `# noqa` comments applied;
any other edit is checked from scratch. It is exact because a fresh check of the new
text would see the same of everything it reads:

- the same tree: comments and blanks after the code are no tokens, so the tree, every
  node's position and the tokenizer's state at the start of each line are those of the
  previous version. The row count and every line ending are unchanged, and a `#` after
  the code starts a comment because the tokenizer reaches it in the same state as
  before: after code, or after a comment it started before, never inside a string that
  goes on to the next line (rows the previous tokenization found open) nor after a
  backslash that continues the line. Comments the compiler reads are excluded: type
  comments (astroid builds with them) and the coding cookie (rows 1 and 2);
- the same text where the rules read it: a rule reads the source only inside the rows
  of the finding it reports and of its fix's edits (a span's columns, the statement a
  fix copies or re-indents, `;` ending that statement's line), so no changed row may
  lie in those rows of any previous finding. The columns of a span on a changed row are
  those of code before the comment, whose text is unchanged;
- the same configuration (the settings compare equal), the same deep-or-not decision
  (the cheap look reads comments too: asked again), the same decoded text (no null byte,
  decoded as the file would be) and the same project modules (every one the analysis
  consulted still has the content it had).

`tests/test_incremental.py` compares this path's findings with a fresh check's for
sequences of edits, and edits every comment of every fixture file that has fixes;
`tests/test_incremental_edits.py` makes seeded random edits, code and comments, each
compared with a fresh check. Reusing the analysis of the classes and functions a code
edit did not touch is not done: the analysis is inter-procedural (kinds, thread
contexts and locksets flow across functions and classes: a parameter's kind comes from
every call site in the module, the locks held at a function's entry from all its
callers), so no unit's facts are known to be independent of an edit elsewhere in the
module; and astroid's inference budget depends on what earlier queries cached, so facts
recomputed for part of a module are not known to equal a fresh check's either
(`benchmarks/perf-2026-12.md`, "Editor", says what such reuse would need).
"""

from __future__ import annotations

import dataclasses
import io
import re
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

from shutdownlint import runner
from shutdownlint.config import Settings
from shutdownlint.decoding import decode
from shutdownlint.fileio import digest
from shutdownlint.findings import FileResult, Finding, source_lines

# Comments the compiler reads: type comments (`# type: int`, `# type: ignore`), here
# matched more loosely than the tokenizer matches them.
_TYPE_COMMENT = re.compile(r"#\s*type\s*:")
# What may follow a row's code after an edit that keeps the analysis: blanks, a comment.
_AFTER_CODE = re.compile(r"[ \t]*(#.*)?")
_COOKIE_ROWS = 2
_ENGINE_CODES = frozenset({"SDL900", "SDL999"})


@dataclass(frozen=True)
class _Layout:
    """What the tokenizer says of a text's rows."""

    comments: dict[int, int]  # row -> column (code points) where its comment starts
    open_rows: set[int]  # rows whose end lies inside a token (a string on several lines)


@dataclass
class Analysed:
    """One check of one text, before `# noqa` was applied, with what it was made from."""

    path: Path
    settings: Settings
    source: str  # the decoded text that was analysed
    result: FileResult  # findings before noqa, and the analysis' warnings and stats
    _layout: _Layout | None = field(default=None, repr=False)  # made on first use

    def layout(self) -> _Layout:
        if self._layout is None:
            self._layout = _layout(self.source)
        return self._layout


@dataclass(frozen=True)
class Outcome:
    """A check's result as `runner.check_text` gives it, whether it was reused, and
    the basis for the next version (None when nothing can be reused from it)."""

    run: runner.RunResult
    reused: bool
    analysed: Analysed | None


def check_text(
    text: str, path: Path, settings: Settings, previous: Analysed | None = None
) -> Outcome:
    """Check `text` as `runner.check_text` does, taking over `previous`'s findings when
    the edit from it to `text` changed only comments and trailing blanks."""
    if settings.is_excluded(path):
        return Outcome(runner.RunResult([]), False, None)
    reused = previous and carried_over(previous, text, path, settings)
    if reused:
        return Outcome(_run(reused.result, settings), True, reused)
    raw = runner.check_text(text, path, dataclasses.replace(settings, noqa=False))
    result = raw.results[0]
    analysed = None
    if result.source is not None and result.stats["skipped"] == 0:
        # An analysed text: kept as it came out of the engine, before noqa.
        analysed = Analysed(path, settings, result.source, _copy(result))
    return Outcome(_run(result, settings), False, analysed)


def _run(analysed: FileResult, settings: Settings) -> runner.RunResult:
    """A result before noqa, with its source's `# noqa` comments applied (a copy)."""
    from shutdownlint.engine import apply_noqa

    result = _copy(analysed)
    if result.source is not None and settings.noqa:
        result = apply_noqa(result, result.source)
    return runner.RunResult([result], max_file_size=settings.max_file_size)


def _copy(result: FileResult) -> FileResult:
    return dataclasses.replace(
        result,
        findings=list(result.findings),
        warnings=list(result.warnings),
        stats=result.stats.copy(),
        dependencies=dict(result.dependencies),
    )


def carried_over(previous: Analysed, text: str, path: Path, settings: Settings) -> Analysed | None:
    """`previous` carried over to `text`, or None when it cannot be exactly."""
    if path != previous.path or settings != previous.settings:
        return None
    old = previous.result
    if old.source is None or old.stats["skipped"] or old.stats["too_large"]:
        return None
    if any(f.code in _ENGINE_CODES for f in old.findings):
        return None
    source, error = decode(runner.encoded(text))
    if source is None or error is not None:
        return None
    changed = _comment_only_rows(previous, source)
    if changed is None:
        return None
    if changed:
        if any(_rows(f) & changed.keys() for f in old.findings):
            return None  # a rule read one of these rows for this finding
        if not _still_deep(source, path, settings):
            return None
    if any(digest(Path(p)) != recorded for p, recorded in old.dependencies.items()):
        return None
    result = _copy(old)
    result.source = source
    layout = _carried(previous.layout(), changed) if changed else previous._layout
    return Analysed(path, settings, source, result, layout)


def _comment_only_rows(previous: Analysed, source: str) -> dict[int, int | None] | None:
    """{row: column of its comment now (None: no comment)} for the rows where `source`
    differs from the previous text, if on each of them only a comment or blanks after
    the code changed (a comment written, edited or removed, trailing blanks); None
    otherwise."""
    old_lines = source_lines(previous.source, keepends=True)
    new_lines = source_lines(source, keepends=True)
    if len(old_lines) != len(new_lines):
        return None
    pairs = enumerate(zip(old_lines, new_lines, strict=True), 1)
    changed: dict[int, int | None] = {row: None for row, (a, b) in pairs if a != b}
    if not changed:
        return changed
    if min(changed) <= _COOKIE_ROWS or any("\0" in new_lines[row - 1] for row in changed):
        return None
    layout = previous.layout()
    for row in changed:
        old, new = old_lines[row - 1], new_lines[row - 1]
        old_body, new_body = old.rstrip("\r\n"), new.rstrip("\r\n")
        if old[len(old_body) :] != new[len(new_body) :]:
            return None  # another line ending
        column = layout.comments.get(row)
        if column is None and row in layout.open_rows:
            return None  # the line ends inside a string: a `#` there is no comment
        code = old_body[:column].rstrip(" \t")
        if code.endswith("\\"):
            return None  # continued on the next line: no comment can follow
        rest = new_body[len(code) :]
        if not new_body.startswith(code) or not _AFTER_CODE.fullmatch(rest):
            return None
        if _TYPE_COMMENT.search(old_body[len(code) :]) or _TYPE_COMMENT.search(rest):
            return None
        if "#" in rest:
            changed[row] = len(code) + rest.index("#")
    return changed


def _layout(source: str) -> _Layout:
    """Where `source`'s comments start and which rows end inside a token that goes on
    (a string on several lines), as Python's tokenizer finds them (no comment and every
    row open when it fails: then nothing is reused)."""
    comments: dict[int, int] = {}
    open_rows: set[int] = set()
    try:
        # newline=None: rows as Python counts them (a lone `\r` ends a line too).
        for token in tokenize.generate_tokens(io.StringIO(source, newline=None).readline):
            if token.type == tokenize.COMMENT:
                comments[token.start[0]] = token.start[1]
            elif token.end[0] > token.start[0]:
                open_rows.update(range(token.start[0], token.end[0]))
    except Exception:  # noqa: BLE001 - a text the tokenizer refuses: nothing reused
        return _Layout({}, set(range(1, len(source_lines(source)) + 1)))
    return _Layout(comments, open_rows)


def _carried(layout: _Layout, changed: dict[int, int | None]) -> _Layout:
    """The layout of a text made from the previous one by comment-only edits of the
    `changed` rows: the same rows are open, the changed rows' comments start anew."""
    comments = {row: c for row, c in layout.comments.items() if row not in changed}
    comments.update((row, c) for row, c in changed.items() if c is not None)
    return _Layout(comments, layout.open_rows)


def _rows(finding: Finding) -> set[int]:
    """The rows a rule may have read to report `finding`: its span and its edits'."""
    spans = [(finding.location, finding.end_location)]
    if finding.fix is not None:
        spans += [(e.location, e.end_location) for e in finding.fix.edits]
    rows: set[int] = set()
    for start, end in spans:
        rows.update(range(start.row, end.row + 1))
    return rows


def _still_deep(source: str, path: Path, settings: Settings) -> bool:
    """Whether the engine's cheap look still sends `source` to the deep analysis (a
    comment naming an API is enough for it)."""
    from shutdownlint.engine import needs_deep_analysis
    from shutdownlint.rules import ALL_RULES

    codes = settings.codes_for(path)
    enabled = [r for r in ALL_RULES if r.code in codes and not r.engine_only]
    return bool(enabled) and needs_deep_analysis(source, settings, enabled)
