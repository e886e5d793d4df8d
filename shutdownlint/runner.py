"""A run: discover -> cache -> process pool -> results -> statistics.

What the CLI, the language server and the flake8 plugin all call; it knows no
command line and no output format.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import tokenize
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from shutdownlint.cache import Cache
from shutdownlint.catalogue import NAMES_BY_CODE
from shutdownlint.config import Settings
from shutdownlint.decoding import decode
from shutdownlint.fileio import describe, read_regular
from shutdownlint.files import discover
from shutdownlint.findings import FileResult, Finding
from shutdownlint.profile import Profile

if TYPE_CHECKING:
    from shutdownlint.fixes import StoredAs
    from shutdownlint.rules.base import Rule

# The engine, the fixes and the rules (astroid, libcst) are imported only when a file
# must be checked or fixed: a run whose files all come from the cache needs none.

# Below this many files one process is faster than starting a pool.
PARALLEL_THRESHOLD = 16


@dataclass(frozen=True)
class Statistics:
    counts: dict[str, int]  # findings per code
    files: int
    skipped: int  # files without concurrency code: syntax check only
    gave_up: int  # nodes where analysis ran out of depth or inference budget
    too_large: int = 0  # files above max-file-size, not checked
    fixable: frozenset[str] = frozenset()  # codes with a fix `--fix` would apply

    def lines(self) -> list[str]:
        out = [
            f"{self.counts[code]:>5}\t{code}\t{NAMES_BY_CODE[code]}" for code in sorted(self.counts)
        ]
        out.append(f"{self.files} files checked, {self.skipped} without concurrency code skipped")
        out.append(f"{self.gave_up} nodes where inference gave up (budget or recursion limit)")
        if self.too_large:
            out.append(f"{self.too_large} files above max-file-size skipped")
        return out

    def to_json(self) -> dict:
        """ruff's `--statistics --output-format json` rows, with our totals beside them."""
        return {
            "statistics": [
                {
                    "code": code,
                    "name": NAMES_BY_CODE[code],
                    "count": self.counts[code],
                    "fixable": code in self.fixable,
                }
                for code in sorted(self.counts)
            ],
            "files": self.files,
            "skipped": self.skipped,
            "gave_up": self.gave_up,
            "too_large": self.too_large,
        }


@dataclass
class RunResult:
    results: list[FileResult] = field(default_factory=list)
    # Warnings about the run rather than one file: a folder that cannot be listed.
    run_warnings: list[str] = field(default_factory=list)
    max_file_size: int | None = None  # of the run's settings, for load_sources

    @property
    def findings(self) -> list[Finding]:
        return sorted((f for r in self.results for f in r.findings), key=lambda f: f.sort_key)

    @property
    def warnings(self) -> list[str]:
        return self.run_warnings + [w for r in self.results for w in r.warnings]

    @property
    def sources(self) -> dict[str, str]:
        """The source of each file read, by the filename its findings carry."""
        return {str(r.path): r.source for r in self.results if r.source is not None}

    def statistics(self, unsafe: bool = False) -> Statistics:
        """Counts per code; `unsafe`: unsafe fixes count as fixable (`--unsafe-fixes`)."""
        return Statistics(
            # `fixes.applies`, without importing libcst for it.
            fixable=frozenset(
                f.code for f in self.findings if f.fix is not None and f.fix.applicable(unsafe)
            ),
            counts=dict(Counter(f.code for f in self.findings)),
            files=len(self.results),
            skipped=sum(r.stats.get("skipped", 0) for r in self.results),
            gave_up=sum(r.stats.get("gave_up", 0) for r in self.results),
            too_large=sum(r.stats.get("too_large", 0) for r in self.results),
        )

    def exit_code(self, exit_zero: bool = False) -> int:
        """SPEC §3: 2 on an internal error, 1 on findings (unless `exit_zero`), else 0."""
        findings = self.findings
        if any(f.code == "SDL999" for f in findings):
            return 2
        return 1 if findings and not exit_zero else 0

    def load_sources(self) -> None:
        """Read the source of files with findings whose result came from the cache
        (a terminal shows code frames)."""
        for result in self.results:
            if result.source is None and result.findings:
                try:
                    result.source, _ = decode(read_regular(result.path, self.max_file_size))
                except OSError:
                    continue


def check_source(
    data: bytes,
    path: Path,
    settings: Settings,
    rules: Sequence[type[Rule]] | None = None,
    debug: bool = False,
) -> RunResult:
    """Check one text that claims to be `path` (stdin, an editor buffer); nothing when
    the path is excluded. `rules` defaults to every registered rule."""
    if settings.is_excluded(path):
        return RunResult([])
    from shutdownlint.engine import check_bytes
    from shutdownlint.rules import ALL_RULES

    result = check_bytes(data, path, settings, rules or ALL_RULES, debug)
    return RunResult([result], max_file_size=settings.max_file_size)


def check_text(
    text: str,
    path: Path,
    settings: Settings,
    rules: Sequence[type[Rule]] | None = None,
    debug: bool = False,
) -> RunResult:
    """Check source that is already text (an editor's buffer, flake8's lines) as if it
    were the file at `path`: encoded back as its coding cookie declares, so that it
    decodes exactly as the file would."""
    return check_source(encoded(text), path, settings, rules, debug)


def encoded(text: str) -> bytes:
    """The bytes a file holding `text` would hold: as its coding cookie declares."""
    data = text.encode("utf-8", "surrogatepass")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:  # a bad cookie: the engine reports it (SDL900)
        return data
    if encoding in ("utf-8", "utf-8-sig"):
        return data
    try:
        return text.encode(encoding)
    except Exception:  # noqa: BLE001 - a codec may fail in any way (idna: UnicodeError)
        return data  # not representable as declared: reported as undecodable


def run(
    targets: Sequence[Path],
    settings: Settings,
    *,
    rules: Sequence[type[Rule]] | None = None,
    jobs: int | None = None,
    cache: Cache | None = None,
    debug: bool = False,
    on_file: Callable[[int], None] | None = None,
    timing: Profile | None = None,
) -> RunResult:
    """Check every Python file under `targets`. `on_file(total)` is called once per file
    checked (for a progress bar). `rules` defaults to every registered rule. `timing`
    (`--profile`) is told where the time goes."""
    run_warnings: list[str] = []
    with _phase(timing, "discover"):
        files = discover(list(targets), settings, run_warnings)
    results: dict[Path, FileResult] = {}
    todo = []
    for path in files:
        if cache is not None:
            with _phase(timing, "cache read"):
                hit = cache.get(path, _digest(path, settings))
            if hit is not None:
                results[path] = hit
                continue
        todo.append(path)
    if timing is not None:
        timing.cached = len(files) - len(todo)
    if jobs is None:
        jobs = (os.cpu_count() or 1) if len(todo) >= PARALLEL_THRESHOLD else 1
    if timing is not None:
        timing.processes = min(jobs, len(todo)) if len(todo) > 1 else 1
    if todo:
        with _phase(timing, "import analysis"):
            from shutdownlint.parallel import check_paths
            from shutdownlint.rules import ALL_RULES

        checked = check_paths(todo, settings, rules or ALL_RULES, jobs, debug, timing)
    else:
        checked = iter(())
    for path, result in zip(todo, checked, strict=True):
        results[path] = result
        if cache is not None and result.content_hash is not None:
            with _phase(timing, "cache write"):
                cache.put(path, result.content_hash, result)
        if on_file is not None:
            on_file(len(todo))
    return RunResult([results[p] for p in files], run_warnings, settings.max_file_size)


def _phase(timing: Profile | None, name: str) -> AbstractContextManager:
    return nullcontext() if timing is None else timing.section(name)


def _digest(path: Path, settings: Settings) -> str | None:
    """sha256 of the file's content (None when it cannot be read: no cache entry)."""
    try:
        return hashlib.sha256(read_regular(path, settings.max_file_size)).hexdigest()
    except OSError:
        return None


# -- fixing ---------------------------------------------------------------------------
@dataclass
class FileFix:
    """What `--fix`, `--diff` or `--add-noqa` did (or would do) to one file."""

    path: Path
    before: str
    after: str
    findings: list[Finding]  # what remains reported in `after`
    fixed: Counter[str] = field(default_factory=Counter)  # code -> findings fixed
    added_noqa: int = 0
    refused: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.after != self.before


def _checker(
    path: Path, stored: StoredAs, settings: Settings, rules: Sequence[type[Rule]], debug: bool
) -> Callable[[str], list[Finding]]:
    from shutdownlint.engine import check_bytes

    def check(text: str) -> list[Finding]:
        return check_bytes(stored.encode(text), path, settings, rules, debug).findings

    return check


def fix_source(
    data: bytes,
    path: Path,
    settings: Settings,
    *,
    unsafe: bool = False,
    add_noqa: bool = False,
    rules: Sequence[type[Rule]] | None = None,
    findings: Sequence[Finding] | None = None,
    debug: bool = False,
) -> tuple[FileFix, StoredAs] | None:
    """Fix (or, with `add_noqa`, suppress) the findings of one file's content; None when
    it does not decode. `findings` are those of `data` when already known."""
    from shutdownlint.fixes import fix_text, noqa_text, python_parses, read_source
    from shutdownlint.rules import ALL_RULES

    read = read_source(data)
    if read is None:
        return None
    text, stored = read
    check = _checker(path, stored, settings, rules or ALL_RULES, debug)
    if add_noqa:
        found = list(check(text) if findings is None else findings)
        rows = [(f.noqa_row, f.code) for f in found if f.noqa_row and f.code != "SDL999"]
        after, added = noqa_text(text, rows)
        if python_parses(text) and not python_parses(after):
            after, added = text, 0
        remaining = check(after) if added else found
        return FileFix(path, text, after, remaining, added_noqa=added), stored
    outcome = fix_text(text, check, unsafe, findings)
    return (
        FileFix(path, text, outcome.text, outcome.findings, outcome.fixed, 0, outcome.refused),
        stored,
    )


def fix_run(
    outcome: RunResult,
    settings: Settings,
    *,
    unsafe: bool = False,
    add_noqa: bool = False,
    write: bool = True,
    rules: Sequence[type[Rule]] | None = None,
    debug: bool = False,
) -> tuple[RunResult, list[FileFix]]:
    """Fix the files of a run that have something to fix; written (atomically) unless
    `write` is False (`--diff`). Returns the run with each fixed file's remaining
    findings, and what was done per file. A result from the cache is checked again:
    the fix is made from the file as it is now."""
    from shutdownlint.fixes import applies, write_atomically

    changes: list[FileFix] = []
    results = []
    for result in outcome.results:
        fresh = result.source is not None
        wanted = (
            any(f.noqa_row and f.code != "SDL999" for f in result.findings)
            if add_noqa
            else any(applies(f, unsafe) for f in result.findings)
        )
        if not result.findings or not wanted:
            results.append(result)
            continue
        try:
            data = read_regular(result.path, settings.max_file_size)
        except OSError:
            results.append(result)
            continue
        done = fix_source(
            data,
            result.path,
            settings,
            unsafe=unsafe,
            add_noqa=add_noqa,
            rules=rules,
            # Findings of the bytes now on disk only: else they are checked again.
            findings=result.findings if fresh and _same(data, result) else None,
            debug=debug,
        )
        if done is None:
            results.append(result)
            continue
        change, stored = done
        warnings = [f"{result.path}:{line}" for line in change.refused]
        if change.changed and write:
            try:
                write_atomically(result.path, stored.encode(change.after), expected=data)
            except (OSError, UnicodeError) as e:
                reason = describe(e) if isinstance(e, OSError) else f"cannot encode: {e}"
                warnings.append(f"{result.path}: not fixed: cannot write: {reason}")
                results.append(dataclasses.replace(result, warnings=result.warnings + warnings))
                continue
        changes.append(change)
        results.append(
            dataclasses.replace(
                result,
                findings=change.findings,
                source=change.after,
                warnings=result.warnings + warnings,
            )
        )
    return RunResult(results, outcome.run_warnings, outcome.max_file_size), changes


def _same(data: bytes, result: FileResult) -> bool:
    return result.content_hash == hashlib.sha256(data).hexdigest()
