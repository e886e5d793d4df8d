"""A run: discover -> cache -> process pool -> results -> statistics.

What the CLI, the language server and the flake8 plugin all call; it knows no
command line and no output format.
"""

from __future__ import annotations

import hashlib
import io
import os
import tokenize
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from shutdownlint.cache import Cache
from shutdownlint.config import Settings
from shutdownlint.engine import check_bytes, decode
from shutdownlint.fileio import read_regular
from shutdownlint.files import discover
from shutdownlint.findings import FileResult, Finding
from shutdownlint.parallel import check_paths
from shutdownlint.rules import ALL_RULES, RULES_BY_CODE
from shutdownlint.rules.base import Rule

# Below this many files one process is faster than starting a pool.
PARALLEL_THRESHOLD = 16


@dataclass(frozen=True)
class Statistics:
    counts: dict[str, int]  # findings per code
    files: int
    skipped: int  # files without concurrency code: syntax check only
    gave_up: int  # nodes where analysis ran out of depth or inference budget
    too_large: int = 0  # files above max-file-size, not checked

    def lines(self) -> list[str]:
        out = [
            f"{self.counts[code]:>5}\t{code}\t{RULES_BY_CODE[code].name}"
            for code in sorted(self.counts)
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
                    "name": RULES_BY_CODE[code].name,
                    "count": self.counts[code],
                    "fixable": False,
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

    def statistics(self) -> Statistics:
        return Statistics(
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
    return check_source(_encoded(text), path, settings, rules, debug)


def _encoded(text: str) -> bytes:
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
) -> RunResult:
    """Check every Python file under `targets`. `on_file(total)` is called once per file
    checked (for a progress bar). `rules` defaults to every registered rule."""
    rules = rules or ALL_RULES
    run_warnings: list[str] = []
    files = discover(list(targets), settings, run_warnings)
    results: dict[Path, FileResult] = {}
    todo = []
    for path in files:
        if cache is not None:
            hit = cache.get(path, _digest(path, settings))
            if hit is not None:
                results[path] = hit
                continue
        todo.append(path)
    if jobs is None:
        jobs = (os.cpu_count() or 1) if len(todo) >= PARALLEL_THRESHOLD else 1
    for path, result in zip(todo, check_paths(todo, settings, rules, jobs, debug), strict=True):
        results[path] = result
        if cache is not None and result.content_hash is not None:
            cache.put(path, result.content_hash, result)
        if on_file is not None:
            on_file(len(todo))
    return RunResult([results[p] for p in files], run_warnings, settings.max_file_size)


def _digest(path: Path, settings: Settings) -> str | None:
    """sha256 of the file's content (None when it cannot be read: no cache entry)."""
    try:
        return hashlib.sha256(read_regular(path, settings.max_file_size)).hexdigest()
    except OSError:
        return None
