"""A content-hash cache of per-file results.

The key holds the file's path and content, the effective configuration, the
versions of shutdownlint, astroid, libcst and Python, and `SCHEMA`, the version
of the entry format below (its own shape, not the public JSON: changing an
output format never breaks a cache, and changing this shape bumps `SCHEMA`). An
entry also records the content hashes of the project modules the analysis
consulted, and the project files it looked for and did not find: when one of
those changed or appeared, the entry is stale. An entry that cannot be read or
has the wrong shape is a miss, and is rewritten.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import json
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from shutdownlint import __version__
from shutdownlint.config import Settings
from shutdownlint.fileio import digest, read_regular
from shutdownlint.findings import Applicability, Edit, FileResult, Finding, Fix, Location, Related

CACHE_DIR_NAME = ".shutdownlint_cache"
SCHEMA = 2
_MAX_ENTRY_SIZE = 64 * 1024 * 1024


def _version(package: str) -> str:
    """The installed version of `package`, never importing it: the name of the one
    `<package>-<version>.dist-info` folder beside it, else its metadata (importing
    `importlib.metadata` and searching every path entry costs 30-70 ms, a sixth of a
    run served from the cache)."""
    try:
        spec = importlib.util.find_spec(package)  # a top-level name: found, not run
    except (ImportError, ValueError):
        spec = None
    if spec is not None and spec.origin:
        folder = Path(spec.origin).parent.parent
        prefix = f"{package}-"
        try:
            found = [
                name[len(prefix) : -len(".dist-info")]
                for name in os.listdir(folder)
                if name.startswith(prefix) and name.endswith(".dist-info")
            ]
        except OSError:
            found = []
        if len(found) == 1:
            return found[0]
    from importlib import metadata

    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "?"


def settings_fingerprint(settings: Settings) -> str:
    def default(value: object) -> object:
        if isinstance(value, set | frozenset):
            return sorted(value)
        return str(value)

    payload = {
        "schema": SCHEMA,
        "settings": dataclasses.asdict(settings),
        "versions": [__version__, _version("astroid"), _version("libcst"), sys.version],
    }
    text = json.dumps(payload, default=default, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


# -- the entry format ------------------------------------------------------------
def _loc(location: Location) -> list[int]:
    return [location.row, location.column]


def _unloc(value: Any) -> Location:
    row, column = value
    if not (isinstance(row, int) and isinstance(column, int)):
        raise TypeError("a location is two integers")
    return Location(row, column)


def encode_finding(f: Finding) -> list:
    fix = None
    if f.fix is not None:
        edits = [[e.content, _loc(e.location), _loc(e.end_location)] for e in f.fix.edits]
        fix = [f.fix.message, f.fix.applicability.value, edits]
    related = [[r.message, r.filename, _loc(r.location), _loc(r.end_location)] for r in f.related]
    return [
        f.code,
        f.name,
        f.message,
        f.severity,
        f.filename,
        _loc(f.location),
        _loc(f.end_location),
        fix,
        f.noqa_row,
        related,
    ]


def decode_finding(row: Any) -> Finding:
    """The inverse of `encode_finding`; raises (TypeError, ValueError, KeyError) on an
    entry of the wrong shape."""
    code, name, message, severity, filename, start, end, fix, noqa_row, related = row
    for value in (code, name, message, severity, filename):
        if not isinstance(value, str):
            raise TypeError("expected a string")
    if noqa_row is not None and not isinstance(noqa_row, int):
        raise TypeError("noqa_row")
    decoded_fix = None
    if fix is not None:
        title, applicability, edits = fix
        decoded_fix = Fix(
            str(title),
            Applicability(applicability),
            tuple(Edit(str(c), _unloc(a), _unloc(b)) for c, a, b in edits),
        )
    return Finding(
        code=code,
        name=name,
        message=message,
        severity=severity,
        filename=filename,
        location=_unloc(start),
        end_location=_unloc(end),
        fix=decoded_fix,
        noqa_row=noqa_row,
        related=tuple(Related(str(m), str(fn), _unloc(a), _unloc(b)) for m, fn, a, b in related),
    )


class Cache:
    def __init__(self, directory: Path, settings: Settings) -> None:
        self.directory = directory
        self._fingerprint = settings_fingerprint(settings)
        # Digests of the project modules entries depend on, read once per run (a Cache
        # is made per run): many entries name the same modules.
        self._digests: dict[str, str] = {}

    def _entry(self, path: Path, digest: str) -> Path:
        # fsencode: a file name need not be valid UTF-8 (it is kept as surrogates).
        key = hashlib.sha256(
            self._fingerprint.encode() + b"\0" + os.fsencode(path) + b"\0" + digest.encode()
        ).hexdigest()
        return self.directory / key[:2] / f"{key}.json"

    def get(self, path: Path, digest: str | None) -> FileResult | None:
        """The stored result for `path` whose content has sha256 `digest`, or None."""
        if digest is None:
            return None
        try:
            entry = json.loads(read_regular(self._entry(path, digest), _MAX_ENTRY_SIZE))
            if not isinstance(entry, dict) or entry["schema"] != SCHEMA:
                return None
            for dependency, wanted in entry["dependencies"].items():
                if not isinstance(wanted, str) or self._digest(dependency) != wanted:
                    return None
            findings = [decode_finding(f) for f in entry["findings"]]
            warnings = [str(w) for w in entry["warnings"]]
            stats = Counter({str(k): int(v) for k, v in entry["stats"].items()})
        except (OSError, ValueError, TypeError, KeyError, AttributeError, RecursionError):
            return None  # missing, unreadable or of the wrong shape: a miss
        return FileResult(path, findings, warnings, stats, content_hash=digest)

    def _digest(self, dependency: str) -> str:
        if dependency not in self._digests:
            self._digests[dependency] = digest(Path(dependency))
        return self._digests[dependency]

    def put(self, path: Path, digest: str, result: FileResult) -> None:
        """Store `result`, checked from content whose sha256 is `digest`."""
        if any(f.code == "SDL999" for f in result.findings):
            return  # an internal error is worth retrying
        entry = {
            "schema": SCHEMA,
            "findings": [encode_finding(f) for f in result.findings],
            "warnings": result.warnings,
            "stats": dict(result.stats),
            "dependencies": result.dependencies,
        }
        target = self._entry(path, digest)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            if not os.path.lexists(self.directory / ".gitignore"):
                (self.directory / ".gitignore").write_text("*\n", encoding="utf-8")
            import tempfile  # only when something is written

            fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(entry, f)
            os.replace(tmp, target)
        except OSError:
            pass  # a read-only tree still gets its findings, only slower next time
