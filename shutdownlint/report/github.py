"""GitHub Actions workflow commands: annotations on the pull request (SPEC §4):
`::error file=...,line=...,col=...,endLine=...,endColumn=...,title=CODE::message`."""

from __future__ import annotations

from collections.abc import Sequence

from shutdownlint.findings import Finding
from shutdownlint.report.options import ReportOptions


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def render(findings: Sequence[Finding], options: ReportOptions) -> str:
    lines = []
    for f in findings:
        level = "warning" if f.severity == "warning" else "error"
        props = ",".join(
            [
                f"file={_escape_property(options.display(f.filename))}",
                f"line={f.location.row}",
                f"col={f.location.column}",
                f"endLine={f.end_location.row}",
                f"endColumn={f.end_location.column}",
                f"title={_escape_property(f.code)}",
            ]
        )
        lines.append(f"::{level} {props}::{_escape_data(f.message)}\n")
    return "".join(lines)
