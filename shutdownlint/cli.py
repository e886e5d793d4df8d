"""The command line: parses options, builds Settings, runs the engine, reports."""

from __future__ import annotations

import os
import sys
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

import click

from shutdownlint import __version__
from shutdownlint.cache import CACHE_DIR_NAME, Cache
from shutdownlint.config import ConfigError, Overrides, Settings, build_settings, split_codes
from shutdownlint.engine import FileResult, check_bytes, decode
from shutdownlint.files import discover
from shutdownlint.parallel import check_paths
from shutdownlint.report import FORMATS, MACHINE_FORMATS, ReportOptions
from shutdownlint.rules import ALL_RULES, RULES_BY_CODE

# Below this many files one process is faster than starting a pool.
_PARALLEL_THRESHOLD = 16
_PROGRESS_THRESHOLD = 20


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(
    __version__, "--version", prog_name="shutdownlint", message="%(prog)s %(version)s"
)
def main() -> None:
    """A linter for Python shutdown bugs."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--select",
    multiple=True,
    help="Rule codes or prefixes to enable (replaces the configured selection).",
)
@click.option(
    "--extend-select",
    multiple=True,
    help="Rule codes or prefixes to enable on top of the selection.",
)
@click.option("--ignore", multiple=True, help="Rule codes or prefixes to disable.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(sorted(FORMATS)),
    default="text",
    show_default=True,
)
@click.option(
    "--output-file",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the report to this file.",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when problems are found.")
@click.option("--statistics", is_flag=True, help="Show counts per rule instead of the findings.")
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    help="Worker processes (default: all cores on large runs).",
)
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache.")
@click.option(
    "--cache-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help=f"Where to cache results (default: {CACHE_DIR_NAME} beside the configuration).",
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Use this configuration file.",
)
@click.option("--isolated", is_flag=True, help="Ignore all configuration files.")
@click.option("--stdin-filename", help="Read the source from stdin; report it under this name.")
@click.option(
    "--quiet", "-q", is_flag=True, help="Print the findings only: no summary, no warnings."
)
@click.option("--debug", is_flag=True, help="Print tracebacks for internal errors.")
def check(**options: Any) -> None:
    """Check PATHS (default: the current directory) for shutdown bugs."""
    try:
        code = _check(**options)
    except ConfigError as e:
        click.echo(f"shutdownlint: error: {e}", err=True)
        code = 2
    except Exception as e:  # noqa: BLE001 - a crash must be one line and exit 2
        if options["debug"]:
            traceback.print_exc()
        click.echo(f"shutdownlint: internal error: {type(e).__name__}: {e}", err=True)
        code = 2
    sys.exit(code)


def _check(
    paths: tuple[Path, ...],
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    output_format: str,
    output_file: Path | None,
    exit_zero: bool,
    statistics: bool,
    jobs: int | None,
    no_cache: bool,
    cache_dir: Path | None,
    config_file: Path | None,
    isolated: bool,
    stdin_filename: str | None,
    quiet: bool,
    debug: bool,
) -> int:
    from_stdin = stdin_filename is not None or paths == (Path("-"),)
    stdin_path = Path(stdin_filename or "-")
    targets = [stdin_path] if from_stdin else list(paths or (Path("."),))
    overrides = Overrides(
        select=split_codes(select) if select else None,
        extend_select=split_codes(extend_select),
        ignore=split_codes(ignore),
    )
    settings = build_settings(targets, config_file, isolated, overrides)
    if from_stdin:
        results = (
            []
            if settings.is_excluded(stdin_path)
            else [check_bytes(sys.stdin.buffer.read(), stdin_path, settings, debug)]
        )
        files = [stdin_path]
    else:
        files = discover(targets, settings)
        cache = None if no_cache else Cache(cache_dir or settings.root / CACHE_DIR_NAME, settings)
        interactive = (
            not quiet
            and output_format not in MACHINE_FORMATS
            and output_file is None
            and sys.stderr.isatty()
            and len(files) >= _PROGRESS_THRESHOLD
        )
        results = _run(files, settings, jobs, cache, debug, interactive)

    findings = sorted((f for r in results for f in r.findings), key=lambda f: f.sort_key)
    if not quiet or debug:
        for result in results:
            for warning in result.warnings:
                click.echo(f"shutdownlint: warning: {warning}", err=True)
    to_terminal = output_file is None and sys.stdout.isatty()
    if to_terminal and output_format == "text":
        _load_sources(results)  # code frames for cached results too
    options = ReportOptions(
        color=to_terminal and "NO_COLOR" not in os.environ and output_format == "text",
        show_source=to_terminal and output_format == "text",
        sources={str(r.path.resolve()): r.source for r in results if r.source is not None},
        quiet=quiet,
    )
    if statistics:
        report = _statistics(findings, results)
    else:
        report = FORMATS[output_format](findings, options)
    if output_file is not None:
        output_file.write_text(report, encoding="utf-8")
    else:
        click.echo(report, nl=False)

    if any(f.code == "SDL999" for f in findings):
        return 2
    if findings and not exit_zero:
        return 1
    return 0


def _load_sources(results: list[FileResult]) -> None:
    for result in results:
        if result.source is None and result.findings:
            try:
                result.source, _ = decode(result.path.read_bytes())
            except OSError:
                continue


def _run(
    files: list[Path],
    settings: Settings,
    jobs: int | None,
    cache: Cache | None,
    debug: bool,
    progress: bool,
) -> list[FileResult]:
    """Results for every file: from the cache where it is fresh, else computed."""
    results: dict[Path, FileResult] = {}
    contents: dict[Path, bytes] = {}
    todo = []
    for path in files:
        if cache is not None:
            try:
                contents[path] = path.read_bytes()
            except OSError:
                todo.append(path)
                continue
            hit = cache.get(path, contents[path])
            if hit is not None:
                results[path] = hit
                continue
        todo.append(path)
    if jobs is None:
        jobs = os.cpu_count() or 1 if len(todo) >= _PARALLEL_THRESHOLD else 1
    computed = check_paths(todo, settings, jobs, debug)
    if progress:
        with click.progressbar(
            computed, length=len(todo), label="Checking", file=sys.stderr
        ) as bar:
            fresh = list(bar)
    else:
        fresh = list(computed)
    for path, result in zip(todo, fresh, strict=True):
        results[path] = result
        if cache is not None and path in contents:
            cache.put(path, contents[path], result)
    return [results[p] for p in files]


def _statistics(findings, results: list[FileResult]) -> str:
    counts = Counter(f.code for f in findings)
    lines = [f"{counts[code]:>5}\t{code}\t{RULES_BY_CODE[code].name}" for code in sorted(counts)]
    gave_up = sum(r.stats.get("gave_up", 0) for r in results)
    skipped = sum(r.stats.get("skipped", 0) for r in results)
    lines.append(f"{len(results)} files checked, {skipped} without concurrency code skipped")
    lines.append(f"{gave_up} nodes where inference gave up (budget or recursion limit)")
    return "\n".join(lines) + "\n"


@main.command("rule")
@click.argument("code")
def rule_command(code: str) -> None:
    """Show the documentation of rule CODE."""
    rule = RULES_BY_CODE.get(code.strip().upper())
    if rule is None:
        click.echo(f"shutdownlint: error: unknown rule code `{code}`", err=True)
        sys.exit(2)
    click.echo(rule.doc())


@main.command("rules")
def rules_command() -> None:
    """List all rules."""
    width = max(len(r.name) for r in ALL_RULES)
    for rule in ALL_RULES:
        default = "opt-in " if rule.opt_in else "default"
        click.echo(f"{rule.code}  {rule.name:<{width}}  {default}  {rule.summary()}")
