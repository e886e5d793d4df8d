"""The base class every rule derives from, and what a rule sees of the engine."""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from astroid import nodes

from shutdownlint.analysis.facts import ModuleFacts
from shutdownlint.findings import Edit, Fix, Location
from shutdownlint.source import SourceText


@dataclass(frozen=True)
class Report:
    """What a rule found at one node, before the engine turns it into a Finding."""

    rule: type[Rule]
    node: nodes.NodeNG
    message: str
    fix: Fix
    related: tuple[tuple[nodes.NodeNG, str], ...] = ()


class RuleContext:
    """What a rule may use: the module's facts, its source, and a way to report."""

    def __init__(
        self,
        facts: ModuleFacts,
        source: SourceText,
        emit: Callable[[Report], None],
        selected: frozenset[str] = frozenset(),
    ) -> None:
        self.facts = facts
        self.source = source
        self._emit = emit
        # The codes enabled for this file: a fix must leave code clean under them.
        self.selected = selected

    def report(
        self,
        rule: Rule,
        node: nodes.NodeNG,
        related: Sequence[tuple[nodes.NodeNG | None, str]] = (),
        fix: Fix | None = None,
        **fields: str,
    ) -> None:
        """Report `rule` at `node`; `fields` fill the rule's message (and its fix title,
        when no `fix` is given)."""
        self._emit(
            Report(
                type(rule),
                node,
                rule.message.format(**fields),
                fix if fix is not None else Fix(rule.fix_title.format(**fields)),
                tuple((n, note) for n, note in related if n is not None),
            )
        )

    def replace(self, node: nodes.NodeNG, content: str) -> Edit:
        """An edit replacing the source of `node` with `content`."""
        start, end = self.source.span(node)
        return Edit(content, start, end)

    def insert(self, row: int, content: str) -> Edit:
        """An edit inserting `content` at the start of line `row`."""
        return Edit(content, Location(row, 1), Location(row, 1))


class Rule:
    """A rule: `visit_<nodetype>(self, node, ctx)` methods, one class per module.

    The module docstring is the user documentation (What it does / Why is this
    bad? / Example / Use instead / Fix safety).
    """

    code: ClassVar[str]
    name: ClassVar[str]
    message: ClassVar[str] = ""
    fix_title: ClassVar[str] = ""
    opt_in: ClassVar[bool] = False
    # Reported by the engine itself (SDL900/SDL999), not by visiting nodes.
    engine_only: ClassVar[bool] = False
    # Words one of which a file must contain for this rule to find anything in it
    # (besides those of the analysis tables): the engine's cheap prefilter.
    prefilter_words: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def doc(cls) -> str:
        return inspect.getdoc(sys.modules[cls.__module__]) or ""

    @classmethod
    def summary(cls) -> str:
        """The first sentence under "What it does"."""
        doc = cls.doc()
        part = doc.split("## What it does", 1)[-1].strip()
        paragraph = " ".join(part.split("\n\n", 1)[0].split())
        # A sentence that introduces a list ("...it breaks against:") ends at the colon.
        return paragraph.split(". ", 1)[0].rstrip(".:") + "."

    @classmethod
    def severity(cls) -> str:
        return "warning" if cls.opt_in else "error"

    @classmethod
    def visitors(cls) -> dict[str, str]:
        """{astroid node class name: method name} for the node types this rule visits."""
        return {attr[len("visit_") :]: attr for attr in dir(cls) if attr.startswith("visit_")}


def short_source(node: nodes.NodeNG, limit: int = 60) -> str:
    """The node's source, shortened for a message."""
    text = " ".join(node.as_string().split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
