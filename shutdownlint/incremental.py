"""The language server's incremental path: what the check of a buffer's new version
can take over from the check of its previous version.

One reuse is exact without analysing again: an edit that changes only the text of
comments that were already there (typing in a comment, a `# TODO`, a `# noqa:` being
written). Such a version gets the previous version's findings with its own `# noqa`
comments applied; any other edit is checked from scratch. It is exact because a fresh
check of the new text would see the same of everything it reads:

- the same tree: a comment is no token, so the tree, every node's position and the
  tokenizer's state at the start of each line are those of the previous version. The
  comment starts in the same column of the same row (the text before it is unchanged
  and the tokenizer reaches it in the same state), and runs to the end of its line,
  whose line ending is unchanged. Comments the compiler reads are excluded: type
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
sequences of edits, and edits every comment of every fixture file that has fixes.
Reusing the analysis of the classes and functions a code edit did not touch is not
done: the analysis is inter-procedural (kinds, thread contexts and locksets flow
across functions and classes), so no unit's facts are known to be independent of an
edit elsewhere in the module.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import re
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

from shutdownlint import runner
from shutdownlint.config import Settings
from shutdownlint.decoding import decode
from shutdownlint.fileio import read_regular
from shutdownlint.findings import FileResult, Finding, source_lines

# Comments the compiler reads: type comments (`# type: int`, `# type: ignore`), here
# matched more loosely than the tokenizer matches them.
_TYPE_COMMENT = re.compile(r"#\s*type\s*:")
_COOKIE_ROWS = 2
_ENGINE_CODES = frozenset({"SDL900", "SDL999"})


@dataclass
class Analysed:
    """One check of one text, before `# noqa` was applied, with what it was made from."""

    path: Path
    settings: Settings
    source: str  # the decoded text that was analysed
    result: FileResult  # findings before noqa, and the analysis' warnings and stats
    # row -> column (code points) where the row's comment starts: on first use
    _comments: dict[int, int] | None = field(default=None, repr=False)

    def comments(self) -> dict[int, int]:
        if self._comments is None:
            self._comments = _comment_columns(self.source)
        return self._comments


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
    the edit from it to `text` changed only comments."""
    if settings.is_excluded(path):
        return Outcome(runner.RunResult([]), False, None)
    reused = previous and _reused(previous, text, path, settings)
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


def _reused(previous: Analysed, text: str, path: Path, settings: Settings) -> Analysed | None:
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
        if any(_rows(f) & changed for f in old.findings):
            return None  # a rule read one of these rows for this finding
        if not _still_deep(source, path, settings):
            return None
    if any(_digest(Path(p)) != digest for p, digest in old.dependencies.items()):
        return None
    result = _copy(old)
    result.source = source
    return Analysed(path, settings, source, result, previous.comments() if changed else None)


def _comment_only_rows(previous: Analysed, source: str) -> set[int] | None:
    """The rows where `source` differs from the previous text, if it differs only in
    the text of comments the previous text had; None otherwise."""
    old_lines = source_lines(previous.source, keepends=True)
    new_lines = source_lines(source, keepends=True)
    if len(old_lines) != len(new_lines):
        return None
    changed = {
        row for row, (a, b) in enumerate(zip(old_lines, new_lines, strict=True), 1) if a != b
    }
    if not changed:
        return changed
    if min(changed) <= _COOKIE_ROWS or any("\0" in new_lines[row - 1] for row in changed):
        return None
    comments = previous.comments()
    for row in changed:
        column = comments.get(row)
        if column is None:
            return None
        old, new = old_lines[row - 1], new_lines[row - 1]
        old_body, new_body = old.rstrip("\r\n"), new.rstrip("\r\n")
        if old[len(old_body) :] != new[len(new_body) :]:
            return None  # another line ending
        if old_body[:column] != new_body[:column] or new_body[column : column + 1] != "#":
            return None
        if _TYPE_COMMENT.search(old_body[column:]) or _TYPE_COMMENT.search(new_body[column:]):
            return None
    return changed


def _comment_columns(source: str) -> dict[int, int]:
    """{row: column of its comment} as Python's tokenizer finds them ({} when it fails:
    then nothing is reused)."""
    try:
        return {
            t.start[0]: t.start[1]
            # newline=None: rows as Python counts them (a lone `\r` ends a line too).
            for t in tokenize.generate_tokens(io.StringIO(source, newline=None).readline)
            if t.type == tokenize.COMMENT
        }
    except Exception:  # noqa: BLE001 - a text the tokenizer refuses: nothing reused
        return {}


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


def _digest(path: Path) -> str:
    """sha256 of a project file the analysis consulted, "" when it is absent (as the
    engine records them)."""
    try:
        return hashlib.sha256(read_regular(path)).hexdigest()
    except OSError:
        return ""
