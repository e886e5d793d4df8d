"""JSON with ruff's field names (plus our `name`, `severity` and `related`)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from shutdownlint.findings import Finding
from shutdownlint.report.options import ReportOptions, documentation_url


def render(findings: Sequence[Finding], options: ReportOptions) -> str:
    rows = []
    for finding in findings:
        row = finding.to_json()
        row["url"] = documentation_url(finding.code)
        rows.append(row)
    return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
