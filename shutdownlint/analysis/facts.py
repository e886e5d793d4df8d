"""`ModuleFacts`: every fact about one module, each computed on first use.

A rule asks `facts.kinds`, `facts.contexts`, `facts.blocking`; it never works a
fact out on its own. Providers are built lazily and once per module, and depend
on each other only downwards (vocabulary -> infer -> kinds -> contexts,
blocking), so no import cycle hides behind a lazy import.
"""

from __future__ import annotations

from collections import Counter
from functools import cached_property

from astroid import nodes

from shutdownlint.analysis.blocking import Blocking
from shutdownlint.analysis.contexts import Contexts
from shutdownlint.analysis.kinds import Kinds
from shutdownlint.analysis.lifecycle import Lifecycle
from shutdownlint.analysis.options import AnalysisOptions


class ModuleFacts:
    """Lazily computed facts about one module."""

    def __init__(self, module: nodes.Module, options: AnalysisOptions) -> None:
        self.module = module
        self.options = options
        # "gave_up" counts nodes where inference hit its budget or the recursion limit.
        self.stats: Counter[str] = Counter()

    @cached_property
    def kinds(self) -> Kinds:
        """What an expression refers to (a queue, a thread...), and where it was made."""
        return Kinds(self.module, self.options.types, self.stats)

    @cached_property
    def contexts(self) -> Contexts:
        """Where code runs: worker and thread contexts, shutdown paths."""
        return Contexts(self.module, self.options, self.kinds, self.stats)

    @cached_property
    def blocking(self) -> Blocking:
        """Which calls can wait forever."""
        return Blocking(self.options, self.kinds, self.stats)

    @cached_property
    def lifecycle(self) -> Lifecycle:
        """What must be released on every exit, and the exits that do not (SDL1xx)."""
        return Lifecycle(
            self.module, self.options, self.kinds, self.contexts, self.blocking, self.stats
        )
