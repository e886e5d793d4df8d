"""Objects that run workers: an instance of a class of this module that starts a worker
it keeps in an attribute (a thread or process it starts, an executor or task it makes)
and has a method that joins it is a worker itself to whoever starts it. A function that
calls its starting method (or makes it, when `__init__` starts the worker) owes a call
of a joining method on every path out, as it owes `t.join()` for a bare thread.

Which method starts and which joins is read from the bodies (the attribute the class
makes, `summaries.method_joins`), never from the names; a class of another module of
the project is read by that module's own facts (built from source, never imported).
A class with no joining method seen is not a worker owner (precision).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass

from astroid import nodes
from astroid.exceptions import AstroidError

from shutdownlint.analysis.contexts import Contexts
from shutdownlint.analysis.infer import (
    FunctionLike,
    enclosing_class,
    is_self_parameter,
    method_in,
)
from shutdownlint.analysis.kinds import KindInfo
from shutdownlint.analysis.lifecycle import Lifecycle
from shutdownlint.analysis.operations import STARTS_BY_TYPE, operations
from shutdownlint.analysis.ownership import own_nodes
from shutdownlint.analysis.summaries import Summaries
from shutdownlint.analysis.vocabulary import Flavor, Kind

_WORKER_KINDS = (Kind.THREAD, Kind.PROCESS, Kind.EXECUTOR, Kind.TASK)


@dataclass(frozen=True)
class WorkerOwner:
    """A class whose instances run a worker: the worker's kind (with where the class
    makes it), the attribute that keeps it, and the methods that join it."""

    cls: nodes.ClassDef
    attribute: str
    worker: KindInfo
    joins: frozenset[str]
    made: nodes.NodeNG  # the statement of the class that makes or stores the worker


class WorkerOwners:
    """Which calls start a worker an object of this module keeps (per class, cached)."""

    def __init__(
        self,
        module: nodes.Module,
        contexts: Contexts,
        summaries: Summaries,
        lifecycle: Lifecycle,
        elsewhere: Callable[[nodes.Module], WorkerOwners | None] = lambda module: None,
    ) -> None:
        self._module = module
        self._contexts = contexts
        self._summaries = summaries
        self._lifecycle = lifecycle
        self._elsewhere = elsewhere  # the same facts of another module of the project
        self._cache: dict[tuple[nodes.ClassDef, str], WorkerOwner | None] = {}

    def started_by(self, cls: nodes.ClassDef, name: str) -> WorkerOwner | None:
        """The worker an instance of `cls` starts when its method `name` is called
        (`__init__`: when it is made), if the class also has a method that joins it."""
        key = (cls, name)
        if key not in self._cache:
            self._cache[key] = self._started_by(cls, name)
        return self._cache[key]

    def _started_by(self, cls: nodes.ClassDef, name: str) -> WorkerOwner | None:
        module = cls.root()
        if module is not self._module:
            # a class of another module of the project: that module's facts say
            other = self._elsewhere(module) if isinstance(module, nodes.Module) else None
            return other.started_by(cls, name) if other is not None else None
        if self._lifecycle.is_kind(cls, _WORKER_KINDS):
            return None  # a Thread subclass: a kind of its own
        method = self._method(cls, name)
        if method is None:
            return None
        classes = self._classes(cls)
        reached = [f for f in self._contexts.reach(method) if enclosing_class(f) in classes]
        owned = self._lifecycle.owned_attributes(cls, _WORKER_KINDS, self._lifecycle.worker_stems)
        for attribute, (kind, made, info) in owned.items():
            if info.flavor is Flavor.SUBPROCESS:
                continue
            starts = STARTS_BY_TYPE.get(info.qname, operations(kind).start)
            if kind in (Kind.THREAD, Kind.PROCESS) or (kind is Kind.EXECUTOR and starts):
                # a thread runs once started, a pool that starts its threads with its
                # first job once submitted to: making it in `__init__` starts nothing
                if not any(_calls_on_own(f, attribute, starts) for f in reached):
                    continue
            elif made.scope() not in reached:
                continue  # a task (or a pool that starts its workers at once) runs once made
            joins = frozenset(
                m.name
                for m in self._methods(classes)
                if m.name != name and self._summaries.method_joins(cls, m.name) is True
            )
            if joins:
                return WorkerOwner(cls, attribute, info, joins, made)
        return None

    def _classes(self, cls: nodes.ClassDef) -> list[nodes.ClassDef]:
        classes = [cls]
        with contextlib.suppress(AstroidError, RecursionError):
            classes += [c for c in cls.ancestors() if c.root() is self._module]
        return classes

    @staticmethod
    def _methods(classes: list[nodes.ClassDef]) -> list[FunctionLike]:
        return [
            m
            for klass in classes
            for m in klass.body
            if isinstance(m, nodes.FunctionDef | nodes.AsyncFunctionDef)
        ]

    def _method(self, cls: nodes.ClassDef, name: str) -> FunctionLike | None:
        return method_in(cls, name, self._module)


def _calls_on_own(function: FunctionLike, attribute: str, methods: frozenset[str]) -> bool:
    """`function` calls one of `methods` on `self.<attribute>`."""
    return any(
        isinstance(node, nodes.Call)
        and isinstance(node.func, nodes.Attribute)
        and node.func.attrname in methods
        and isinstance(node.func.expr, nodes.Attribute)
        and node.func.expr.attrname == attribute
        and is_self_parameter(node.func.expr.expr)
        for node in own_nodes(function)
    )
