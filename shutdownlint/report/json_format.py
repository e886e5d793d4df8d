"""JSON with ruff's field names (plus our `name`, `severity` and `related`)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from shutdownlint.findings import Finding
from shutdownlint.report.options import ReportOptions, documentation_url, utf8_safe


def render(findings: Sequence[Finding], options: ReportOptions) -> str:
    rows = []
    for finding in findings:
        row = finding.to_json()
        row["url"] = documentation_url(finding.code)
        rows.append(_utf8_safe(row))
    return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"


def _utf8_safe(value: Any) -> Any:
    """Every string in `value` encodable as UTF-8 (a file name that is not is escaped),
    so that the document is valid UTF-8 and valid JSON."""
    if isinstance(value, str):
        return utf8_safe(value)
    if isinstance(value, dict):
        return {k: _utf8_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_utf8_safe(v) for v in value]
    return value
