"""What orders two accesses to shared state across functions (happens-before).

Two accesses on two threads race only when nothing in the program orders them. The
orders known here, each a statement about programs, not about one spelling:
- a join: one side joins a thread (no timeout needed: `join()` returns only once the
  thread ended, or the caller goes on knowing it may not have) before its access, and
  the other runs on a thread: `stop()` joins the worker, then clears its state;
- the lifecycle: the owner calls an object's start step (`open()`, `start()`,
  `connect()`...) before its stop step (`close()`, `stop()`...), so what a start step
  does on the owner's thread is ordered before a thread that a stop step starts (the
  teardown thread `close()` hands the work to).

Writes made before the function that makes them starts a thread (`precedes_thread_start`)
or hands work on (`HAND_OFFS`) are ordered in `shared` and `races`.
"""

from __future__ import annotations

from collections.abc import Callable

from astroid import nodes

from shutdownlint.analysis.infer import enclosing_function, walk
from shutdownlint.analysis.kinds import Kinds
from shutdownlint.analysis.shared import Access
from shutdownlint.analysis.threadmap import ThreadId, ThreadMap
from shutdownlint.analysis.vocabulary import Kind, ThreadRole


class Order:
    """Happens-before between the accesses of one module (a per-module fact)."""

    def __init__(self, kinds: Kinds, threads: ThreadMap) -> None:
        self._kinds = kinds
        self._threads = threads

    def joined_before(self, access: Access, other: Access) -> bool:
        """One side joins a thread before its access, and the other runs on a thread:
        the join orders them (`stop()` joins the worker, then clears its state)."""
        for first, second in ((access, other), (other, access)):
            if not any(t.role is ThreadRole.THREAD for t in second.threads):
                continue
            for node in walk(first.function):
                if (
                    isinstance(node, nodes.Call)
                    and isinstance(node.func, nodes.Attribute)
                    and node.func.attrname == "join"
                    and (node.lineno or 0) < (first.node.lineno or 0)
                    and enclosing_function(node) is first.function
                ):
                    info = self._kinds.kind_of(node.func.expr)
                    if info is not None and info.kind is Kind.THREAD:
                        return True
        return False

    def threads_ordered(
        self, access: Access, other: Access
    ) -> Callable[[ThreadId, ThreadId], bool]:
        """For `concurrent_pair`: whether `access` run by the first identity and `other`
        run by the second are ordered by the object's lifecycle."""

        def ordered(mine: ThreadId, theirs: ThreadId) -> bool:
            return self._threads.lifecycle_ordered(
                access.function, mine, theirs
            ) or self._threads.lifecycle_ordered(other.function, theirs, mine)

        return ordered
