"""The command line: parses options, builds Settings, calls the runner, reports."""

from __future__ import annotations

import atexit
import dataclasses
import difflib
import gc
import json
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager, nullcontext
from pathlib import Path
from typing import IO, Any

import click

from shutdownlint import __version__, baseline, profile, runner
from shutdownlint.cache import CACHE_DIR_NAME, Cache
from shutdownlint.config import (
    ConfigError,
    Overrides,
    Settings,
    build_settings,
    require_interpreter,
    split_codes,
)
from shutdownlint.findings import FileResult, Finding, source_lines
from shutdownlint.profile import Profile
from shutdownlint.report import (
    FORMATS,
    MACHINE_FORMATS,
    SOURCE_FORMATS,
    ReportOptions,
    RuleInfo,
    printable,
)

_PROGRESS_THRESHOLD = 20
# Machine formats with a schema of their own: counts per rule have no place in them.
_NO_STATISTICS = MACHINE_FORMATS - {"json"}
# Formats that describe each rule (its documentation): only these import the rules.
_DESCRIBE_RULES = frozenset({"sarif"})


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(
    __version__, "--version", prog_name="shutdownlint", message="%(prog)s %(version)s"
)
def main() -> None:
    """A linter for Python shutdown bugs."""


@main.command()
# readable=False: an unreadable file is SDL900 for that file, as when found in a folder.
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path, readable=False))
@click.option(
    "--select",
    multiple=True,
    help=(
        "Rule codes or prefixes to enable (replaces the configured selection, "
        "extend-select included, as in ruff)."
    ),
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
@click.option("--fix", is_flag=True, help="Apply safe fixes and write the files.")
@click.option(
    "--unsafe-fixes",
    is_flag=True,
    help="Include unsafe fixes: applied with --fix or --diff, else shown as available.",
)
@click.option(
    "--diff",
    is_flag=True,
    help="Print the fixes as a unified diff instead of writing them (exit 1 if any).",
)
@click.option(
    "--add-noqa",
    is_flag=True,
    help="Add `# noqa: CODE` to each line with a finding (merged into an existing noqa).",
)
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
    "--baseline",
    "baseline_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Report only the findings this baseline file does not record.",
)
@click.option(
    "--write-baseline",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Record the current findings in this baseline file (they are then not reported).",
)
@click.option(
    "--quiet", "-q", is_flag=True, help="Print the findings only: no summary, no warnings."
)
@click.option("--debug", is_flag=True, help="Print tracebacks for internal errors.")
@click.option(
    "--profile",
    "profile_run",
    is_flag=True,
    help=(
        "Print on stderr where the time went: per phase (read, parse, each fact provider, "
        "each rule, noqa, cache) and the slowest files."
    ),
)
def check(**options: Any) -> None:
    """Check PATHS (default: the current directory) for shutdown bugs."""
    try:
        code = _check(**options)
    except click.ClickException:
        raise  # a usage error: click prints it and exits 2
    except ConfigError as e:
        click.echo(f"shutdownlint: error: {printable(str(e))}", err=True)
        code = 2
    except Exception as e:  # noqa: BLE001 - a crash must be one line and exit 2
        if options["debug"]:
            traceback.print_exc()
        click.echo(f"shutdownlint: internal error: {type(e).__name__}: {e}", err=True)
        code = 2
    # Registered again rather than twice when `check` runs more than once in a process.
    atexit.unregister(_skip_final_collection)
    atexit.register(_skip_final_collection)
    sys.exit(code)


def _skip_final_collection() -> None:
    """At exit, put every object out of the collector's reach. The interpreter's last
    collection would otherwise walk every tree astroid built (the standard-library
    modules stay cached for the whole run) only to free memory the process is giving
    back: a quarter of the CPU of re-checking one changed file. Objects are still freed
    by their reference counts as the modules are torn down; only cycles are left, as
    `os._exit` (which the worker processes end with) leaves everything."""
    gc.freeze()


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
    baseline_file: Path | None = None,
    write_baseline: Path | None = None,
    fix: bool = False,
    unsafe_fixes: bool = False,
    diff: bool = False,
    add_noqa: bool = False,
    profile_run: bool = False,
) -> int:
    if isolated and config_file is not None:
        raise click.UsageError("--isolated ignores all configuration: drop it or --config")
    if stdin_filename is not None and paths not in ((), (Path("-"),)):
        raise click.UsageError("--stdin-filename reads stdin: it takes no PATH arguments")
    if statistics and output_format in _NO_STATISTICS:
        raise click.UsageError(
            f"--statistics cannot be written as {output_format}: use --format text or json"
        )
    if add_noqa and (fix or diff):
        raise click.UsageError("--add-noqa cannot be combined with --fix or --diff")
    from_stdin = stdin_filename is not None or paths == (Path("-"),)
    if add_noqa and from_stdin:
        raise click.UsageError("--add-noqa edits files: it cannot read stdin")
    stdin_path = Path(stdin_filename or "-")
    targets = [stdin_path] if from_stdin else list(paths or (Path("."),))
    overrides = Overrides(
        select=split_codes(select) if select else None,
        extend_select=split_codes(extend_select),
        ignore=split_codes(ignore),
    )
    settings = build_settings(targets, config_file, isolated, overrides)
    require_interpreter(settings)
    if baseline_file is not None and write_baseline is not None:
        raise ConfigError("use either --baseline or --write-baseline, not both")
    recorded = baseline.load(baseline_file) if baseline_file is not None else None
    out = _open_output(output_file)
    timing = Profile() if profile_run else None
    started = time.perf_counter()
    if from_stdin:
        data = _read_stdin(settings.max_file_size)
        with _profiled(timing, stdin_path):
            outcome = runner.check_source(data, stdin_path, settings, debug=debug)
        if (fix or diff) and not outcome.results:  # excluded: passed through unchanged
            if not diff:
                sys.stdout.buffer.write(data)
            return 0
        if fix or diff:
            code = _fix_stdin(data, stdin_path, settings, outcome, diff, unsafe_fixes, debug)
            return 0 if code == 1 and exit_zero and not diff else code
    else:
        cache = None if no_cache else Cache(cache_dir or settings.root / CACHE_DIR_NAME, settings)
        interactive = (
            not quiet and output_format == "text" and output_file is None and sys.stderr.isatty()
        )
        with _progress(interactive) as on_file:
            outcome = runner.run(
                targets,
                settings,
                jobs=jobs,
                cache=cache,
                debug=debug,
                on_file=on_file,
                timing=timing,
            )
        if fix or diff or add_noqa:
            outcome, changes = runner.fix_run(
                outcome,
                settings,
                unsafe=unsafe_fixes,
                add_noqa=add_noqa,
                write=not diff,
                debug=debug,
            )
            if diff:
                return _print_diff(changes, outcome, quiet)
            _tell_fixed(changes, add_noqa, quiet)

    if not quiet or debug:
        for warning in outcome.warnings:
            click.echo(f"shutdownlint: warning: {printable(warning)}", err=True)
    to_terminal = output_file is None and sys.stdout.isatty()
    if (
        (to_terminal and output_format == "text")  # code frames for cached results too
        or output_format in SOURCE_FORMATS  # fingerprints
        or baseline_file is not None
        or write_baseline is not None
    ):
        outcome.load_sources()
    sources = outcome.sources  # by the filename findings carry (the path found, unresolved)
    if write_baseline is not None:
        count = baseline.write(write_baseline, outcome.findings, sources)
        if not quiet:
            click.echo(f"shutdownlint: wrote {count} findings to {write_baseline}", err=True)
        outcome = _keeping(
            outcome, [f for f in outcome.findings if f.code in baseline.NEVER_BASELINED]
        )
    elif recorded is not None and baseline_file is not None:
        outcome = _keeping(
            outcome, baseline.new_findings(outcome.findings, recorded, baseline_file, sources)
        )
    options = ReportOptions(
        color=to_terminal and "NO_COLOR" not in os.environ and output_format == "text",
        show_source=to_terminal and output_format == "text",
        sources=sources,
        quiet=quiet,
        rules=_rule_infos() if output_format in _DESCRIBE_RULES else (),
        unsafe_fixes=unsafe_fixes,
    )
    if statistics and output_format == "json":
        report = json.dumps(outcome.statistics(unsafe_fixes).to_json(), indent=2) + "\n"
    elif statistics:
        report = "\n".join(outcome.statistics(unsafe_fixes).lines()) + "\n"
    else:
        report = FORMATS[output_format](outcome.findings, options)
    if out is not None:
        out.write(report)
    else:
        click.echo(report, nl=False)
    if timing is not None:
        click.echo(timing.report(time.perf_counter() - started), nl=False, err=True)
    return outcome.exit_code(exit_zero)


def _profiled(timing: Profile | None, path: Path) -> AbstractContextManager:
    """`--profile` of a check of stdin (a run of files is profiled by the runner)."""
    if timing is None:
        return nullcontext()
    stack = ExitStack()
    stack.enter_context(profile.activated(timing))
    stack.enter_context(timing.file(path))
    return stack


def _fix_stdin(
    data: bytes,
    path: Path,
    settings: Settings,
    outcome: runner.RunResult,
    diff: bool,
    unsafe: bool,
    debug: bool,
) -> int:
    """`--fix`/`--diff` on stdin: the fixed source (or the diff) goes to stdout, as ruff
    does; the findings that remain go to stderr, one per line."""
    findings = outcome.findings
    done = runner.fix_source(data, path, settings, unsafe=unsafe, findings=findings, debug=debug)
    if done is None:  # undecodable: passed through unchanged
        sys.stdout.buffer.write(data)
        return outcome.exit_code()
    change, stored = done
    for line in change.refused:
        click.echo(f"shutdownlint: warning: {printable(f'{path}:{line}')}", err=True)
    if diff:
        click.echo(_unified_diff(change), nl=False)
        return 1 if change.changed else 0
    sys.stdout.buffer.write(stored.encode(change.after))
    sys.stdout.flush()
    remaining = FORMATS["concise"](change.findings, ReportOptions(quiet=True))
    click.echo(remaining, nl=False, err=True)
    return runner.RunResult([FileResult(change.path, change.findings)]).exit_code()


def _unified_diff(change: runner.FileFix) -> str:
    name = ReportOptions().display(str(change.path))  # relative to the working directory
    before = source_lines(change.before, keepends=True)
    after = source_lines(change.after, keepends=True)
    lines = difflib.unified_diff(before, after, name, name)
    return "".join(line if line.endswith(("\n", "\r")) else line + "\n" for line in lines)


def _print_diff(changes: list[runner.FileFix], outcome: runner.RunResult, quiet: bool) -> int:
    """`--diff`: a unified diff per file that would change; exit 1 when any would."""
    changed = [c for c in changes if c.changed]
    click.echo("".join(_unified_diff(c) for c in changed), nl=False)
    if not quiet:
        for warning in outcome.warnings:
            click.echo(f"shutdownlint: warning: {printable(warning)}", err=True)
        fixed = sum(sum(c.fixed.values()) for c in changed)
        click.echo(f"Would fix {fixed} {_problems(fixed)}.", err=True)
    return 2 if any(f.code == "SDL999" for f in outcome.findings) else int(bool(changed))


def _problems(count: int) -> str:
    return "problem" if count == 1 else "problems"


def _tell_fixed(changes: list[runner.FileFix], add_noqa: bool, quiet: bool) -> None:
    if quiet:
        return
    files = sum(1 for c in changes if c.changed)
    in_files = "file" if files == 1 else "files"
    if add_noqa:
        added = sum(c.added_noqa for c in changes)
        directives = "directive" if added == 1 else "directives"
        click.echo(f"Added {added} noqa {directives} in {files} {in_files}.", err=True)
    else:
        fixed = sum(sum(c.fixed.values()) for c in changes)
        click.echo(f"Fixed {fixed} {_problems(fixed)} in {files} {in_files}.", err=True)


def _keeping(outcome: runner.RunResult, findings: Sequence[Finding]) -> runner.RunResult:
    """The outcome with only `findings` left (a baseline took the others away)."""
    keep = set(findings)
    return runner.RunResult(
        [
            dataclasses.replace(r, findings=[f for f in r.findings if f in keep])
            for r in outcome.results
        ]
    )


def _rule_infos() -> tuple[RuleInfo, ...]:
    from shutdownlint.rules import ALL_RULES

    return tuple(
        RuleInfo(r.code, r.name, r.summary(), r.doc(), r.severity(), r.opt_in) for r in ALL_RULES
    )


def _open_output(path: Path | None) -> IO[str] | None:
    """The --output-file, opened before the run so that a path that cannot be written is
    a usage error at once; closed with the command's context."""
    if path is None:
        return None
    try:
        # backslashreplace: a report never fails to be written, whatever it quotes.
        stream = open(path, "w", encoding="utf-8", errors="backslashreplace")  # noqa: SIM115
    except OSError as e:
        reason = e.strerror or str(e)
        raise click.BadParameter(
            f"cannot write {printable(str(path))}: {reason}", param_hint="--output-file"
        ) from None
    return click.get_current_context().with_resource(stream)


def _read_stdin(limit: int | None) -> bytes:
    """stdin, at most one byte past `limit` (the engine then skips it as too large)."""
    return sys.stdin.buffer.read() if limit is None else sys.stdin.buffer.read(limit + 1)


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on stderr for runs of many files, updated once per file."""
    if not enabled:
        yield None
        return
    state: dict[str, Any] = {}

    def on_file(total: int) -> None:
        if "bar" not in state and total >= _PROGRESS_THRESHOLD:
            state["bar"] = click.progressbar(length=total, label="Checking", file=sys.stderr)
            state["bar"].__enter__()
        if "bar" in state:
            state["bar"].update(1)

    try:
        yield on_file
    finally:
        if "bar" in state:
            state["bar"].__exit__(None, None, None)


@main.command("rule")
@click.argument("code")
def rule_command(code: str) -> None:
    """Show the documentation of rule CODE."""
    from shutdownlint.rules import RULES_BY_CODE

    rule = RULES_BY_CODE.get(code.strip().upper())
    if rule is None:
        click.echo(f"shutdownlint: error: unknown rule code `{code}`", err=True)
        sys.exit(2)
    click.echo(rule.doc())


@main.command("rules")
def rules_command() -> None:
    """List all rules."""
    from shutdownlint.rules import ALL_RULES

    width = max(len(r.name) for r in ALL_RULES)
    for rule in ALL_RULES:
        default = "opt-in " if rule.opt_in else "default"
        click.echo(f"{rule.code}  {rule.name:<{width}}  {default}  {rule.summary()}")


@main.command("server")
def server_command() -> None:
    """Run the language server on stdio (for editors)."""
    from shutdownlint import lsp  # pygls is imported only when an editor starts the server

    lsp.serve()
