"""Which files a run checks: path discovery, excludes and .gitignore."""

from __future__ import annotations

import os
from pathlib import Path

import pathspec

from shutdownlint.config import ConfigError, Settings

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
        or (path / "pyvenv.cfg").is_file()  # any virtualenv, whatever its name
    )


class _GitIgnores:
    """The .gitignore files that apply below a directory, each relative to its own folder."""

    def __init__(self) -> None:
        self._specs: dict[Path, pathspec.PathSpec | None] = {}

    def _spec(self, directory: Path) -> pathspec.PathSpec | None:
        if directory not in self._specs:
            spec = None
            ignore = directory / ".gitignore"
            if ignore.is_file():
                try:
                    lines = ignore.read_text(encoding="utf-8", errors="replace").splitlines()
                    spec = pathspec.GitIgnoreSpec.from_lines(lines)
                except (OSError, ValueError):
                    spec = None
            self._specs[directory] = spec
        return self._specs[directory]

    def ignored(self, path: Path, is_dir: bool, unused: frozenset[Path] = frozenset()) -> bool:
        for directory in path.parents:
            spec = self._spec(directory) if directory not in unused else None
            if spec is not None:
                relative = path.relative_to(directory).as_posix() + ("/" if is_dir else "")
                if spec.match_file(relative):
                    return True
            if (directory / ".git").exists():
                break  # the repository root: .gitignore files above it do not apply
        return False

    def ignoring(self, root: Path) -> frozenset[Path]:
        """The folders above `root` whose .gitignore ignores `root` itself: a folder the
        user names explicitly is checked all the same, so those files are not used."""
        found = set()
        for directory in root.parents:
            spec = self._spec(directory)
            if spec is not None and spec.match_file(root.relative_to(directory).as_posix() + "/"):
                found.add(directory)
            if (directory / ".git").exists():
                break
        return frozenset(found)


def discover(paths: list[Path], settings: Settings) -> list[Path]:
    """The Python files to check, sorted, each once."""
    found: dict[Path, None] = {}
    gitignores = _GitIgnores()
    for path in paths:
        if not path.exists():
            raise ConfigError(f"{path}: no such file or directory")
        absolute = path.resolve()
        if absolute.is_file():
            if not settings.is_excluded(absolute):
                found[absolute] = None
            continue
        unused = gitignores.ignoring(absolute)
        for directory, dirnames, filenames in os.walk(absolute):
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
                if settings.is_excluded(child) or gitignores.ignored(child, False, unused):
                    continue
                found[child] = None
    return sorted(found)
