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
import io
import re
import sys
import tokenize
import traceback
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

from astroid import nodes
from astroid.exceptions import AstroidSyntaxError

from shutdownlint.analysis import astroid_env
from shutdownlint.analysis.facts import ModuleFacts
from shutdownlint.analysis.infer import walk
from shutdownlint.analysis.words import ANALYSIS_WORDS
from shutdownlint.config import Settings
from shutdownlint.findings import FileResult, Finding, Location, Related
from shutdownlint.rules import RULES_BY_CODE
from shutdownlint.rules.base import Report, Rule, RuleContext
from shutdownlint.rules.sdl900_parse_error import ParseError
from shutdownlint.rules.sdl999_internal_error import InternalError
from shutdownlint.source import SourceText

_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?", re.I)


def check_path(
    path: Path, settings: Settings, rules: Sequence[type[Rule]], debug: bool = False
) -> FileResult:
    try:
        data = path.read_bytes()
    except OSError as e:
        result = FileResult(path)
        result.findings.append(_parse_error(path, f"cannot read file: {e.strerror or e}", 1, 1))
        return result
    return check_bytes(data, path, settings, rules, debug)


def check_bytes(
    data: bytes,
    path: Path,
    settings: Settings,
    rules: Sequence[type[Rule]],
    debug: bool = False,
) -> FileResult:
    """Check one file's content; `path` is where it lives (or claims to, for stdin)."""
    result = FileResult(path)
    codes = settings.codes_for(path)
    source, error = decode(data)
    if source is None:
        if ParseError.code in codes:
            result.findings.append(_parse_error(path, error or "cannot decode", 1, 1))
        return result
    result.source = source
    enabled = [r for r in rules if r.code in codes and not r.engine_only]
    text = SourceText(source)
    if not (enabled and needs_deep_analysis(source, settings, enabled)):
        result.stats["skipped"] += 1
        syntax = _syntax_error(source, path)
        if syntax and ParseError.code in codes:
            result.findings.append(syntax)
        return _finish(result, source)
    roots = [astroid_env.project_root(path.resolve()), settings.root, settings.root / "src"]
    with astroid_env.analysing(path, roots) as consulted:
        try:
            module = _build(source, path)
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
    return _finish(result, source)


def decode(data: bytes) -> tuple[str | None, str | None]:
    """The source text, decoded as Python does (BOM, coding cookie), or an error."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except (SyntaxError, LookupError) as e:
        return None, f"cannot decode: {getattr(e, 'msg', None) or e}"
    except UnicodeDecodeError as e:
        return None, f"cannot decode as {e.encoding}: invalid byte at offset {e.start}"
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, None


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
class _ParseFailure(Exception):
    def __init__(self, message: str, row: int = 1, col: int = 1) -> None:
        super().__init__(message)
        self.message, self.row, self.col = message, row, col


def _syntax_message(error: SyntaxError) -> str:
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    return f"syntax error (Python {version} grammar): {error.msg}"


def _syntax_error(source: str, path: Path) -> Finding | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(source, filename=str(path))
    except SyntaxError as e:
        return _parse_error(path, _syntax_message(e), e.lineno or 1, e.offset or 1)
    except (ValueError, RecursionError, MemoryError) as e:
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
        raise _ParseFailure(_other_parse_message(error)) from e
    except (ValueError, RecursionError, MemoryError) as e:
        raise _ParseFailure(_other_parse_message(e)) from e


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
    facts = ModuleFacts(module, settings.analysis)
    reports: list[Report] = []
    ctx = RuleContext(facts, text, reports.append, codes)
    dispatch: dict[str, list[tuple[Rule, Callable]]] = {}
    for instance in (rule() for rule in rules):
        for node_type, method in instance.visitors().items():
            dispatch.setdefault(node_type, []).append((instance, getattr(instance, method)))
    failed: set[str] = set()
    for node in walk(module):
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
    read = {str(result.path.resolve()): text}
    for report in reports:
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
            text, _ = decode(Path(filename).read_bytes())
        except OSError:
            text = None
        read[filename] = SourceText(text or "")
    return read[filename]


def _finding(report: Report, path: Path, read: dict[str, SourceText]) -> Finding:
    rule = report.rule
    filename = str(path.resolve())
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
        fix=report.fix,
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
        filename=str(path.resolve()),
        location=location,
        end_location=location,
        fix=None,
        noqa_row=row if rule is not InternalError else None,  # cannot be noqa'd
    )


def _parse_error(path: Path, message: str, row: int, col: int) -> Finding:
    return _engine_finding(ParseError, path, message, row, col)


# -- noqa --------------------------------------------------------------------
def noqa_map(source: str) -> dict[int, frozenset[str] | None]:
    """{row: codes} for `# noqa: CODES` comments (None: a bare `# noqa`, all codes)."""
    found: dict[int, frozenset[str] | None] = {}
    if "noqa" not in source.lower():
        return found  # most files: skip tokenising (a fifth of a warm editor check)
    try:
        tokens = [
            (t.start[0], t.string)
            for t in tokenize.generate_tokens(io.StringIO(source).readline)
            if t.type == tokenize.COMMENT
        ]
    except Exception:  # noqa: BLE001 - tokenizers differ by version; fall back to lines
        tokens = [(i, line) for i, line in enumerate(source.splitlines(), 1) if "#" in line]
    for row, comment in tokens:
        match = _NOQA.search(comment)
        if match:
            codes = match.group("codes")
            found[row] = (
                frozenset(c.upper() for c in re.split(r"[\s,]+", codes) if c) if codes else None
            )
    return found


def _finish(result: FileResult, source: str) -> FileResult:
    noqa = noqa_map(source)
    for row, codes in noqa.items():
        for code in sorted(codes or ()):
            if code.startswith("SDL") and code not in RULES_BY_CODE:
                result.warnings.append(
                    f"{result.path}:{row}: unknown rule code `{code}` in a noqa comment"
                )
    kept = []
    for finding in result.findings:
        codes = noqa.get(finding.noqa_row) if finding.noqa_row else None
        suppressed = (
            finding.code != InternalError.code
            and finding.noqa_row in noqa
            and (codes is None or finding.code in codes)
        )
        if not suppressed:
            kept.append(finding)
    result.findings = sorted(kept, key=lambda f: f.sort_key)
    return result
