"""Which files a run checks: path discovery, excludes and .gitignore."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pathspec

from shutdownlint.config import ConfigError, Settings
from shutdownlint.fileio import absolute, describe, is_regular_file, read_regular

_MAX_GITIGNORE_SIZE = 4 * 1024 * 1024

# Skipped while walking directories (never when a file is named explicitly).
DEFAULT_SKIPPED_DIRS = frozenset(
    {
        ".bzr",
        ".direnv",
        ".eggs",
        ".git",
        ".git-rewrite",
        ".hg",
        ".idea",
        ".ipynb_checkpoints",
        ".mypy_cache",
        ".nox",
        ".pants.d",
        ".pyenv",
        ".pytest_cache",
        ".pytype",
        ".ruff_cache",
        ".shutdownlint_cache",
        ".svn",
        ".tox",
        ".venv",
        ".vscode",
        "__pycache__",
        "__pypackages__",
        "_build",
        "buck-out",
        "build",
        "dist",
        "node_modules",
        "site-packages",
        "venv",
    }
)


def _is_skipped_dir(path: Path) -> bool:
    return (
        path.name in DEFAULT_SKIPPED_DIRS
        or path.name.endswith(".egg-info")
        or is_regular_file(path / "pyvenv.cfg")  # any virtualenv, whatever its name
    )


class _GitIgnores:
    """The .gitignore files that apply below a directory, each relative to its own folder."""

    def __init__(self) -> None:
        self._specs: dict[Path, pathspec.PathSpec | None] = {}

    def _spec(self, directory: Path) -> pathspec.PathSpec | None:
        if directory not in self._specs:
            spec = None
            ignore = directory / ".gitignore"
            if is_regular_file(ignore):
                try:
                    text = read_regular(ignore, _MAX_GITIGNORE_SIZE).decode("utf-8", "replace")
                    spec = pathspec.GitIgnoreSpec.from_lines(text.splitlines())
                except (OSError, ValueError):
                    spec = None
            self._specs[directory] = spec
        return self._specs[directory]

    def ignored(self, path: Path, is_dir: bool, unused: frozenset[Path] = frozenset()) -> bool:
        """As git decides: the nearest .gitignore with a pattern that matches decides,
        so `!z.py` in a subfolder re-includes what the root's `z.py` ignores (and a
        deeper `z.py` ignores it again); within one file the last match wins."""
        for directory in path.parents:
            spec = self._spec(directory) if directory not in unused else None
            if spec is not None:
                verdict = _verdict(spec, path.relative_to(directory).as_posix(), is_dir)
                if verdict is not None:
                    return verdict
            if os.path.lexists(directory / ".git"):
                break  # the repository root: .gitignore files above it do not apply
        return False

    def ignoring(self, root: Path) -> frozenset[Path]:
        """The folders above `root` whose .gitignore ignores `root` itself: a folder the
        user names explicitly is checked all the same, so those files are not used."""
        found = set()
        for directory in root.parents:
            spec = self._spec(directory)
            if spec is not None and _verdict(spec, root.relative_to(directory).as_posix(), True):
                found.add(directory)
            if os.path.lexists(directory / ".git"):
                break
        return frozenset(found)


def _verdict(spec: pathspec.PathSpec, relative: str, is_dir: bool) -> bool | None:
    """True: ignored, False: re-included by a `!` pattern, None: no pattern matches."""
    path = relative + ("/" if is_dir else "")
    verdict = None
    for pattern in spec.patterns:
        if pattern.include is not None and pattern.match_file(path) is not None:
            verdict = pattern.include
    return verdict


def discover(
    paths: list[Path], settings: Settings, warnings: list[str] | None = None
) -> list[Path]:
    """The Python files to check, sorted, each once, each under the path by which it
    was found (symlinks are not resolved).

    Only regular files are taken while walking folders: a FIFO, a device or a socket
    named `*.py` is skipped (reading it could block or never end). A `*.py` entry that
    cannot be examined (a dangling link, a link loop, permission denied) is kept, so
    that reading it gives SDL900 for that file alone; one that vanished is dropped. A
    path named on the command line is kept whatever it is (a FIFO gets SDL900, "not a
    regular file"); only a path that does not exist at all is a usage error. A folder
    that cannot be listed is skipped with a message appended to `warnings`.
    """
    found: dict[Path, None] = {}
    gitignores = _GitIgnores()
    for path in paths:
        named = absolute(path)
        if not os.path.lexists(named):
            raise ConfigError(f"{path}: no such file or directory")
        if not os.path.isdir(named):
            if not settings.is_excluded(named):
                found[named] = None
            continue
        for child in _walk(named, settings, gitignores, warnings):
            found[child] = None
    return sorted(found)


def _walk(
    top: Path, settings: Settings, gitignores: _GitIgnores, warnings: list[str] | None
) -> Iterator[Path]:
    def unlisted(error: OSError) -> None:
        if warnings is not None:
            warnings.append(f"{error.filename or top}: cannot list folder: {describe(error)}")

    unused = gitignores.ignoring(top)
    for directory, dirnames, filenames in os.walk(top, onerror=unlisted):
        here = Path(directory)
        kept = []
        for name in sorted(dirnames):
            child = here / name
            if (
                _is_skipped_dir(child)
                or settings.is_excluded(child)
                or gitignores.ignored(child, True, unused)
            ):
                continue
            kept.append(name)
        dirnames[:] = kept
        for name in sorted(filenames):
            if not name.endswith(".py"):
                continue
            child = here / name
            if not _worth_reading(child):
                continue
            if settings.is_excluded(child) or gitignores.ignored(child, False, unused):
                continue
            yield child


def _worth_reading(path: Path) -> bool:
    """A regular file, or an entry that cannot be examined (reading it reports why)."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except FileNotFoundError:
        return os.path.lexists(path)  # a dangling link: SDL900; vanished: dropped
    except OSError:
        return True  # a link loop, permission denied: SDL900 when read
