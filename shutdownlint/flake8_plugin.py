"""The flake8 plugin: `flake8 --select SDL` reports what `shutdownlint check` reports.

Registered under the `flake8.extension` entry point as `SDL`. For each file it
reads `[tool.shutdownlint]` the way `shutdownlint check` does (types, shutdown
methods, select, ignore, per-file-ignores, excludes) and runs the same runner,
so shutdownlint's own default selection applies first: an opt-in rule (SDL302)
stays off unless the configuration selects it, whatever flake8's `--select`
says. flake8's select, ignore and `# noqa` then filter on top. Codes, lines,
columns and messages are those of `shutdownlint check --format concise`.

A target version newer than the interpreter (which `shutdownlint check` refuses with
exit 2) needs nothing here: flake8 parses each file first with the same interpreter,
reports a newer grammar as its own E999 once per such file and runs no tree plugin
on it; the files that do parse are checked as usual.

A configuration error is raised: flake8 reports the plugin failed, naming the
key and the file, rather than silently checking with other settings.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence
from pathlib import Path

from shutdownlint import __version__, runner
from shutdownlint.config import build_settings

# The names flake8 gives to a file read from stdin.
_STDIN_NAMES = frozenset({"stdin", "-", ""})


class ShutdownlintChecker:
    """A flake8 tree plugin (flake8 passes the parameters by name; `tree` is unused:
    shutdownlint builds its own astroid tree)."""

    name = "shutdownlint"
    version = __version__

    def __init__(self, tree: ast.AST, filename: str, lines: Sequence[str]) -> None:
        self.filename = filename
        self.lines = lines

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        path = Path(self.filename if self.filename not in _STDIN_NAMES else "stdin.py")
        settings = build_settings([path])
        outcome = runner.check_text("".join(self.lines), path, settings)
        for finding in outcome.findings:
            # flake8 columns are 0-based offsets; it prints them plus one.
            yield (
                finding.location.row,
                finding.location.column - 1,
                f"{finding.code} {finding.message}",
                type(self),
            )
