from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata


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

    def display(self, filename: str) -> str:
        """A path relative to the working directory when it is below it."""
        cwd = os.getcwd()
        if filename.startswith(cwd + os.sep):
            return filename[len(cwd) + 1 :]
        return filename


@cache
def documentation_home() -> str | None:
    """The Documentation URL of the package metadata (the rules/ folder), if any."""
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
