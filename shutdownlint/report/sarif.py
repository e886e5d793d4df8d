"""SARIF 2.1.0, for code-scanning tools (GitHub code scanning, GitLab, Azure DevOps).

One run; the driver lists every rule with its help text; each result carries its
location, the related locations that explain it, the fix edits where there are
some, and `partialFingerprints` so that a finding is tracked across commits even
when lines move. Columns count Unicode code points (`columnKind`), as everywhere
in shutdownlint. Paths under the working directory are relative to
`%SRCROOT%` (the repository root when CI runs from there).
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

from shutdownlint import __version__
from shutdownlint.findings import Finding, Location
from shutdownlint.report.fingerprint import occurrences
from shutdownlint.report.options import (
    ReportOptions,
    RuleInfo,
    documentation_home,
    documentation_url,
)

SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
FINGERPRINT_KEY = "shutdownlint/v1"
_BASE = "%SRCROOT%"


def render(findings: Sequence[Finding], options: ReportOptions) -> str:
    rules = list(options.rules)
    known = {r.code for r in rules}
    for f in findings:  # a rule the caller did not describe still gets a descriptor
        if f.code not in known:
            known.add(f.code)
            rules.append(RuleInfo(f.code, f.name, "", "", f.severity))
    index = {rule.code: i for i, rule in enumerate(rules)}
    results = [
        _result(f, index[f.code], digest, n)
        for f, (digest, n) in zip(findings, occurrences(findings, options.sources), strict=True)
    ]
    driver: dict = {
        "name": "shutdownlint",
        "version": __version__,
        "semanticVersion": __version__,
        "rules": [_descriptor(rule) for rule in rules],
    }
    home = documentation_home()
    if home:
        driver["informationUri"] = home
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": driver},
                "originalUriBaseIds": {_BASE: {"uri": Path.cwd().as_uri().rstrip("/") + "/"}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _descriptor(rule: RuleInfo) -> dict:
    descriptor: dict = {
        "id": rule.code,
        "name": rule.name,
        "defaultConfiguration": {"level": _level(rule.severity), "enabled": not rule.opt_in},
    }
    if rule.summary:
        descriptor["shortDescription"] = {"text": rule.summary}
    if rule.doc:
        title, _, body = rule.doc.partition("\n")
        body = body.strip() or title
        what = body.split("## What it does", 1)[-1].split("\n## ", 1)[0]
        descriptor["fullDescription"] = {"text": " ".join(what.split()) or rule.summary or title}
        descriptor["help"] = {"text": body, "markdown": body}
    url = documentation_url(rule.code)
    if url:
        descriptor["helpUri"] = url
    return descriptor


def _level(severity: str) -> str:
    return "warning" if severity == "warning" else "error"


def _artifact(filename: str) -> dict:
    cwd = os.getcwd()
    if filename.startswith(cwd + os.sep):
        relative = Path(filename[len(cwd) + 1 :]).as_posix()
        return {"uri": quote(relative), "uriBaseId": _BASE}
    return {"uri": Path(filename).as_uri()}


def _region(start: Location, end: Location) -> dict:
    return {
        "startLine": start.row,
        "startColumn": start.column,
        "endLine": max(end.row, start.row),
        "endColumn": max(end.column, 1),
    }


def _physical(filename: str, start: Location, end: Location) -> dict:
    return {"artifactLocation": _artifact(filename), "region": _region(start, end)}


def _result(f: Finding, rule_index: int, digest: str, n: int) -> dict:
    result: dict = {
        "ruleId": f.code,
        "ruleIndex": rule_index,
        "level": _level(f.severity),
        "message": {"text": f.message},
        "locations": [{"physicalLocation": _physical(f.filename, f.location, f.end_location)}],
        "partialFingerprints": {FINGERPRINT_KEY: f"{digest}:{n}"},
    }
    if f.related:
        result["relatedLocations"] = [
            {
                "id": i,
                "message": {"text": r.message},
                "physicalLocation": _physical(r.filename, r.location, r.end_location),
            }
            for i, r in enumerate(f.related)
        ]
    if f.fix is not None and f.fix.edits:
        result["fixes"] = [
            {
                "description": {"text": f.fix.message},
                "artifactChanges": [
                    {
                        "artifactLocation": _artifact(f.filename),
                        "replacements": [
                            {
                                "deletedRegion": _region(e.location, e.end_location),
                                "insertedContent": {"text": e.content},
                            }
                            for e in f.fix.edits
                        ],
                    }
                ],
            }
        ]
    if f.fix is not None:
        result["properties"] = {"help": f.fix.message, "applicability": f.fix.applicability.value}
    return result
