"""Output formats: each module turns findings into text, and knows nothing else."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from shutdownlint.findings import Finding
from shutdownlint.report import concise, github, json_format, junit, pylint, sarif, text
from shutdownlint.report.options import ReportOptions, RuleInfo, printable, utf8_safe

Formatter = Callable[[Sequence[Finding], ReportOptions], str]

FORMATS: dict[str, Formatter] = {
    "text": text.render,
    "concise": concise.render,
    "json": json_format.render,
    "github": github.render,
    "pylint": pylint.render,
    "sarif": sarif.render,
    "junit": junit.render,
}

# Formats meant for programs: no progress bar, no colour, no summary line.
MACHINE_FORMATS = frozenset({"json", "github", "sarif", "junit"})
# Formats that read the source of each file with findings (fingerprints).
SOURCE_FORMATS = frozenset({"sarif"})

__all__ = [
    "FORMATS",
    "MACHINE_FORMATS",
    "SOURCE_FORMATS",
    "ReportOptions",
    "RuleInfo",
    "printable",
    "utf8_safe",
]
