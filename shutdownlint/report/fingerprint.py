"""Fingerprints that follow a finding across commits (SARIF `partialFingerprints`, the
baseline).

A fingerprint hashes what makes a finding the same finding after unrelated edits:
its code, the enclosing class and function (`Fetcher._run`), and the finding's
source line with its whitespace normalised. Line numbers are left out, so lines
inserted above a finding do not change it. Two identical findings in the same
scope share a fingerprint; `occurrences` numbers them in file order.

The enclosing scope is read with the standard `ast` module from the source text
(never imported or run); a file that does not parse has no scopes.
"""

from __future__ import annotations

import ast
import hashlib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from shutdownlint.findings import Finding, source_lines


@dataclass(frozen=True)
class Context:
    """What a fingerprint is made of (kept in the baseline so a reviewer can read it)."""

    scope: str  # "Fetcher._run", or "" at module level
    line: str  # the source line, whitespace normalised


_Scopes = tuple[tuple[int, int, str], ...]  # (first row, last row, qualified name)


@lru_cache(maxsize=64)
def _scopes(source: str) -> _Scopes:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return ()
    found: list[tuple[int, int, str]] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                name = f"{prefix}{child.name}"
                found.append((child.lineno, child.end_lineno or child.lineno, name))
                visit(child, name + ".")
            else:
                visit(child, prefix)

    try:
        visit(tree, "")
    except RecursionError:
        return ()
    return tuple(found)


@lru_cache(maxsize=64)
def _lines(source: str) -> list[str]:
    return source_lines(source)


def context(finding: Finding, source: str | None) -> Context:
    """The finding's enclosing scope and normalised source line (empty when the
    source is unknown)."""
    if source is None:
        return Context("", "")
    row = finding.location.row
    lines = _lines(source)
    line = " ".join(lines[row - 1].split()) if 1 <= row <= len(lines) else ""
    scope = ""
    for first, last, name in _scopes(source):
        if first <= row <= last:
            scope = name  # scopes are listed outside-in, so the last match is innermost
    return Context(scope, line)


def fingerprint(finding: Finding, source: str | None) -> str:
    """A hex digest of the code, the enclosing scope and the normalised line."""
    ctx = context(finding, source)
    text = "\0".join((finding.code, ctx.scope, ctx.line))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def occurrences(findings: Sequence[Finding], sources: Mapping[str, str]) -> list[tuple[str, int]]:
    """(fingerprint, n) per finding: n counts the earlier findings of the same file
    with the same fingerprint, in file order."""
    digests = [fingerprint(f, sources.get(f.filename)) for f in findings]
    seen: Counter[tuple[str, str]] = Counter()
    out: list[tuple[str, int]] = [("", 0)] * len(findings)
    for i in sorted(range(len(findings)), key=lambda i: findings[i].sort_key):
        key = (findings[i].filename, digests[i])
        out[i] = (digests[i], seen[key])
        seen[key] += 1
    return out
