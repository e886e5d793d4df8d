"""Facts every rule asks for, computed lazily and once per module.

A rule never works out on its own "is this a queue?" or "is this a shutdown
path?": it asks `ModuleFacts`. Nothing here knows a rule, the CLI or a format.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import cached_property

from astroid import nodes

DEFAULT_SHUTDOWN_METHODS: tuple[str, ...] = (
    "close",
    "aclose",
    "stop",
    "shutdown",
    "terminate",
    "kill",
    "cancel",
    "dispose",
    "cleanup",
    "teardown",
    "disconnect",
    "quit",
    "join",
    "__exit__",
    "__aexit__",
    "__del__",
)

KINDS: frozenset[str] = frozenset(
    {
        "queue",
        "event",
        "condition",
        "semaphore",
        "barrier",
        "future",
        "lock",
        "thread",
        "process",
        "executor",
        "task",
        "socket",
        "server",
    }
)


@dataclass(frozen=True)
class TypeMapping:
    """A user class declared to behave like one of `KINDS` (`[tool.shutdownlint.types]`)."""

    qname: str
    kind: str
    release: tuple[str, ...] = ()
    wait: tuple[str, ...] = ()


@dataclass(frozen=True)
class AnalysisOptions:
    """The part of the configuration the analysis needs."""

    shutdown_methods: tuple[str, ...] = DEFAULT_SHUTDOWN_METHODS
    target_version: tuple[int, int] = (3, 10)
    fix_timeout: float = 5.0
    raises_on: tuple[str, ...] = ("call", "await", "raise")
    types: tuple[TypeMapping, ...] = ()


class ModuleFacts:
    """Lazily computed facts about one module; each is built on first use."""

    def __init__(self, module: nodes.Module, options: AnalysisOptions) -> None:
        self.module = module
        self.options = options
        # "gave_up" counts nodes where inference hit its budget or the recursion limit.
        self.stats: Counter[str] = Counter()

    @cached_property
    def kinds(self):  # -> kinds.Kinds
        from shutdownlint.analysis.kinds import Kinds

        return Kinds(self)

    @cached_property
    def contexts(self):  # -> contexts.Contexts
        from shutdownlint.analysis.contexts import Contexts

        return Contexts(self)
