"""A content-hash cache of per-file results.

The key holds the file's path and content, the effective configuration and the
versions of shutdownlint, astroid, libcst and Python. An entry also records the
content hashes of the project modules the analysis consulted (a subclass of
`Queue` defined in another file, say): when one of those changed, the entry is
stale.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sys
import tempfile
from collections import Counter
from importlib import metadata
from pathlib import Path

from shutdownlint import __version__
from shutdownlint.config import Settings
from shutdownlint.engine import FileResult
from shutdownlint.findings import Finding

CACHE_DIR_NAME = ".shutdownlint_cache"


def _version(package: str) -> str:
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
        "settings": dataclasses.asdict(settings),
        "versions": [__version__, _version("astroid"), _version("libcst"), sys.version],
    }
    text = json.dumps(payload, default=default, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


class Cache:
    def __init__(self, directory: Path, settings: Settings) -> None:
        self.directory = directory
        self._fingerprint = settings_fingerprint(settings)

    def _entry(self, path: Path, data: bytes) -> Path:
        key = hashlib.sha256(
            f"{self._fingerprint}\0{path}\0".encode() + hashlib.sha256(data).digest()
        ).hexdigest()
        return self.directory / key[:2] / f"{key}.json"

    def get(self, path: Path, data: bytes) -> FileResult | None:
        try:
            entry = json.loads(self._entry(path, data).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        for dependency, digest in entry.get("dependencies", {}).items():
            try:
                current = hashlib.sha256(Path(dependency).read_bytes()).hexdigest()
            except OSError:
                current = ""
            if current != digest:
                return None
        try:
            findings = [Finding.from_json(f) for f in entry["findings"]]
        except (KeyError, TypeError):
            return None
        return FileResult(
            path, findings, list(entry.get("warnings", [])), Counter(entry.get("stats", {}))
        )

    def put(self, path: Path, data: bytes, result: FileResult) -> None:
        if any(f.code == "SDL999" for f in result.findings):
            return  # an internal error is worth retrying
        entry = {
            "findings": [f.to_json() for f in result.findings],
            "warnings": result.warnings,
            "stats": dict(result.stats),
            "dependencies": result.dependencies,
        }
        target = self._entry(path, data)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            if not (self.directory / ".gitignore").exists():
                (self.directory / ".gitignore").write_text("*\n", encoding="utf-8")
            fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(entry, f)
            os.replace(tmp, target)
        except OSError:
            pass  # a read-only tree still gets its findings, only slower next time
