"""Baselines: record today's findings so that only new ones fail CI (SPEC §5).

    shutdownlint check --write-baseline .shutdownlint-baseline.json
    shutdownlint check --baseline .shutdownlint-baseline.json

An entry is keyed by the file's path (relative to the baseline's folder, so the
baseline works in any checkout), the rule code and a fingerprint of the enclosing
function and the whitespace-normalised source line (`report.fingerprint`), with
a count. Line numbers are not part of the key: inserting lines above a finding
does not make it new, while a second identical bug in the same function is one
more than the count allows, and is reported. When a key has more findings than
its count, the later ones in the file are reported.

Internal errors (SDL999) are never recorded: they cannot be ignored.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

from shutdownlint.config import ConfigError
from shutdownlint.findings import Finding
from shutdownlint.report.fingerprint import context, fingerprint

FORMAT_VERSION = 1
NEVER_BASELINED = frozenset({"SDL999"})

Key = tuple[str, str, str]  # (path, code, fingerprint)


def _path_key(filename: str, base: Path) -> str:
    try:
        return Path(os.path.relpath(filename, base)).as_posix()
    except ValueError:  # another drive (Windows)
        return Path(filename).as_posix()


def _key(finding: Finding, base: Path, sources: Mapping[str, str]) -> Key:
    digest = fingerprint(finding, sources.get(finding.filename))
    return (_path_key(finding.filename, base), finding.code, digest)


def write(path: Path, findings: Sequence[Finding], sources: Mapping[str, str]) -> int:
    """Write the baseline of `findings` to `path`; returns how many it records."""
    base = Path(os.path.abspath(path)).parent  # as findings name files: links unresolved
    counts: Counter[Key] = Counter()
    described: dict[Key, dict] = {}
    for finding in findings:
        if finding.code in NEVER_BASELINED:
            continue
        key = _key(finding, base, sources)
        counts[key] += 1
        if key not in described:
            ctx = context(finding, sources.get(finding.filename))
            described[key] = {"scope": ctx.scope, "line": ctx.line, "message": finding.message}
    entries = [
        {"path": p, "code": c, "fingerprint": d, "count": counts[p, c, d], **described[p, c, d]}
        for p, c, d in sorted(counts)
    ]
    document = {"shutdownlint-baseline": FORMAT_VERSION, "findings": entries}
    try:
        path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", "utf-8")
    except OSError as e:
        raise ConfigError(f"{path}: cannot write the baseline: {e.strerror or e}") from None
    return sum(counts.values())


def load(path: Path) -> Counter[Key]:
    """The baseline's counts per key; a missing or malformed file is a ConfigError."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: baseline file not found") from None
    except OSError as e:
        raise ConfigError(f"{path}: cannot read the baseline: {e.strerror or e}") from None
    except (ValueError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: not a shutdownlint baseline (invalid JSON: {e})") from None
    if not isinstance(document, dict) or document.get("shutdownlint-baseline") != FORMAT_VERSION:
        raise ConfigError(
            f"{path}: not a shutdownlint baseline (version {FORMAT_VERSION}); "
            "write one with --write-baseline"
        )
    counts: Counter[Key] = Counter()
    entries = document.get("findings")
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: `findings` must be a list")
    for i, entry in enumerate(entries):
        fields = [entry.get(k) if isinstance(entry, dict) else None for k in ("path", "code")]
        digest = entry.get("fingerprint") if isinstance(entry, dict) else None
        count = entry.get("count", 1) if isinstance(entry, dict) else None
        if (
            not all(isinstance(v, str) for v in (*fields, digest))
            or isinstance(count, bool)
            or not isinstance(count, int)
            or count < 1
        ):
            raise ConfigError(
                f"{path}: entry {i} needs `path`, `code`, `fingerprint` and a positive `count`"
            )
        counts[fields[0], fields[1], digest] += count
    return counts


def new_findings(
    findings: Sequence[Finding],
    baseline: Counter[Key],
    baseline_path: Path,
    sources: Mapping[str, str],
) -> list[Finding]:
    """The findings the baseline does not account for, in their order."""
    base = Path(os.path.abspath(baseline_path)).parent
    remaining = Counter(baseline)
    kept = []
    for finding in sorted(findings, key=lambda f: f.sort_key):
        key = _key(finding, base, sources)
        if finding.code not in NEVER_BASELINED and remaining[key] > 0:
            remaining[key] -= 1
        else:
            kept.append(finding)
    return kept
