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

A configuration error (or a crash) is not raised: flake8 would print a traceback
and stop every other plugin with it. It is one SDL999 error at line 1 of each file,
naming the file and the key, rather than silently checking with other settings.

`# noqa` is left to flake8 (so `flake8 --disable-noqa` shows everything): the engine
applies none here. flake8 and `shutdownlint check` read `# noqa: SDL3` alike, as a
prefix that covers SDL301.
"""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Iterator, Sequence
from pathlib import Path

from shutdownlint import __version__, runner
from shutdownlint.config import ConfigError, build_settings

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
        try:
            settings = dataclasses.replace(build_settings([path]), noqa=False)
            outcome = runner.check_text("".join(self.lines), path, settings)
        except ConfigError as e:
            yield 1, 0, f"SDL999 shutdownlint cannot check {self.filename}: {e}", type(self)
            return
        except Exception as e:  # noqa: BLE001 - a traceback would stop every other plugin
            error = f"internal error: {type(e).__name__}: {e}"
            yield 1, 0, f"SDL999 shutdownlint cannot check {self.filename}: {error}", type(self)
            return
        for finding in outcome.findings:
            # flake8 columns are 0-based offsets; it prints them plus one.
            yield (
                finding.location.row,
                finding.location.column - 1,
                f"{finding.code} {finding.message}",
                type(self),
            )
