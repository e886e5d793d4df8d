from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache


@dataclass(frozen=True)
class RuleInfo:
    """What a format may say about a rule (SARIF's rule metadata): the caller, which
    knows the registry, passes these; a format never imports the rules."""

    code: str
    name: str
    summary: str  # one sentence
    doc: str  # the rule's documentation, Markdown
    severity: str  # "error" | "warning"
    opt_in: bool = False


@dataclass(frozen=True)
class ReportOptions:
    color: bool = False
    show_source: bool = False  # a code frame under each finding (terminals)
    sources: Mapping[str, str] = field(default_factory=dict)  # absolute filename -> text
    quiet: bool = False
    rules: tuple[RuleInfo, ...] = ()  # the catalogue, for formats that describe rules
    unsafe_fixes: bool = False  # --unsafe-fixes: unsafe fixes count as available

    def display(self, filename: str) -> str:
        """A path relative to the working directory when it is below it, printable."""
        cwd = os.getcwd()
        if filename.startswith(cwd + os.sep):
            filename = filename[len(cwd) + 1 :]
        return printable(filename)


def utf8_safe(text: str) -> str:
    """`text` made encodable as UTF-8: the undecodable bytes of a file name (which
    Python keeps as lone surrogates) are written as `\\xNN`."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate that is not an escaped byte
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """`text` for one line of a line-based report or a message on a terminal: UTF-8
    safe, and control characters (a newline or an escape sequence in a file name)
    written as `\\n`, `\\x1b`."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], utf8_safe(text))


@cache
def documentation_home() -> str | None:
    """The Documentation URL of the package metadata (the rules/ folder), if any."""
    from importlib import metadata  # 30 ms: only for the formats that link to rules

    try:
        urls = metadata.metadata("shutdownlint").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return None
    for entry in urls:
        label, _, url = entry.partition(",")
        if label.strip().lower() == "documentation" and url.strip():
            return url.strip().rstrip("/")
    return None


def documentation_url(code: str) -> str | None:
    """The rule's page under the Documentation URL of the package metadata, if any."""
    home = documentation_home()
    return f"{home}/{code}.md" if home else None
