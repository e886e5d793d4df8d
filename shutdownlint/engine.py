"""One file in, findings out.

Read and decode as Python does -> a cheap look decides whether deep analysis
is needed -> parse once with astroid -> each enabled rule visits the nodes it
asks for -> findings -> `# noqa` -> result. A file that cannot be read or
parsed gives SDL900; a rule that raises gives SDL999 for that file while the
other rules go on. The analysed code is never imported or executed: astroid
builds the file and its project's modules from source text (`astroid_env`).
The rules to run are a parameter: the runner passes the registry, a test or a
plugin may pass its own.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import io
import re
import sys
import threading
import tokenize
import traceback
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from astroid import nodes
from astroid.exceptions import AstroidSyntaxError

from shutdownlint import profile
from shutdownlint.analysis import astroid_env
from shutdownlint.analysis.facts import ModuleFacts
from shutdownlint.analysis.words import ANALYSIS_WORDS
from shutdownlint.config import Settings
from shutdownlint.decoding import compiles as _compiles
from shutdownlint.decoding import decode
from shutdownlint.fileio import FileTooLarge, absolute, describe, read_regular
from shutdownlint.findings import (
    FileResult,
    Finding,
    Location,
    Related,
    newline_of,
    source_lines,
)
from shutdownlint.rules import RULES_BY_CODE
from shutdownlint.rules.base import Report, Rule, RuleContext
from shutdownlint.rules.sdl900_parse_error import ParseError
from shutdownlint.rules.sdl999_internal_error import InternalError
from shutdownlint.source import SourceText

T = TypeVar("T")
_NOQA = re.compile(
    r"#\s*noqa(?![A-Za-z0-9_])(?P<colon>\s*:\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*)?)?",
    re.I,
)
NoqaMap = dict[int, frozenset[str] | None]


def check_path(
    path: Path, settings: Settings, rules: Sequence[type[Rule]], debug: bool = False
) -> FileResult:
    """Check the file at `path` (reported under that path, symlinks not followed)."""
    path = absolute(path)
    try:
        with profile.section("read"):
            data = read_regular(path, settings.max_file_size)
    except FileTooLarge as e:
        return _too_large(path, e.size, e.limit)
    except OSError as e:  # missing, a dangling link, a loop, denied, a FIFO or a device
        result = FileResult(path)
        if ParseError.code in settings.codes_for(path):
            result.findings.append(_parse_error(path, f"cannot read file: {describe(e)}", 1, 1))
        return result
    result = check_bytes(data, path, settings, rules, debug)
    result.content_hash = hashlib.sha256(data).hexdigest()
    return result


def check_bytes(
    data: bytes,
    path: Path,
    settings: Settings,
    rules: Sequence[type[Rule]],
    debug: bool = False,
) -> FileResult:
    """Check one file's content; `path` is where it lives (or claims to, for stdin)."""
    path = absolute(path)
    limit = settings.max_file_size
    if limit is not None and len(data) > limit:
        return _too_large(path, len(data), limit)
    return with_headroom(_check, data, path, settings, rules, debug)


def worker_died(path: Path) -> FileResult:
    """SDL999 for a file whose worker process died while checking it."""
    path = absolute(path)
    message = InternalError.message.format(
        rule="(every rule)",
        error="the worker process checking it died (out of memory, or a crash in C code)",
    )
    return FileResult(path, [_engine_finding(InternalError, path, message, 1)])


def _too_large(path: Path, size: int, limit: int) -> FileResult:
    result = FileResult(path)
    result.warnings.append(
        f"{path}: skipped: {size} bytes is more than max-file-size ({limit} bytes)"
    )
    result.stats["too_large"] += 1
    return result


def _check(
    data: bytes,
    path: Path,
    settings: Settings,
    rules: Sequence[type[Rule]],
    debug: bool,
) -> FileResult:
    result = FileResult(path)
    codes = settings.codes_for(path)
    with profile.section("decode"):
        source, error = decode(data)
    if source is None:
        if ParseError.code in codes:
            result.findings.append(_parse_error(path, error or "cannot decode", 1, 1))
        return result
    result.source = source
    enabled = [r for r in rules if r.code in codes and not r.engine_only]
    text = SourceText(source)
    with profile.section("cheap look"):
        deep = bool(enabled) and needs_deep_analysis(source, settings, enabled)
    if not deep:
        result.stats["skipped"] += 1
        with profile.section("syntax check"):
            syntax = _syntax_error(source, path)
        if syntax and ParseError.code in codes:
            result.findings.append(syntax)
        return _finish(result, source, settings.noqa)
    roots = [astroid_env.project_root(path), settings.root, settings.root / "src"]
    with astroid_env.analysing(path, roots) as consulted:
        try:
            with profile.section("parse"):
                module = _build(source, path)
        except _GaveUp:
            result.stats["gave_up"] += 1  # valid code, too deep for astroid: no finding
        except _ParseFailure as failure:
            if ParseError.code in codes:
                result.findings.append(
                    _parse_error(path, failure.message, failure.row, failure.col)
                )
        else:
            with warnings.catch_warnings():
                # astroid parses other modules and string annotations as it infers.
                warnings.simplefilter("ignore")
                _run_rules(module, enabled, settings, result, text, debug, codes)
    result.dependencies = consulted
    return _finish(result, source, settings.noqa)


@functools.cache
def _prefilter(words: frozenset[str]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))


def needs_deep_analysis(source: str, settings: Settings, rules: Sequence[type[Rule]]) -> bool:
    """Whether `source` mentions any API the analysis or the rules know (else it gets
    only a syntax check)."""
    words = ANALYSIS_WORDS.union(*(r.prefilter_words for r in rules))
    words |= {m.qname.rsplit(".", 1)[-1] for m in settings.analysis.types}
    return _prefilter(frozenset(words)).search(source) is not None


# -- parsing -----------------------------------------------------------------
class _GaveUp(Exception):
    """Valid code that astroid cannot build within the recursion headroom."""


class _ParseFailure(Exception):
    def __init__(self, message: str, row: int = 1, col: int = 1) -> None:
        super().__init__(message)
        self.message, self.row, self.col = message, row, col


def _syntax_message(error: SyntaxError) -> str:
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    return f"syntax error (Python {version} grammar): {error.msg}"


def _syntax_error(source: str, path: Path) -> Finding | None:
    """SDL900 for a file that gets no deep analysis, if it does not parse."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(source, filename=str(path))
    except SyntaxError as e:
        return _parse_error(path, _syntax_message(e), e.lineno or 1, e.offset or 1)
    except (RecursionError, MemoryError) as e:
        if _compiles(source):
            return None  # valid: only the ast module's own depth limit was reached
        return _parse_error(path, _other_parse_message(e), 1, 1)
    except ValueError as e:
        return _parse_error(path, _other_parse_message(e), 1, 1)
    return None


def _other_parse_message(error: BaseException) -> str:
    if isinstance(error, ValueError) and "null" in str(error):
        return "source contains null bytes"
    if isinstance(error, RecursionError | MemoryError):
        return "nesting too deep for the parser"
    return f"cannot parse: {error}"


def _build(source: str, path: Path) -> nodes.Module:
    try:
        return astroid_env.build(source, path)
    except AstroidSyntaxError as e:
        error = e.error
        if isinstance(error, SyntaxError):
            raise _ParseFailure(_syntax_message(error), error.lineno or 1, error.offset or 1) from e
        if isinstance(error, RecursionError | MemoryError) and _compiles(source):
            raise _GaveUp from e
        raise _ParseFailure(_other_parse_message(error)) from e
    except (RecursionError, MemoryError) as e:
        if _compiles(source):
            raise _GaveUp from e  # valid code: astroid's rebuilder ran out of depth
        raise _ParseFailure(_other_parse_message(e)) from e
    except ValueError as e:
        raise _ParseFailure(_other_parse_message(e)) from e


# -- recursion headroom ------------------------------------------------------------
# CPython compiles expressions nested about 3,000 deep (10,000 on 3.13): a 3,000-branch
# elif chain, a 3,000-term `"s" + "s" + ...`. astroid builds and infers such trees
# recursively, several Python frames per level, so each file is checked on a thread
# with a large stack and a recursion limit to match. Where analysis still runs out,
# it gives up quietly on that node (counted as "gave_up"); valid code is never SDL900.
STACK_SIZE = 512 * 1024 * 1024
RECURSION_LIMIT = 120_000


class _Headroom:
    """Raises the recursion limit while any check runs, restores it after the last."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running = 0
        self._saved = 0

    def run(self, function: Callable[..., T], *args: object) -> T:
        box: dict[str, Any] = {}

        def target() -> None:
            try:
                box["value"] = function(*args)
            except BaseException as e:  # noqa: BLE001 - re-raised on the caller's thread
                box["error"] = e

        with self._lock:
            if self._running == 0:
                self._saved = sys.getrecursionlimit()
                sys.setrecursionlimit(max(self._saved, RECURSION_LIMIT))
            self._running += 1
        try:
            thread = self._started(target)
            if thread is None:
                target()  # no thread to be had: the caller's own stack and limit
            else:
                thread.join()
        finally:
            with self._lock:
                self._running -= 1
                if self._running == 0:
                    sys.setrecursionlimit(self._saved)
        if "error" in box:
            raise box["error"]
        return box["value"]

    def _started(self, target: Callable[[], None]) -> threading.Thread | None:
        """A started thread with a large stack, or None when none can be started. The
        stack size is process-wide: set and restored under the lock."""
        with self._lock:
            try:
                previous = threading.stack_size(STACK_SIZE)
            except (ValueError, RuntimeError):  # a platform that refuses the size
                previous = None
            thread = threading.Thread(target=target, name="shutdownlint-check", daemon=True)
            try:
                thread.start()
            except RuntimeError:  # "can't start new thread"
                return None
            finally:
                if previous is not None:
                    # Restores a size it returned, so it cannot raise; the caller joins.
                    threading.stack_size(previous)  # noqa: SDL103
        return thread


with_headroom = _Headroom().run


# -- rules -------------------------------------------------------------------
def _run_rules(
    module: nodes.Module,
    rules: list[type[Rule]],
    settings: Settings,
    result: FileResult,
    text: SourceText,
    debug: bool,
    codes: frozenset[str],
) -> None:
    timing = profile.active()
    facts_class = ModuleFacts if timing is None else profile.timed_facts(ModuleFacts)
    facts = facts_class(module, settings.analysis)
    if timing is not None:
        timing.deep += 1
    reports: list[Report] = []
    ctx = RuleContext(facts, text, reports.append, codes)
    dispatch: dict[str, list[tuple[Rule, Callable]]] = {}
    for instance in (rule() for rule in rules):
        for node_type, method in instance.visitors().items():
            visit = getattr(instance, method)
            if timing is not None:
                visit = profile.timed(f"rule {instance.code}", visit)
            dispatch.setdefault(node_type, []).append((instance, visit))
    failed: set[str] = set()
    for node in facts.contexts.all_nodes:
        for instance, visit in dispatch.get(type(node).__name__.lower(), ()):
            if instance.code in failed:
                continue
            try:
                visit(node, ctx)
            except RecursionError:
                facts.stats["gave_up"] += 1
            except Exception as e:  # a rule bug must not stop the run: SDL999
                failed.add(instance.code)
                row = getattr(node, "lineno", None) or 1
                message = InternalError.message.format(
                    rule=f"{instance.code} ({instance.name})",
                    error=f"{type(e).__name__}: {e} (line {row})",
                )
                result.findings.append(_engine_finding(InternalError, result.path, message, row))
                if debug:
                    result.warnings.append(
                        f"{result.path}:{row}: {instance.code} raised:\n{traceback.format_exc()}"
                    )
    result.stats.update(facts.stats)
    seen: set[tuple] = set()
    read = {str(result.path): text}
    for report in reports:
        with profile.section("findings"):
            finding = _finding(report, result.path, read)
        key = (finding.code, finding.location, finding.message)
        if key not in seen:
            seen.add(key)
            result.findings.append(finding)


# -- positions and findings ---------------------------------------------------
def _text_of(filename: str, read: dict[str, SourceText]) -> SourceText:
    """Another file named by a related location, read once per analysed file."""
    if filename not in read:
        try:
            text, _ = decode(read_regular(filename))
        except OSError:
            text = None
        read[filename] = SourceText(text or "")
    return read[filename]


def _finding(report: Report, path: Path, read: dict[str, SourceText]) -> Finding:
    rule = report.rule
    filename = str(path)
    start, end = read[filename].span(report.node)
    related = []
    for node, note in report.related:
        other = node.root().file or filename
        r_start, r_end = _text_of(other, read).span(node)
        related.append(Related(note, other, r_start, r_end))
    return Finding(
        code=rule.code,
        name=rule.name,
        message=report.message,
        severity=rule.severity(),
        filename=filename,
        location=start,
        end_location=end,
        fix=report.fix.in_newline(newline_of(read[filename].text)),
        noqa_row=start.row,
        related=tuple(related),
    )


def _engine_finding(rule: type[Rule], path: Path, message: str, row: int, col: int = 1) -> Finding:
    """SDL900/SDL999: reported by the engine, with no fix (SPEC §4)."""
    location = Location(row, max(col, 1))
    return Finding(
        code=rule.code,
        name=rule.name,
        message=message,
        severity="error",
        filename=str(path),
        location=location,
        end_location=location,
        fix=None,
        noqa_row=row if rule is not InternalError else None,  # cannot be noqa'd
    )


def _parse_error(path: Path, message: str, row: int, col: int) -> Finding:
    return _engine_finding(ParseError, path, message, row, col)


# -- noqa --------------------------------------------------------------------
def noqa_map(source: str, warn: Callable[[int, str], None] | None = None) -> NoqaMap:
    """{row: codes} for `# noqa: CODES` comments (None: a bare `# noqa`, all codes).

    Rows are counted as Python counts them (`\r` alone ends a line too). A `# noqa:`
    followed by no valid code suppresses nothing, as in ruff, and `warn(row, text)`
    is told so.
    """
    found: NoqaMap = {}
    if "noqa" not in source.lower():
        return found  # most files: skip tokenising (a fifth of a warm editor check)
    try:
        # newline=None: universal newlines, so that a lone-CR file has all its rows.
        tokens = [
            (t.start[0], t.string)
            for t in tokenize.generate_tokens(io.StringIO(source, newline=None).readline)
            if t.type == tokenize.COMMENT
        ]
    except Exception:  # noqa: BLE001 - tokenizers differ by version; fall back to lines
        tokens = [(i, line) for i, line in enumerate(source_lines(source), 1) if "#" in line]
    for row, comment in tokens:
        match = _NOQA.search(comment)
        if not match:
            continue
        codes = match.group("codes")
        if codes:
            found[row] = frozenset(c.upper() for c in re.split(r"[\s,]+", codes) if c)
        elif match.group("colon"):
            if warn is not None:
                warn(row, f"`{match.group().strip()}` names no rule code: it suppresses nothing")
        else:
            found[row] = None
    return found


def noqa_covers(codes: frozenset[str] | None, code: str) -> bool:
    """Whether a noqa comment's codes cover `code`: all of them for a bare `# noqa`, else
    a code or a prefix of it (`# noqa: SDL3` covers SDL301), as flake8 matches them."""
    return codes is None or code.startswith(tuple(codes))


def apply_noqa(result: FileResult, source: str) -> FileResult:
    """`result`'s findings (checked with noqa off) with `source`'s `# noqa` comments
    applied, as a check with them on gives: the language server keeps a check's findings
    before noqa, to take them over for an edit that changes only comments."""
    return _finish(result, source, True)


def _finish(result: FileResult, source: str, honour_noqa: bool = True) -> FileResult:
    """Sort the findings and apply `# noqa` (unless `honour_noqa` is off: flake8 applies
    its own, so that `flake8 --disable-noqa` shows everything)."""
    if not honour_noqa:
        result.findings.sort(key=lambda f: f.sort_key)
        return result

    def warn(row: int, text: str) -> None:
        result.warnings.append(f"{result.path}:{row}: {text}")

    with profile.section("noqa"):
        return _apply_noqa(result, source, warn)


def _apply_noqa(result: FileResult, source: str, warn: Callable[[int, str], None]) -> FileResult:
    noqa = noqa_map(source, warn)
    for row, codes in noqa.items():
        for code in sorted(codes or ()):
            if code.startswith("SDL") and not any(c.startswith(code) for c in RULES_BY_CODE):
                result.warnings.append(
                    f"{result.path}:{row}: unknown rule code `{code}` in a noqa comment"
                )
    kept = []
    for finding in result.findings:
        codes = noqa.get(finding.noqa_row) if finding.noqa_row else None
        suppressed = (
            finding.code != InternalError.code
            and finding.noqa_row in noqa
            and noqa_covers(codes, finding.code)
        )
        if not suppressed:
            kept.append(finding)
    result.findings = sorted(kept, key=lambda f: f.sort_key)
    return result
