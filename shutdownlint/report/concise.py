from __future__ import annotations

from collections.abc import Sequence

from shutdownlint.findings import Finding
from shutdownlint.report.options import ReportOptions


def render(findings: Sequence[Finding], options: ReportOptions) -> str:
    return "".join(
        f"{options.display(f.filename)}:{f.location.row}:{f.location.column}: "
        f"{f.code} {f.message}\n"
        for f in findings
    )
