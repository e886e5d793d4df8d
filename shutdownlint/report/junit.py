"""JUnit XML, for CI test reporters (GitLab's `reports: junit`, Jenkins, Azure).

One `<testsuite>` per file with findings, one failing `<testcase>` per finding
(an internal error, SDL999, is an `<error>` rather than a `<failure>`). A clean
run is one passing test case, so that reporters show that the check ran (ruff
does the same).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from itertools import groupby

from shutdownlint.findings import Finding
from shutdownlint.report.options import ReportOptions

INTERNAL_ERROR = "SDL999"
# Characters XML 1.0 cannot carry, even escaped.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text(value: str) -> str:
    return _NOT_XML.sub("\ufffd", value)


def render(findings: Sequence[Finding], options: ReportOptions) -> str:
    root = ET.Element("testsuites", name="shutdownlint")
    if not findings:
        suite = ET.SubElement(
            root, "testsuite", name="shutdownlint", tests="1", failures="0", errors="0"
        )
        ET.SubElement(suite, "testcase", name="No problems found", classname="shutdownlint")
        root.set("tests", "1")
        root.set("failures", "0")
        root.set("errors", "0")
        return _serialise(root)
    ordered = sorted(findings, key=lambda f: f.sort_key)
    for filename, group in groupby(ordered, key=lambda f: f.filename):
        items = list(group)
        errors = sum(f.code == INTERNAL_ERROR for f in items)
        shown = _text(options.display(filename))
        suite = ET.SubElement(
            root,
            "testsuite",
            name=shown,
            tests=str(len(items)),
            failures=str(len(items) - errors),
            errors=str(errors),
            skipped="0",
        )
        for f in items:
            where = f"{f.location.row}:{f.location.column}"
            case = ET.SubElement(
                suite,
                "testcase",
                name=f"{f.code} {f.name} at {where}",
                classname=shown,
                file=shown,
                line=str(f.location.row),
            )
            failure = ET.SubElement(
                case,
                "error" if f.code == INTERNAL_ERROR else "failure",
                message=_text(f"{f.code} {f.message}"),
                type=f.code,
            )
            lines = [f"{shown}:{where}: {f.code} {f.message}"]
            if f.fix is not None:
                lines.append(f"help: {f.fix.message}")
            lines += [
                f"note: {options.display(r.filename)}:{r.location.row}:{r.location.column}: "
                f"{r.message}"
                for r in f.related
            ]
            failure.text = _text("\n".join(lines))
    errors = sum(f.code == INTERNAL_ERROR for f in findings)
    root.set("tests", str(len(findings)))
    root.set("failures", str(len(findings) - errors))
    root.set("errors", str(errors))
    return _serialise(root)


def _serialise(root: ET.Element) -> str:
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"
