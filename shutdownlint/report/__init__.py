"""Output formats: each module turns findings into text, and knows nothing else."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence

from shutdownlint.findings import Finding
from shutdownlint.report.options import ReportOptions, RuleInfo, printable, utf8_safe

Formatter = Callable[[Sequence[Finding], ReportOptions], str]


def _render(module: str) -> Formatter:
    """`shutdownlint.report.<module>.render`, imported when a report is written in that
    format (SARIF and JUnit bring urllib and xml: a run in another format skips them)."""

    def render(findings: Sequence[Finding], options: ReportOptions) -> str:
        formatter: Formatter = importlib.import_module(f"{__name__}.{module}").render
        return formatter(findings, options)

    return render


FORMATS: dict[str, Formatter] = {
    "text": _render("text"),
    "concise": _render("concise"),
    "json": _render("json_format"),
    "github": _render("github"),
    "pylint": _render("pylint"),
    "sarif": _render("sarif"),
    "junit": _render("junit"),
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
