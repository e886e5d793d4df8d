"""SDL201 unguarded-shared-attribute

## What it does
Finds an access to an attribute (or a module global rebound through `global`)
that holds no lock where the attribute's other accesses hold one, when the two can
run on different threads: iterating a container that others change under the lock,
changing it in place while others iterate it, swapping it out from under in-place
changes, or calling a method on it while others set it to `None` under the lock.

## Why is this bad?
The lock only protects what every thread does under it. A loop over a dict that
another thread resizes raises `RuntimeError: dictionary changed size during
iteration`; a `stop()` that walks the job stores without the lock shuts them down
while the scheduler thread is still using them; `self._thread.join()` fails with
`AttributeError` when another thread has just cleared `self._thread`.

Reported once per attribute, at its first such access on a worker thread (else its
first), when the thread map shows another thread touching it, or when the access is
on a shutdown path and most writes of the attribute hold a real lock (the other
thread may live in another module: a scheduler's own thread). Plain reads and
constant flag writes are GIL-atomic and not reported; copy-on-write containers
(tuples rebuilt under the lock), objects that synchronise themselves (queues,
events, `deque.append`), code in `__init__` before the thread starts, `__del__`
and fork handlers are not reported either.

## Example
```python
import threading


class Scheduler:
    def __init__(self):
        self._stores = {}
        self._stores_lock = threading.RLock()
        self._thread = threading.Thread(target=self._main_loop, daemon=True)

    def add_store(self, alias, store):
        with self._stores_lock:
            self._stores[alias] = store

    def _main_loop(self):
        while True:
            with self._stores_lock:
                for store in self._stores.values():
                    store.run_due_jobs()

    def shutdown(self):
        for store in self._stores.values():
            store.shutdown()
```

## Use instead
```python
import threading


class Scheduler:
    def __init__(self):
        self._stores = {}
        self._stores_lock = threading.RLock()
        self._thread = threading.Thread(target=self._main_loop, daemon=True)

    def add_store(self, alias, store):
        with self._stores_lock:
            self._stores[alias] = store

    def _main_loop(self):
        while True:
            with self._stores_lock:
                for store in self._stores.values():
                    store.run_due_jobs()

    def shutdown(self):
        with self._stores_lock:
            for store in self._stores.values():
                store.shutdown()
```

## Fix safety
Unsafe, and offered only when one lock guards the attribute's other accesses: the
edit wraps the statement in `with <that lock>:`. Code that calls out while holding
the lock can block or deadlock; iterating over a copy taken under the lock
(`list(self._stores.values())`) is an alternative when it does. No edit (and the
help says why) where a function of the class waits (`join()`, `wait()`,
`result()`) while it holds that lock, or the code that starts the thread does:
it may be waiting for this very thread, which could then never take the lock.
"""

from __future__ import annotations

from astroid import nodes

from shutdownlint.analysis.races import UnguardedAccess
from shutdownlint.rules.base import Rule, RuleContext
from shutdownlint.rules.lock_fixes import lock_text, wait_holding, with_lock_fix

_RELATED_GUARDED = 3


class UnguardedSharedAttribute(Rule):
    code = "SDL201"
    name = "unguarded-shared-attribute"
    message = (
        "`{state}` is {verb} in `{where}` ({context}) without `{lock}`, which guards its "
        "{other_verb} in `{other_where}` ({other_context})"
    )
    fix_title = "hold `{lock}` around this access, as the other accesses do"

    def visit_module(self, node: nodes.Module, ctx: RuleContext) -> None:
        for record in ctx.facts.races.unguarded_accesses:
            self._report(record, ctx)

    def _report(self, record: UnguardedAccess, ctx: RuleContext) -> None:
        access, guard = record.access, record.guard
        other = record.overlap.other if record.overlap and record.overlap.other else None
        if other is None or not other.held.guarded:
            other = guard.first_write
        other_context = (
            record.overlap.theirs.label
            if record.overlap and record.overlap.other is other
            else _context(other)
        )
        related: list[tuple[nodes.NodeNG | None, str]] = []
        ordered = sorted(guard.accesses, key=lambda a: (not a.kind.writes, a is not other))
        for guarded in ordered[:_RELATED_GUARDED]:
            related.append(
                (guarded.statement, f"{guarded.kind.verb} here in `{guarded.where}` under the lock")
            )
        if record.overlap is not None and record.overlap.theirs.site is not None:
            related.append(
                (record.overlap.theirs.site, f"{record.overlap.theirs.label} starts here")
            )
        for more in record.others[:2]:
            related.append((more.statement, f"also {more.kind.verb} without the lock here"))
        statement = _statement_to_wrap(access)
        lock = lock_text(guard.lock, guard.shown, access.node) if guard.only else None
        fields = {
            "state": access.name,
            "verb": access.kind.verb,
            "where": access.where,
            "context": record.reason,
            "lock": guard.shown,
            "other_verb": "changes" if other.kind.writes else "accesses",
            "other_where": other.where,
            "other_context": other_context,
        }
        ctx.report(
            self,
            access.node,
            related=related,
            fix=with_lock_fix(
                ctx,
                statement,
                lock,
                self.fix_title.format(**fields),
                wait_holding(ctx, access, guard.lock) if lock else None,
            ),
            **fields,
        )


def _context(access) -> str:
    labels = sorted(t.label for t in access.threads)
    return labels[0] if labels else "caller"


def _statement_to_wrap(access) -> nodes.NodeNG:
    """The access's statement, or the `if` that tests the same attribute around it
    (`if self._t is not None: self._t.join()` is taken under the lock as a whole)."""
    statement = access.statement
    parent = statement.parent
    while isinstance(parent, nodes.If | nodes.While) and statement in parent.body:
        names = {
            getattr(n, "attrname", getattr(n, "name", None))
            for n in parent.test.nodes_of_class((nodes.Attribute, nodes.Name))
        }
        if access.key.name not in names:
            break
        statement, parent = parent, parent.parent
    return statement
