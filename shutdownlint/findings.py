"""The values a run produces: findings, their fixes, related locations, file results."""

from __future__ import annotations

import dataclasses
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path


def source_lines(text: str, keepends: bool = False) -> list[str]:
    """The lines of a source text as Python numbers them: split at `\\n`, `\\r\\n` and `\\r`
    only. `str.splitlines()` also splits at form feeds, `\\x1c`-`\\x1e`, `\\x85` and
    `\\u2028`, which would shift every row after such a character."""
    lines = io.StringIO(text, newline="").readlines()
    return lines if keepends else [line.rstrip("\r\n") for line in lines]


def newline_of(text: str) -> str:
    """The line ending a text uses: its first one, `\n` when it has none."""
    match = re.search(r"\r\n|\r|\n", text)
    return match.group() if match else "\n"


@dataclass(frozen=True, order=True)
class Location:
    """A 1-based row and a 1-based column counted in Unicode code points."""

    row: int
    column: int

    def to_json(self) -> dict:
        return {"row": self.row, "column": self.column}


@dataclass(frozen=True)
class Edit:
    """Replace the text from `location` up to `end_location` with `content`."""

    content: str
    location: Location
    end_location: Location

    def to_json(self) -> dict:
        return {
            "content": self.content,
            "location": self.location.to_json(),
            "end_location": self.end_location.to_json(),
        }


class Applicability(str, Enum):
    """How far a fix can be trusted (ruff's labels)."""

    SAFE = "safe"  # behaviour cannot change
    UNSAFE = "unsafe"  # a mechanical edit that may change behaviour
    DISPLAY_ONLY = "display-only"  # a suggestion; no edits


@dataclass(frozen=True)
class Fix:
    """What to change: a title (`message`), and the edits that make the change, if any."""

    message: str
    applicability: Applicability = Applicability.DISPLAY_ONLY
    edits: tuple[Edit, ...] = ()

    def in_newline(self, newline: str) -> Fix:
        """The fix with the lines its edits insert ending in `newline` (rules write
        `\n`; a CRLF file gets CRLF lines, in every output and in `--fix`)."""
        if newline == "\n" or not any("\n" in e.content for e in self.edits):
            return self
        edits = tuple(
            dataclasses.replace(e, content=re.sub(r"\r?\n", newline, e.content)) for e in self.edits
        )
        return dataclasses.replace(self, edits=edits)

    def applicable(self, unsafe: bool = False) -> bool:
        """Whether `--fix` applies it (`unsafe`: with `--unsafe-fixes`), as in ruff."""
        if not self.edits:
            return False
        return self.applicability is Applicability.SAFE or (
            unsafe and self.applicability is Applicability.UNSAFE
        )

    def to_json(self) -> dict:
        return {
            "message": self.message,
            "applicability": self.applicability.value,
            "edits": [e.to_json() for e in self.edits],
        }


@dataclass(frozen=True)
class Related:
    """Another place that makes a finding a bug, with a short note."""

    message: str
    filename: str
    location: Location
    end_location: Location

    def to_json(self) -> dict:
        return {
            "message": self.message,
            "filename": self.filename,
            "location": self.location.to_json(),
            "end_location": self.end_location.to_json(),
        }


@dataclass(frozen=True)
class Finding:
    code: str
    name: str
    message: str
    severity: str  # "error" | "warning"
    filename: str  # absolute
    location: Location
    end_location: Location
    fix: Fix | None
    noqa_row: int | None
    related: tuple[Related, ...] = field(default=())

    @property
    def sort_key(self) -> tuple:
        return (self.filename, self.location, self.code, self.message)

    def to_json(self) -> dict:
        """The public JSON shape (SPEC §4), without `url` (the report adds it)."""
        return {
            "code": self.code,
            "name": self.name,
            "message": self.message,
            "severity": self.severity,
            "filename": self.filename,
            "location": self.location.to_json(),
            "end_location": self.end_location.to_json(),
            "fix": self.fix.to_json() if self.fix else None,
            "noqa_row": self.noqa_row,
            "related": [r.to_json() for r in self.related],
        }


@dataclass
class FileResult:
    """What checking one file gave."""

    path: Path
    findings: list[Finding] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # "skipped" (no concurrency code), "gave_up" (analysis ran out of depth or budget)
    stats: Counter[str] = field(default_factory=Counter)
    source: str | None = None
    # Project modules the analysis consulted (path -> sha256, "" when looked for and
    # absent), for the cache key.
    dependencies: dict[str, str] = field(default_factory=dict)
    # sha256 of the bytes that were checked (None for stdin): the cache stores the
    # result under what was read, not under what the file holds by the time it is stored.
    content_hash: str | None = None
