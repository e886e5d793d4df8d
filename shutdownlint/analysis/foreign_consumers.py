"""Workers whose function is defined in another module of the project.

A queue handed to a worker is consumed when the worker's function blocks in `get()`
on the parameter it is passed as, until an end marker (`Lifecycle.consumers`). That
is a fact about the function's body wherever it is written: `Thread(target=
workers.consume, args=(q,))`, `from .workers import consume; Thread(target=consume,
args=(q,))` and `create_task(pipeline.drain(q))` hand `q` to a consumer of another
module of the project. The target is resolved as the other cross-module facts are
(`infer.imported_definitions`: a name reached through this module's imports, built
from source by the import hook, never imported; the standard library and installed
packages are not followed), and that module's own consumer facts decide (one hop:
its consumers are the ones its own module starts or writes).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from functools import cached_property
from typing import Protocol

from astroid import nodes

from shutdownlint.analysis.contexts import Contexts, Entry
from shutdownlint.analysis.infer import FunctionLike, imported_definitions, last_name
from shutdownlint.analysis.ownership import Identity, Local
from shutdownlint.analysis.schedulers import SCHEDULERS_BY_KEYWORD, SCHEDULERS_BY_NAME, Role
from shutdownlint.analysis.starts import passed_in


class ConsumerFacts(Protocol):
    """What another module's lifecycle facts tell: its queues consumed until a marker."""

    @property
    def consumers(self) -> dict[Identity, nodes.NodeNG]: ...


#: The lifecycle facts of another module of the project (None: not followed).
Elsewhere = Callable[[nodes.Module], ConsumerFacts | None]


class ForeignWorkers:
    """The workers this module starts whose function another project module defines."""

    def __init__(self, contexts: Contexts, elsewhere: Elsewhere, stats: Counter[str]) -> None:
        self._contexts = contexts
        self._elsewhere = elsewhere
        self._stats = stats

    @cached_property
    def _starts(self) -> dict[FunctionLike, list[Entry]]:
        starts: dict[FunctionLike, list[Entry]] = {}
        for node in self._contexts.all_nodes:
            if not isinstance(node, nodes.Call) or not _may_schedule(node):
                continue
            row, targets = self._contexts.scheduled_targets(node)
            if row is None or Role.ENTRY not in row.roles or row.context is None:
                continue
            for target in targets:
                for function in imported_definitions(target, self._stats):
                    if isinstance(function, FunctionLike):
                        entry = Entry(
                            row.context, row.runs_on_thread, node, function, row.role, row
                        )
                        starts.setdefault(function, []).append(entry)
        return starts

    def starts_of(self, function: FunctionLike) -> list[Entry]:
        """Every place this module hands `function` (of another module) to a scheduler."""
        return self._starts.get(function, [])

    def add_consumed(self, found: dict[Identity, nodes.NodeNG]) -> None:
        """Add to `found` the queues this module hands to a consumer of another project
        module, each with where that consumer stops (its branch on the end marker)."""
        for function, entries in self._starts.items():
            other = self._elsewhere(function.root())
            if other is None:
                continue
            for ident, stops in other.consumers.items():
                if not (isinstance(ident, Local) and ident.scope is function):
                    continue
                for entry in entries:
                    passed = passed_in(entry, ident)
                    if passed is not None:
                        found.setdefault(passed, stops)


def _may_schedule(call: nodes.Call) -> bool:
    return last_name(call.func) in SCHEDULERS_BY_NAME or any(
        kw.arg in SCHEDULERS_BY_KEYWORD for kw in call.keywords or ()
    )
