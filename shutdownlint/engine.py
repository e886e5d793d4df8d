"""One file in, findings out.

Read and decode as Python does -> a cheap look decides whether deep analysis
is needed -> parse once with astroid -> each enabled rule visits the nodes it
asks for -> findings -> `# noqa` -> result. A file that cannot be read or
parsed gives SDL900; a rule that raises gives SDL999 for that file while the
other rules go on. The analysed code is never imported or executed: astroid
builds the file and its project's modules from source text.
"""

from __future__ import annotations

import ast
import hashlib
import io
import re
import sys
import sysconfig
import tokenize
import traceback
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import astroid
from astroid import nodes
from astroid.builder import AstroidBuilder
from astroid.context import _invalidate_cache
from astroid.exceptions import AstroidBuildingError, AstroidSyntaxError
from astroid.inference_tip import clear_inference_tip_cache
from astroid.nodes._base_nodes import LookupMixIn

from shutdownlint.analysis import ModuleFacts
from shutdownlint.analysis.infer import walk
from shutdownlint.config import Settings
from shutdownlint.findings import Finding, Fix, Location, Related
from shutdownlint.rules import ALL_RULES, RULES_BY_CODE
from shutdownlint.rules.base import Report, Rule, RuleContext

MANAGER = astroid.MANAGER
# Never load a C extension of the analysed project to look inside it.
MANAGER.always_load_extensions = False
MANAGER.extension_package_whitelist = set()

# A file that mentions none of these needs no deep analysis (only a syntax check).
_CONCURRENCY_WORDS = re.compile(
    r"thread|queue|Queue|multiprocessing|asyncio|concurrent|socket|subprocess|Popen|Event"
    r"|Lock|Condition|Semaphore|Barrier|Future|Executor|signal|atexit|Timer|Process|await"
)
_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?", re.I)
_INSTALLED_PREFIXES = tuple(
    {
        str(Path(p).resolve())
        for key in ("stdlib", "platstdlib", "purelib", "platlib")
        if (p := sysconfig.get_paths().get(key))
    }
)


@dataclass
class FileResult:
    path: Path
    findings: list[Finding] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    stats: Counter[str] = field(default_factory=Counter)
    source: str | None = None
    # Project modules the analysis consulted (path -> sha256), for the cache key.
    dependencies: dict[str, str] = field(default_factory=dict)


def check_path(path: Path, settings: Settings, debug: bool = False) -> FileResult:
    try:
        data = path.read_bytes()
    except OSError as e:
        result = FileResult(path)
        result.findings.append(_parse_error(path, f"cannot read file: {e.strerror or e}", 1, 1))
        return result
    return check_bytes(data, path, settings, debug)


def check_bytes(data: bytes, path: Path, settings: Settings, debug: bool = False) -> FileResult:
    """Check one file's content; `path` is where it lives (or claims to, for stdin)."""
    result = FileResult(path)
    codes = settings.codes_for(path)
    source, error = decode(data)
    if source is None:
        if "SDL900" in codes:
            result.findings.append(_parse_error(path, error or "cannot decode", 1, 1))
        return result
    result.source = source
    rules = [r for r in ALL_RULES if r.code in codes and not r.engine_only]
    lines = source.splitlines()
    if not (rules and needs_deep_analysis(source, settings)):
        result.stats["skipped"] += 1
        syntax = _syntax_error(source, path)
        if syntax and "SDL900" in codes:
            result.findings.append(syntax)
        return _finish(result, source, lines)
    try:
        module = _build(source, path, settings.root)
    except _ParseFailure as failure:
        if "SDL900" in codes:
            result.findings.append(_parse_error(path, failure.message, failure.row, failure.col))
        return _finish(result, source, lines)
    try:
        with warnings.catch_warnings():
            # astroid parses other modules and string annotations as it infers.
            warnings.simplefilter("ignore")
            _run_rules(module, rules, settings, result, lines, debug)
    finally:
        result.dependencies = _evict_project_modules(path, module.name)
    return _finish(result, source, lines)


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


def needs_deep_analysis(source: str, settings: Settings) -> bool:
    if _CONCURRENCY_WORDS.search(source):
        return True
    return any(m.qname.rsplit(".", 1)[-1] in source for m in settings.analysis.types)


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


def module_name(path: Path) -> str:
    """A dotted name from the package layout (`pkg/sub/mod.py` -> `pkg.sub.mod`).

    A name that is also a standard-library module gets a prefix, so that the
    project's own `queue.py` is never taken for the standard `queue`.
    """
    parts = [] if path.name == "__init__.py" else [path.stem]
    directory = path.parent
    while (directory / "__init__.py").is_file() and directory.parent != directory:
        parts.append(directory.name)
        directory = directory.parent
    name = ".".join(reversed(parts)) or path.stem
    if name.split(".")[0] in sys.stdlib_module_names or not name.isascii():
        name = "__project__." + name
    return name


def _project_root(path: Path) -> Path:
    directory = path.parent
    while (directory / "__init__.py").is_file() and directory.parent != directory:
        directory = directory.parent
    return directory


# The analysed file's project roots, for the import hook below (astroid's manager is
# process-wide, so its hook reads them from here; set per file, cleared after it).
_current_roots: list[Path] = []


def _import_from_project(modname: str) -> nodes.Module:
    """astroid's failed-import hook: find `pkg.mod` below the analysed file's project root
    and build it from source (never imported)."""
    relative = Path(*modname.split("."))
    for root in _current_roots:
        for candidate in (root / relative.with_suffix(".py"), root / relative / "__init__.py"):
            if candidate.is_file():
                return MANAGER.ast_from_file(str(candidate), modname, source=True)
    raise AstroidBuildingError(f"{modname} is not in the analysed project")


MANAGER.register_failed_import_hook(_import_from_project)


def _build(source: str, path: Path, config_root: Path) -> nodes.Module:
    # Where `import pkg.mod` may point into the project: the file's own package root,
    # then the configuration's folder and its src/ (tests importing the package).
    roots = [_project_root(path.resolve()), config_root, config_root / "src"]
    _current_roots[:] = list(dict.fromkeys(roots))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return AstroidBuilder(MANAGER).string_build(
                source, module_name(path.resolve()), str(path.resolve())
            )
    except AstroidSyntaxError as e:
        error = e.error
        if isinstance(error, SyntaxError):
            raise _ParseFailure(_syntax_message(error), error.lineno or 1, error.offset or 1) from e
        raise _ParseFailure(_other_parse_message(error)) from e
    except (ValueError, RecursionError, MemoryError) as e:
        raise _ParseFailure(_other_parse_message(e)) from e


def _is_installed(filename: str) -> bool:
    return str(Path(filename).resolve()).startswith(_INSTALLED_PREFIXES)


def _evict_project_modules(analysed: Path, built: str) -> dict[str, str]:
    """Drop the analysed module (`built`) and its project's modules from astroid's
    caches (standard-library and installed modules stay, even when the analysed file is
    one of them), and return the other project files that were consulted."""
    consulted: dict[str, str] = {}
    analysed_file = str(analysed.resolve())
    for name, module in list(MANAGER.astroid_cache.items()):
        filename = getattr(module, "file", None)
        if name != built and (
            not filename or _is_installed(filename) or not Path(filename).is_file()
        ):
            continue
        del MANAGER.astroid_cache[name]
        if filename and filename != analysed_file:
            try:
                consulted[filename] = hashlib.sha256(Path(filename).read_bytes()).hexdigest()
            except OSError:
                consulted[filename] = ""
    MANAGER._mod_file_cache.clear()
    clear_inference_tip_cache()
    _invalidate_cache()
    LookupMixIn.lookup.cache_clear()
    _current_roots.clear()
    return consulted


# -- rules -------------------------------------------------------------------
def _run_rules(
    module: nodes.Module,
    rules: list[type[Rule]],
    settings: Settings,
    result: FileResult,
    lines: list[str],
    debug: bool,
) -> None:
    facts = ModuleFacts(module, settings.analysis)
    reports: list[Report] = []
    ctx = RuleContext(facts, reports.append)
    instances = [rule() for rule in rules]
    dispatch: dict[str, list[tuple[Rule, Callable]]] = {}
    for instance in instances:
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
                message = RULES_BY_CODE["SDL999"].message.format(
                    rule=f"{instance.code} ({instance.name})",
                    error=f"{type(e).__name__}: {e} (line {row})",
                )
                result.findings.append(_engine_finding("SDL999", result.path, message, row))
                if debug:
                    result.warnings.append(
                        f"{result.path}:{row}: {instance.code} raised:\n{traceback.format_exc()}"
                    )
    result.stats.update(facts.stats)
    seen: set[tuple] = set()
    read = {str(result.path.resolve()): lines}
    for report in reports:
        finding = _finding(report, result.path, read)
        key = (finding.code, finding.location, finding.message)
        if key not in seen:
            seen.add(key)
            result.findings.append(finding)


# -- positions and findings ---------------------------------------------------
def _lines_of(filename: str, read: dict[str, list[str]]) -> list[str]:
    """Lines of another file named by a related location, read once per analysed file."""
    if filename not in read:
        try:
            text, _ = decode(Path(filename).read_bytes())
        except OSError:
            text = None
        read[filename] = (text or "").splitlines()
    return read[filename]


def _column(lines: list[str], row: int, byte_offset: int) -> int:
    """astroid columns are UTF-8 byte offsets; findings count code points (1-based)."""
    if 1 <= row <= len(lines):
        line = lines[row - 1]
        if not line.isascii():
            return len(line.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore")) + 1
    return byte_offset + 1


def _span(node: nodes.NodeNG, lines: list[str]) -> tuple[Location, Location]:
    row = node.lineno or 1
    col = node.col_offset or 0
    end_row = node.end_lineno or row
    end_col = node.end_col_offset if node.end_col_offset is not None else col
    return (
        Location(row, _column(lines, row, col)),
        Location(end_row, _column(lines, end_row, end_col)),
    )


def _finding(report: Report, path: Path, read: dict[str, list[str]]) -> Finding:
    rule = report.rule
    filename = str(path.resolve())
    start, end = _span(report.node, read[filename])
    related = []
    for node, note in report.related:
        other = node.root().file or filename
        r_start, r_end = _span(node, _lines_of(other, read))
        related.append(Related(note, other, r_start, r_end))
    return Finding(
        code=rule.code,
        name=rule.name,
        message=report.message,
        severity=rule.severity(),
        filename=filename,
        location=start,
        end_location=end,
        fix=Fix(report.fix),
        noqa_row=start.row,
        related=tuple(related),
    )


def _engine_finding(code: str, path: Path, message: str, row: int, col: int = 1) -> Finding:
    """SDL900/SDL999: reported by the engine, with no fix (SPEC §4)."""
    rule = RULES_BY_CODE[code]
    location = Location(row, max(col, 1))
    return Finding(
        code=code,
        name=rule.name,
        message=message,
        severity="error",
        filename=str(path.resolve()),
        location=location,
        end_location=location,
        fix=None,
        noqa_row=row if code != "SDL999" else None,  # an internal error cannot be noqa'd
    )


def _parse_error(path: Path, message: str, row: int, col: int) -> Finding:
    return _engine_finding("SDL900", path, message, row, col)


# -- noqa --------------------------------------------------------------------
def noqa_map(source: str) -> dict[int, frozenset[str] | None]:
    """{row: codes} for `# noqa: CODES` comments (None: a bare `# noqa`, all codes)."""
    found: dict[int, frozenset[str] | None] = {}
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


def _finish(result: FileResult, source: str, lines: list[str]) -> FileResult:
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
            finding.code != "SDL999"
            and finding.noqa_row in noqa
            and (codes is None or finding.code in codes)
        )
        if not suppressed:
            kept.append(finding)
    result.findings = sorted(kept, key=lambda f: f.sort_key)
    return result
