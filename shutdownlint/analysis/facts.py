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

from shutdownlint.analysis.astroid_env import is_project_module
from shutdownlint.analysis.blocking import Blocking
from shutdownlint.analysis.contexts import Contexts
from shutdownlint.analysis.foreign_consumers import ForeignWorkers
from shutdownlint.analysis.kinds import Kinds
from shutdownlint.analysis.lifecycle import Lifecycle
from shutdownlint.analysis.locks import Locks
from shutdownlint.analysis.options import AnalysisOptions
from shutdownlint.analysis.order import Order
from shutdownlint.analysis.owners import WorkerOwners
from shutdownlint.analysis.races import Races
from shutdownlint.analysis.shared import SharedState
from shutdownlint.analysis.summaries import Summaries
from shutdownlint.analysis.teardown import Teardown
from shutdownlint.analysis.threadmap import ThreadMap


class ModuleFacts:
    """Lazily computed facts about one module."""

    def __init__(self, module: nodes.Module, options: AnalysisOptions) -> None:
        self.module = module
        self.options = options
        # "gave_up" counts nodes where inference hit its budget or the recursion limit.
        self.stats: Counter[str] = Counter()
        self._elsewhere: dict[nodes.Module, ModuleFacts] = {}  # other project modules
        self._follows_consumers = True  # False: facts of another module, asked for its own

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
    def summaries(self) -> Summaries:
        """What calling a method does to its object's workers (from its body)."""
        return Summaries(self.module, self.options, self.kinds, self.contexts, self.stats)

    @cached_property
    def lifecycle(self) -> Lifecycle:
        """What must be released on every exit, and the exits that do not (SDL1xx)."""
        return Lifecycle(
            self.module,
            self.options,
            self.kinds,
            self.contexts,
            self.blocking,
            self.summaries,
            self.stats,
            self.foreign_workers,
        )

    @cached_property
    def foreign_workers(self) -> ForeignWorkers:
        """Workers this module starts whose function another project module defines."""
        return ForeignWorkers(self.contexts, self._lifecycle_of, self.stats)

    def _lifecycle_of(self, module: nodes.Module) -> Lifecycle | None:
        """The lifecycle facts of another module of the project (its consumers)."""
        other = self._facts_of(module) if self._follows_consumers else None
        if other is None:
            return None
        other._follows_consumers = False  # one hop: its consumers are its own module's
        return other.lifecycle

    @cached_property
    def owners(self) -> WorkerOwners:
        """Objects that run workers: which calls start one, which methods join it."""
        return WorkerOwners(
            self.module, self.contexts, self.summaries, self.lifecycle, self._owners_of
        )

    def _owners_of(self, module: nodes.Module) -> WorkerOwners | None:
        """The worker owners of another module of the project (its facts built once per
        analysed file, from the tree the import hook built; never imported)."""
        other = self._facts_of(module)
        return other.owners if other is not None else None

    def _facts_of(self, module: nodes.Module) -> ModuleFacts | None:
        """The facts of another module of the project, built once per analysed file from
        the tree the import hook built (never imported)."""
        if not is_project_module(module):
            return None
        if module not in self._elsewhere:
            self._elsewhere[module] = ModuleFacts(module, self.options)
        return self._elsewhere[module]

    @cached_property
    def locks(self) -> Locks:
        """Which locks are held at a node, and what counts as a lock."""
        return Locks(self.module, self.kinds, self.contexts, self.stats)

    @cached_property
    def threads(self) -> ThreadMap:
        """Which threads run each function (thread identities)."""
        return ThreadMap(self.module, self.contexts, self.kinds, self.locks)

    @cached_property
    def shared_state(self) -> SharedState:
        """Long-lived state of the module's classes and globals, and every access to it."""
        return SharedState(
            self.module, self.kinds, self.contexts, self.locks, self.threads, self.stats
        )

    @cached_property
    def order(self) -> Order:
        """Happens-before between accesses: joins, the lifecycle, hand-offs."""
        return Order(
            self.kinds, self.contexts, self.locks, self.threads, self.shared_state, self.summaries
        )

    @cached_property
    def races(self) -> Races:
        """Races on shared state: unguarded accesses, check-then-acts, read-modify-writes."""
        return Races(
            self.module,
            self.kinds,
            self.contexts,
            self.locks,
            self.threads,
            self.shared_state,
            self.order,
            self.stats,
        )

    @cached_property
    def teardown(self) -> Teardown:
        """What shutdown does: containers it empties, workers and queues, stop order."""
        return Teardown(
            self.module,
            self.options,
            self.kinds,
            self.contexts,
            self.locks,
            self.threads,
            self.shared_state,
            self.summaries,
            self.stats,
        )
