"""Exception and early-exit paths through a function: which handler catches what.

This is the exception-path model the SDL1xx rules build on. Today it answers
the questions shutdown-path detection needs: is a node inside a `finally:`
block, or inside a handler that catches an interrupt (`KeyboardInterrupt`,
`SystemExit`, `CancelledError`)? `catches()` says whether a handler catches an
exception class, with the hierarchy facts SPEC §2 names: `except Exception`
catches `concurrent.futures.CancelledError` but not `asyncio.CancelledError`
(a `BaseException` since Python 3.8), `KeyboardInterrupt` or `SystemExit`.
"""

from __future__ import annotations

from dataclasses import dataclass

from astroid import nodes

from shutdownlint.analysis.infer import FunctionLike, dotted_name

# Exceptions that are not `Exception`s: only a bare `except`, `except BaseException`
# or a handler naming them (or a base of theirs) catches them.
BASE_EXCEPTIONS = frozenset(
    {"KeyboardInterrupt", "SystemExit", "GeneratorExit", "CancelledError", "BaseExceptionGroup"}
)
# What a program stopping raises: a handler for one of them runs while stopping.
INTERRUPTS = frozenset({"KeyboardInterrupt", "SystemExit", "CancelledError"})


@dataclass(frozen=True)
class CleanupRegion:
    """A block that runs while something stops: a `finally:` or an interrupt handler."""

    reason: str
    node: nodes.Try | nodes.ExceptHandler


def caught_names(handler: nodes.ExceptHandler) -> list[str] | None:
    """The exception names a handler lists as written (`asyncio.CancelledError`), or None
    for a bare `except:`."""
    if handler.type is None:
        return None
    types = handler.type.elts if isinstance(handler.type, nodes.Tuple) else [handler.type]
    return [dotted_name(t) or t.as_string() for t in types]


def catches(handler: nodes.ExceptHandler, exception: str) -> bool:
    """Whether `handler` catches `exception` (a dotted name such as
    `asyncio.CancelledError` or `KeyError`). Unknown user exceptions are only caught
    by a handler naming them, `Exception` or `BaseException`."""
    names = caught_names(handler)
    if names is None:
        return True
    short = exception.rsplit(".", 1)[-1]
    is_base = short in BASE_EXCEPTIONS and not exception.startswith("concurrent.")
    for name in names:
        last = name.rsplit(".", 1)[-1]
        if last == "BaseException" or name == exception or last == short:
            return True
        if last == "Exception" and not is_base:
            return True
    return False


def interrupt_caught(handler: nodes.ExceptHandler) -> str | None:
    """The interrupt a handler names (`KeyboardInterrupt`, `asyncio.CancelledError`)."""
    for name in caught_names(handler) or ():
        if name.rsplit(".", 1)[-1] in INTERRUPTS:
            return name
    return None


def cleanup_region(node: nodes.NodeNG) -> CleanupRegion | None:
    """The innermost `finally:` block or interrupt handler of its function holding `node`."""
    child, parent = node, node.parent
    while parent is not None and not isinstance(parent, FunctionLike):
        if isinstance(parent, nodes.Try) and child in parent.finalbody:
            return CleanupRegion("in a `finally:` block", parent)
        if isinstance(parent, nodes.ExceptHandler) and child in parent.body:
            caught = interrupt_caught(parent)
            if caught:
                return CleanupRegion(f"in an `except {caught}` handler", parent)
        child, parent = parent, parent.parent
    return None
