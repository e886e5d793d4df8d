"""The one place that owns astroid's process-wide state.

astroid keeps one manager per process: its settings, its module cache and a
failed-import hook. This module sets them (never load a C extension of the
analysed project), builds each analysed file from source under its own module
name, lets `import pkg.mod` find the project's own modules (built from source,
never imported), and evicts the project's modules after each file so that
memory stays flat while the standard library stays cached (SPEC §7).

Every private astroid API shutdownlint relies on is named in `PRIVATE_APIS` and
used only here; `tests/test_analysis.py` fails loudly when astroid changes one.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import inspect
import os
import sys
import sysconfig
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import astroid
from astroid import nodes
from astroid.builder import AstroidBuilder
from astroid.exceptions import AstroidBuildingError

MANAGER = astroid.MANAGER
# Never load a C extension of the analysed project to look inside it.
MANAGER.always_load_extensions = False
MANAGER.extension_package_whitelist = set()

# Every process-wide cache astroid keeps, by dotted name, in the versions the package
# admits (pyproject.toml). NODE_KEYED ones hold nodes of the trees they saw: left alone
# they keep every analysed tree alive (a long-running language server grows by one tree
# per check), so they are emptied after each file. The others are keyed by paths or
# hold nothing of the analysed code, and stay. `tests/test_analysis.py` walks astroid's
# modules and fails when it finds a cache in neither table: a new astroid release that
# adds one must be looked at before the package admits it. Names missing from the
# running astroid (added or removed in another release) are skipped.
NODE_KEYED_CACHES: tuple[str, ...] = (
    "astroid.context._INFERENCE_CACHE",
    "astroid.inference_tip._cache",
    "astroid.constraint._preceding_guards_cache",  # astroid 4.4+
    "astroid.nodes._base_nodes.LookupMixIn.lookup",
    "astroid.interpreter.objectmodel.ObjectModel.attributes",
    "astroid.nodes.scoped_nodes.scoped_nodes.ClassDef._metaclass_lookup_attribute",
)
OTHER_CACHES: tuple[str, ...] = (
    "astroid.modutils._cache_normalize_path_",
    "astroid.modutils._has_init",
    "astroid.modutils.cached_os_path_isfile",
    "astroid.interpreter._import.util.is_namespace",
    "astroid.interpreter._import.spec._find_spec",
    "astroid.interpreter._import.spec._is_setuptools_namespace",
    "astroid.interpreter._import.spec.ImportlibFinder.find_module",
    "astroid.interpreter._import.spec.ExplicitNamespacePackageFinder.find_module",
    "astroid.interpreter._import.spec.ZipFinder.find_module",
    "astroid.interpreter._import.spec.PathSpecFinder.find_module",
    "astroid.brain.brain_builtin_inference._get_bounded_formatter",
    "astroid.brain.brain_numpy_utils._get_numpy_version",
)


def resolve(dotted: str) -> object | None:
    """The object at a dotted name inside astroid, or None where this astroid lacks it."""
    parts = dotted.split(".")
    for split in range(len(parts), 0, -1):
        try:
            value: object = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for attribute in parts[split:]:
            value = inspect.getattr_static(value, attribute, None)
            if isinstance(value, (staticmethod, classmethod)):
                value = value.__func__
            if value is None:
                return None
        return value
    return None


def _clearers(names: Sequence[str]) -> tuple[Callable[[], object], ...]:
    found = (resolve(name) for name in names)
    return tuple(
        getattr(cache, "cache_clear", None) or cache.clear for cache in found if cache is not None
    )


_CLEAR_NODE_KEYED = _clearers(NODE_KEYED_CACHES)

# (owner, attribute) of every private astroid API used below; `_proxied`, an instance
# attribute of `bases.Proxy` values, is checked on a value by the test.
PRIVATE_APIS: tuple[tuple[object, str], ...] = ((MANAGER, "_mod_file_cache"),)

_INSTALLED_PREFIXES = tuple(
    {
        str(Path(p).resolve())
        for key in ("stdlib", "platstdlib", "purelib", "platlib")
        if (p := sysconfig.get_paths().get(key))
    }
)


def proxied(value: object) -> object:
    """The class behind an instance, or the function behind a bound method."""
    return getattr(value, "_proxied", None)


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


def project_root(path: Path) -> Path:
    """The folder above the file's outermost package."""
    directory = path.parent
    while (directory / "__init__.py").is_file() and directory.parent != directory:
        directory = directory.parent
    return directory


# Where the analysed file's project lives, for the import hook below (the manager is
# process-wide, so its hook reads them from here; set per file, cleared after it),
# and the project files it looked for and did not find (creating one later must
# invalidate the cached result of the file that imports it).
_current_roots: list[Path] = []
_missing: set[str] = set()


def _import_from_project(modname: str) -> nodes.Module:
    """astroid's failed-import hook: find `pkg.mod` below the analysed file's project
    roots and build it from source (never imported)."""
    relative = Path(*modname.split("."))
    for root in _current_roots:
        for candidate in (root / relative.with_suffix(".py"), root / relative / "__init__.py"):
            if candidate.is_file():
                return MANAGER.ast_from_file(str(candidate), modname, source=True)
            _missing.add(str(candidate))
    raise AstroidBuildingError(f"{modname} is not in the analysed project")


MANAGER.register_failed_import_hook(_import_from_project)


@contextmanager
def analysing(path: Path, roots: Sequence[Path]) -> Iterator[dict[str, str]]:
    """The scope of one analysed file: its project roots are importable inside it, and
    on leaving, the project's modules are evicted. Yields a dict that receives the
    project files consulted (path -> sha256), for the cache key."""
    _current_roots[:] = list(dict.fromkeys(roots))
    _missing.clear()
    consulted: dict[str, str] = {}
    try:
        yield consulted
    finally:
        consulted.update(_evict_project_modules(path))


def build(source: str, path: Path) -> nodes.Module:
    """Build `source` (the file at `path`) under its own module name, from text.
    Raises astroid's AstroidSyntaxError, or ValueError/RecursionError/MemoryError."""
    found = Path(os.path.abspath(path))  # reported under the path it was found by
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return AstroidBuilder(MANAGER).string_build(source, module_name(found), str(found))


@functools.lru_cache(maxsize=8192)
def _is_installed(filename: str) -> bool:
    """Whether a module file lives in the standard library or site-packages. Asked for
    every module astroid holds after every analysed file (hundreds per file): resolving
    each path again was most of the engine's own time per file on a large run."""
    return str(Path(filename).resolve()).startswith(_INSTALLED_PREFIXES)


def is_project_module(module: nodes.Module) -> bool:
    """A module of the analysed project built from its source file: not the standard
    library nor an installed package (whose kinds are the tables', not summaries)."""
    filename = getattr(module, "file", None)
    return bool(filename) and not _is_installed(filename) and Path(filename).is_file()


def _evict_project_modules(analysed: Path) -> dict[str, str]:
    """Drop the analysed module and its project's modules from astroid's caches
    (standard-library and installed modules stay, even when the analysed file is one
    of them), and return the other project files that were consulted."""
    consulted: dict[str, str] = dict.fromkeys(sorted(_missing), "")
    analysed_file = os.path.abspath(analysed)
    built = module_name(Path(analysed_file))
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
    for clear in _CLEAR_NODE_KEYED:
        clear()
    _current_roots.clear()
    _missing.clear()
    return consulted


def warm(module_names: Sequence[str]) -> None:
    """Build standard-library modules once (before forking workers that share them)."""
    for name in module_names:
        try:
            MANAGER.ast_from_module_name(name)
        except Exception:  # noqa: BLE001 - warming is an optimisation only
            continue
