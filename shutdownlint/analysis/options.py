"""The part of the configuration the analysis needs (built by `config`, read here)."""

from __future__ import annotations

from dataclasses import dataclass

from shutdownlint.analysis.vocabulary import Kind

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

DEFAULT_RAISES_ON: tuple[str, ...] = ("call", "await", "raise")
RAISES_ON_CHOICES: tuple[str, ...] = ("call", "await", "raise", "subscript", "attribute")


@dataclass(frozen=True)
class TypeMapping:
    """A user class declared to behave like a known kind (`[tool.shutdownlint.types]`)."""

    qname: str
    kind: Kind
    release: tuple[str, ...] = ()
    wait: tuple[str, ...] = ()


@dataclass(frozen=True)
class AnalysisOptions:
    shutdown_methods: tuple[str, ...] = DEFAULT_SHUTDOWN_METHODS
    target_version: tuple[int, int] = (3, 10)
    fix_timeout: float = 5.0
    raises_on: tuple[str, ...] = DEFAULT_RAISES_ON
    types: tuple[TypeMapping, ...] = ()
