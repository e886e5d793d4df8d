"""Configuration: `[tool.shutdownlint]` discovery, validation and rule selection.

A user mistake (unknown key, bad value, unknown rule code) raises ConfigError
with one line that names the key and the file; the CLI prints it and exits 2.
"""

from __future__ import annotations

import functools
import math
import os
import re
import sys
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pathspec

from shutdownlint.analysis.options import (
    DEFAULT_RAISES_ON,
    DEFAULT_SHUTDOWN_METHODS,
    RAISES_ON_CHOICES,
    AnalysisOptions,
    TypeMapping,
)
from shutdownlint.analysis.vocabulary import Kind
from shutdownlint.catalogue import CODES, DEFAULT_CODES
from shutdownlint.fileio import absolute, describe, is_regular_file, read_regular

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

TARGET_VERSIONS = {f"py3{minor}": (3, minor) for minor in range(10, 15)}
ALWAYS_ON = frozenset({"SDL999"})  # internal errors cannot be ignored
# Larger files are skipped with a warning: analysis costs about 10 s and 250 MB of
# memory per MB of source, and no hand-written module comes near this (the largest
# file of the 3.13 standard library is 0.8 MB). `max-file-size = 0` lifts the limit.
DEFAULT_MAX_FILE_SIZE = 1024 * 1024
_MAX_CONFIG_SIZE = 16 * 1024 * 1024
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class ConfigError(Exception):
    """A configuration or usage mistake: one line, exit status 2."""


@dataclass(frozen=True)
class Settings:
    """The effective configuration of a run (picklable: sent to worker processes)."""

    root: Path  # globs and paths are relative to this directory
    config_file: Path | None = None
    select: frozenset[str] = frozenset()
    per_file_ignores: tuple[tuple[str, frozenset[str]], ...] = ()
    exclude: tuple[str, ...] = ()
    analysis: AnalysisOptions = field(default_factory=AnalysisOptions)
    max_file_size: int | None = DEFAULT_MAX_FILE_SIZE  # bytes; None: no limit
    noqa: bool = True  # honour noqa comments (off for flake8, which has its own)

    def codes_for(self, path: Path | str) -> frozenset[str]:
        """The codes enabled for one file, per-file-ignores applied."""
        codes = set(self.select)
        for pattern, ignored in self.per_file_ignores:
            if _matches(pattern, path, self.root):
                codes -= ignored
        return frozenset(codes | ALWAYS_ON)

    def is_excluded(self, path: Path | str) -> bool:
        return any(_matches(pattern, path, self.root) for pattern in self.exclude)


def _matches(pattern: str, path: Path | str, root: Path) -> bool:
    """A gitignore-style glob, matched against the path relative to `root`
    (or, for a path outside it, against its name)."""
    return _spec(pattern).match_file(_relative(Path(path), root))


def _relative(path: Path, root: Path) -> str:
    """`path` relative to `root` as found (not following symlinks, so a link loop cannot
    raise), else as resolved (a path reached through a linked folder), else its name."""
    try:
        return absolute(path).relative_to(root).as_posix()
    except ValueError:
        pass
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a link loop before 3.13
        return path.name


@functools.cache
def _spec(pattern: str) -> pathspec.GitIgnoreSpec:
    return pathspec.GitIgnoreSpec.from_lines([pattern])


# -- rule selection ------------------------------------------------------------
def codes_matching(selector: str, where: str) -> set[str]:
    """All codes a selector names (`SDL`, `SDL3`, `SDL301`, `ALL`); unknown -> ConfigError."""
    selector = selector.strip().upper()
    if selector == "ALL":
        return set(CODES)
    codes = {code for code in CODES if code.startswith(selector)}
    if not selector.startswith("SDL") or not codes:
        raise ConfigError(f"{where}: unknown rule selector `{selector}`")
    return codes


# Selectors with where they were written ("--select", "pyproject.toml: `ignore`"),
# so that an unknown one is blamed on the right flag or key.
Selectors = Sequence[tuple[Sequence[str], str]]


def _codes(selectors: Selectors) -> set[str]:
    return {c for values, where in selectors for s in values for c in codes_matching(s, where)}


def resolve_selection(
    select: tuple[Sequence[str], str] | None,
    extend_select: Selectors = (),
    ignore: Selectors = (),
) -> frozenset[str]:
    """(select, or the default selection) + extend-select - ignore.

    Opt-in rules are in the default selection only when a selector names them.
    """
    if select is None:
        chosen = set(DEFAULT_CODES)
    else:
        chosen = _codes([select])
        chosen.add("SDL900")  # parse errors are always reported unless ignored
    chosen |= _codes(extend_select)
    chosen -= _codes(ignore)
    return frozenset(chosen | ALWAYS_ON)


# -- files ---------------------------------------------------------------------
def find_config(start: Path) -> Path | None:
    """The nearest pyproject.toml above `start` that has a [tool.shutdownlint] table.

    One without the table is passed over; one that is not valid TOML is an error
    (as in ruff): passing over it would drop the user's settings without a word.
    """
    directory = absolute(start)
    if not os.path.isdir(directory):
        directory = directory.parent
    for candidate_dir in (directory, *directory.parents):
        candidate = candidate_dir / "pyproject.toml"
        if is_regular_file(candidate):
            tool = _read_toml(candidate).get("tool", {})
            if not isinstance(tool, dict):
                raise ConfigError(f"{candidate}: `tool` must be a table")
            if "shutdownlint" in tool:
                return candidate
    return None


def _read_toml(path: Path) -> dict:
    text = ""
    try:
        text = read_regular(path, _MAX_CONFIG_SIZE).decode("utf-8")
        return tomllib.loads(text)
    except OSError as e:
        raise ConfigError(f"{path}: cannot read: {describe(e)}") from None
    except UnicodeDecodeError as e:
        raise ConfigError(f"{path}: invalid TOML: not UTF-8 (byte {e.start})") from None
    except tomllib.TOMLDecodeError as e:
        where = _toml_position(path, e, text)
        raise ConfigError(f"{where}: invalid TOML: {_toml_message(e)}") from None
    except ValueError as e:
        raise ConfigError(f"{path}: invalid TOML: {e}") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid TOML: nested too deeply") from None


_TOML_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")


def _toml_position(path: Path, error: Exception, text: str) -> str:
    """`path:line:column` of a TOML error (tomllib puts them in the message before 3.14)."""
    line, column = getattr(error, "lineno", None), getattr(error, "colno", None)
    if line is None:
        match = _TOML_AT.search(str(error))
        if match:
            line, column = int(match.group(1)), int(match.group(2))
        elif str(error).endswith("(at end of document)"):
            lines = text.split("\n")
            line, column = len(lines), len(lines[-1]) + 1
    return f"{path}:{line}:{column}" if line is not None else str(path)


def _toml_message(error: Exception) -> str:
    message = getattr(error, "msg", None) or _TOML_AT.sub("", str(error))
    return message.removesuffix(" (at end of document)")


def load_table(path: Path) -> tuple[dict, dict]:
    """([tool.shutdownlint] or a shutdownlint.toml's top level, the whole file)."""
    data = _read_toml(path)
    tool = data.get("tool", {})
    if isinstance(tool, dict) and "shutdownlint" in tool:
        table = tool["shutdownlint"]
    elif path.name == "pyproject.toml":
        raise ConfigError(f"{path}: no [tool.shutdownlint] table")
    else:
        table = data
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.shutdownlint] must be a table")
    return table, data


_KEYS = {
    "select",
    "ignore",
    "extend-select",
    "per-file-ignores",
    "exclude",
    "extend-exclude",
    "shutdown-methods",
    "extend-shutdown-methods",
    "target-version",
    "fix-timeout",
    "raises-on",
    "types",
    "max-file-size",
}


@dataclass
class Overrides:
    """What the command line says; it wins over the file."""

    select: list[str] | None = None
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)


def build_settings(
    paths: Sequence[Path],
    config: Path | None = None,
    isolated: bool = False,
    overrides: Overrides | None = None,
) -> Settings:
    overrides = overrides or Overrides()
    config_file = None
    if not isolated:
        if config is not None:
            if not is_regular_file(config):
                raise ConfigError(f"{config}: configuration file not found")
            config_file = absolute(config)
        else:
            config_file = find_config(paths[0] if paths else Path.cwd())
    if config_file is None:
        table, data, root = {}, {}, Path.cwd().resolve()
    else:
        table, data = load_table(config_file)
        root = config_file.parent
    return _settings_from_table(table, data, root, config_file, overrides)


def _settings_from_table(
    table: dict, data: dict, root: Path, config_file: Path | None, overrides: Overrides
) -> Settings:
    where = str(config_file) if config_file else "configuration"
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown key `{unknown[0]}` in [tool.shutdownlint]")

    def strings(key: str) -> list[str]:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where}: `{key}` must be a list of strings")
        return value

    def key(name: str) -> tuple[list[str], str]:
        return strings(name), f"{where}: `{name}`"

    configured_extend, configured_ignore = key("extend-select"), key("ignore")
    if overrides.select is not None:
        # `--select` replaces the configured selection entirely, as in ruff: the file's
        # select and extend-select, and its ignore too when the file has a select of its
        # own (an ignore beside no select carries over, as ruff carries it). All three
        # keys are still validated.
        select = (overrides.select, "--select")
        _codes([key("select"), configured_extend, configured_ignore])
        extend = [(overrides.extend_select, "--extend-select")]
        ignore = [] if "select" in table else [configured_ignore]
    else:
        select = key("select") if "select" in table else None
        extend = [configured_extend, (overrides.extend_select, "--extend-select")]
        ignore = [configured_ignore]
    selection = resolve_selection(select, extend, [*ignore, (overrides.ignore, "--ignore")])
    per_file = table.get("per-file-ignores", {})
    if not isinstance(per_file, dict):
        raise ConfigError(f"{where}: `per-file-ignores` must be a table of glob = [codes]")
    per_file_ignores = []
    for pattern, codes in per_file.items():
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            raise ConfigError(f"{where}: `per-file-ignores.{pattern}` must be a list of codes")
        resolved = _codes([(codes, f'{where}: `per-file-ignores."{pattern}"`')])
        per_file_ignores.append((pattern, frozenset(resolved - ALWAYS_ON)))

    methods = list(DEFAULT_SHUTDOWN_METHODS)
    for name in ("shutdown-methods", "extend-shutdown-methods"):
        for method in strings(name):
            if not _IDENTIFIER.match(method):
                raise ConfigError(f"{where}: `{name}`: `{method}` is not a method name")
    if "shutdown-methods" in table:
        methods = strings("shutdown-methods")
    methods += strings("extend-shutdown-methods")

    analysis = AnalysisOptions(
        shutdown_methods=tuple(methods),
        target_version=_target_version(table, data, where),
        fix_timeout=_fix_timeout(table, where),
        raises_on=_raises_on(strings("raises-on") if "raises-on" in table else None, where),
        types=_types(table.get("types", {}), where),
    )
    return Settings(
        root=root,
        config_file=config_file,
        select=selection,
        per_file_ignores=tuple(per_file_ignores),
        exclude=tuple(strings("exclude") + strings("extend-exclude")),
        analysis=analysis,
        max_file_size=_max_file_size(table, where),
    )


def _target_version(table: dict, data: dict, where: str) -> tuple[int, int]:
    if "target-version" in table:
        value = table["target-version"]
        if value not in TARGET_VERSIONS:
            choices = ", ".join(TARGET_VERSIONS)
            raise ConfigError(f"{where}: `target-version` must be one of {choices}, not {value!r}")
        return TARGET_VERSIONS[value]
    requires = (
        data.get("project", {}).get("requires-python")
        if isinstance(data.get("project"), dict)
        else None
    )
    if requires is None:
        return (3, 10)
    if not isinstance(requires, str):
        raise ConfigError(f"{where}: `project.requires-python` must be a string")
    return lowest_admitted(requires, where)


def running_version() -> tuple[int, int]:
    """The version of the interpreter running shutdownlint (a function: tests stand in
    for another)."""
    return sys.version_info[:2]


def require_interpreter(settings: Settings) -> None:
    """ConfigError when the project targets a newer Python than the one running us:
    its grammar (a `type` statement, PEP 695 generics) would be one SDL900 per file.
    Said once, by the CLI (exit 2) and the language server (one message)."""
    target, running = settings.analysis.target_version, running_version()
    if target > running:
        where = f"{settings.config_file}: " if settings.config_file else ""
        raise ConfigError(
            f"{where}shutdownlint runs on Python {running[0]}.{running[1]}; the project "
            f"targets py{target[0]}{target[1]}: run shutdownlint with Python "
            f"{target[0]}.{target[1]} or later"
        )


def lowest_admitted(requires: str, where: str = "configuration") -> tuple[int, int]:
    """The target version for `requires-python`: the lowest 3.x that the specifier admits
    (`>3.10` admits 3.10.1, so py310), clamped to the supported targets."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet  # only when it is set

    try:
        specifier = SpecifierSet(requires)
    except InvalidSpecifier:
        raise ConfigError(
            f"{where}: `project.requires-python`: {requires!r} is not a version specifier"
        ) from None
    lowest, highest = min(TARGET_VERSIONS.values()), max(TARGET_VERSIONS.values())
    for minor in range(0, 100):
        # Patch releases up to .99, a far one (`>3.10.99`) and pre-releases stand for
        # the whole minor version.
        patches = [*range(100), 10**9]
        versions = (f"3.{minor}.{patch}{pre}" for patch in patches for pre in ("", "rc1"))
        if any(specifier.contains(v, prereleases=True) for v in versions):
            return max(lowest, min((3, minor), highest))
    return lowest


def _fix_timeout(table: dict, where: str) -> float:
    value = table.get("fix-timeout", 5.0)
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise ConfigError(f"{where}: `fix-timeout` must be a positive number of seconds")
    if value > threading.TIMEOUT_MAX:
        # join(timeout=1e308) raises OverflowError: the edit would write a crash.
        raise ConfigError(
            f"{where}: `fix-timeout` must be at most threading.TIMEOUT_MAX "
            f"({threading.TIMEOUT_MAX:g} seconds)"
        )
    return float(value)


def _max_file_size(table: dict, where: str) -> int | None:
    value = table.get("max-file-size", DEFAULT_MAX_FILE_SIZE)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigError(
            f"{where}: `max-file-size` must be a number of bytes (0 for no limit), not {value!r}"
        )
    return value or None


def _raises_on(value: list[str] | None, where: str) -> tuple[str, ...]:
    if value is None:
        return DEFAULT_RAISES_ON
    for item in value:
        if item not in RAISES_ON_CHOICES:
            raise ConfigError(
                f"{where}: `raises-on`: unknown operation `{item}` "
                f"(expected some of {', '.join(RAISES_ON_CHOICES)})"
            )
    return tuple(value)


def _types(value: object, where: str) -> tuple[TypeMapping, ...]:
    if not isinstance(value, dict):
        raise ConfigError(f'{where}: `types` must be a table of "module.Class" = kind')
    out = []
    for qname, spec in value.items():
        key = f'{where}: `types."{qname}"`'
        if isinstance(spec, str):
            spec = {"kind": spec}
        if not isinstance(spec, dict):
            raise ConfigError(f"{key} must be a kind or a table with `kind`")
        extra = sorted(set(spec) - {"kind", "release", "wait"})
        if extra:
            raise ConfigError(f"{key}: unknown key `{extra[0]}`")
        kind = spec.get("kind")
        kinds = sorted(k.value for k in Kind)
        if kind not in kinds:
            raise ConfigError(f"{key}: unknown kind {kind!r} (expected one of {', '.join(kinds)})")
        methods = {}
        for name in ("release", "wait"):
            items = spec.get(name, [])
            if not isinstance(items, list) or not all(
                isinstance(i, str) and _IDENTIFIER.match(i) for i in items
            ):
                raise ConfigError(f"{key}: `{name}` must be a list of method names")
            methods[name] = tuple(items)
        out.append(TypeMapping(qname, Kind(kind), methods["release"], methods["wait"]))
    return tuple(out)


def split_codes(values: Iterable[str]) -> list[str]:
    """`--select SDL3,SDL1 --select SDL4` -> ["SDL3", "SDL1", "SDL4"]."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]
