"""SDL201 unguarded-shared-attribute

## What it does
Finds an access to an attribute (or a module global rebound through `global`)
that breaks the locking protocol of its class, when it can run on another thread
than the accesses it breaks against:

- **lockset**: the attribute's writes after the constructor take a lock L (or its
  reads do); this access, on another thread, does not, and the lock would change
  what can happen: iterating or changing a container in place while others change it
  under L, using a value others clear under L, the class's own thread storing it
  without the lock the callers' writes take, or a caller clearing it between two
  reads of one critical section on L (a test, then a use);
- **class-level**: the class guards its other state with a lock and this attribute,
  which no access locks, with none, while one of the class's own threads writes a
  computed value into it and another thread reads it twice (a check, then a use).

A class that takes a thread lock (made in the class, or handed to its constructor)
is built for concurrent callers: its public methods may run on several caller
threads at once, concurrently with each other and with its own threads. Assigning to
a property runs its setter on the assigning thread (`self.mode = m` from the class's
own thread). The fields of a collaborator whose lock the class takes around them
(`with self._vat.lock: self._vat.litres -= x`) are shared state with that lock as
their protocol.

## Why is this bad?
The lock only protects what every thread does under it. A loop over a dict that
another thread resizes raises `RuntimeError: dictionary changed size during
iteration`; a `stop()` that walks the job stores without the lock shuts them down
while the scheduler thread is still using them; `self._thread.join()` fails with
`AttributeError` when another thread has just cleared `self._thread`; a flag
stored or read outside the lock that orders everything else about it lets a
caller act on a state the lock was meant to exclude.

Reported once per attribute, at its first such write on a worker thread (else its
first such access), with the accesses that hold the lock and the threads that race
as related locations. Not reported: code in `__init__`, a test's `setUp`, before
`Thread.start()` or before the function hands work to another thread (a start, a
submit, a queue put, an event set: happens-before), or before it hands on a callback
within which the other access runs (to a scheduler, an event source, a stream: the
callback cannot run through that hand-off before it is made); `__del__` and fork handlers;
accesses ordered by a `join()` of the other thread; a lone read (it sees the old
value or the new one, lock or not: what a stale read costs is SDL202's); a caller's
lone store (a section that read the attribute once ends as if the store came after
it, lock or not); a store followed, on its path, by the writer's own critical
section on the lock; iterating
an immutable snapshot (copy-on-write tuples); methods of objects that synchronise
themselves (queues, events, `deque.append`); uses in a `try` that catches what a
cleared value raises; a container slot keyed by the current thread's identity.

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

from dataclasses import replace

from astroid import nodes

from shutdownlint.analysis.races import Protocol, UnguardedAccess
from shutdownlint.rules.base import Rule, RuleContext
from shutdownlint.rules.lock_fixes import lock_text, wait_holding, with_lock_fix
from shutdownlint.rules.race_words import thread_label, thread_origins
from shutdownlint.rules.sdl401_add_after_close import adds_after_close

_RELATED_GUARDED = 3
# The class-level clause's advice (the lockset one is the rule's fix title).
_CLASS_ADVICE = "hold `{lock}` where `{state}` is written and where it is read"


class UnguardedSharedAttribute(Rule):
    code = "SDL201"
    name = "unguarded-shared-attribute"
    message = "`{state}` is {verb} in `{where}` ({context}) {breach}"
    fix_title = "hold `{lock}` around this access, as the other accesses do"

    def visit_module(self, node: nodes.Module, ctx: RuleContext) -> None:
        records = ctx.facts.races.unguarded_accesses
        if records and "SDL401" in ctx.selected:
            # An add after close() emptied the container is SDL401's finding, not a
            # second one here (one finding per spot): the attribute's next access speaks.
            adds = {r.add: r.function for r in adds_after_close(ctx.facts)}
            records = [_without(r, adds) for r in records]
        for record in records:
            if record is not None:
                self._report(record, ctx)

    def _report(self, record: UnguardedAccess, ctx: RuleContext) -> None:
        access, guard = record.access, record.guard
        other = record.overlap.other if record.overlap and record.overlap.other else None
        if record.protocol is Protocol.LOCKSET and (other is None or not other.held.guarded):
            other = guard.first_write
        other_context = (
            thread_label(record.overlap.theirs)
            if record.overlap and record.overlap.other is other
            else _context(other)
        )
        related: list[tuple[nodes.NodeNG | None, str]] = []
        if record.protocol is Protocol.CLASS:
            related.append(
                (other.statement, f"{other.kind.verb} here in `{other.where}` without a lock")
            )
            guarded = guard.first_write
            related.append(
                (
                    guarded.statement,
                    f"the class guards `{guarded.name}` with `{guard.shown}` here",
                )
            )
        else:
            ordered = sorted(guard.accesses, key=lambda a: (not a.kind.writes, a is not other))
            for guarded in ordered[:_RELATED_GUARDED]:
                related.append(
                    (
                        guarded.statement,
                        f"{guarded.kind.verb} here in `{guarded.where}` under the lock",
                    )
                )
        if record.overlap is not None:
            related += thread_origins(record.overlap.mine, record.overlap.theirs)
        for more in record.others[:2]:
            related.append((more.statement, f"also {more.kind.verb} without the lock here"))
        statement = _statement_to_wrap(access)
        # The other unguarded accesses in the same block are taken under the lock too.
        block = [statement] + [
            sibling
            for more in record.others
            if more.function is access.function
            and (sibling := _sibling_in(statement, _statement_to_wrap(more))) is not None
        ]
        block.sort(key=lambda s: s.lineno)
        statement, through = block[0], block[-1]
        # Class-level: the reads need the lock as much as this write, so no one-spot edit.
        lock = (
            lock_text(guard.lock, guard.shown, access.node)
            if guard.only and record.protocol is Protocol.LOCKSET
            else None
        )
        if record.protocol is Protocol.CLASS:
            breach = (
                f"with no lock while `{other.where}` ({other_context}) reads it; the class "
                f"guards its other state with `{guard.shown}`"
            )
        else:
            other_verb = "changes" if other.kind.writes else "accesses"
            breach = (
                f"without `{guard.shown}`, which guards its {other_verb} in "
                f"`{other.where}` ({other_context})"
            )
        fields = {
            "state": access.name,
            "verb": access.kind.verb,
            "where": access.where,
            "context": _context(access, record),
            "lock": guard.shown,
            "breach": breach,
        }
        ctx.report(
            self,
            access.node,
            related=related,
            fix=with_lock_fix(
                ctx,
                statement,
                lock,
                (_CLASS_ADVICE if record.protocol is Protocol.CLASS else self.fix_title).format(
                    **fields
                ),
                wait_holding(ctx, access, guard.lock) if lock else None,
                through,
            ),
            **fields,
        )


def _without(record: UnguardedAccess, adds: dict) -> UnguardedAccess | None:
    """The record without the accesses that are SDL401's: the add, and the checks the
    adding function makes before it (`if self.closed: return`)."""

    def part_of_add(access) -> bool:
        return access.statement in adds or any(
            function is access.function and (access.node.lineno or 0) <= (add.lineno or 0)
            for add, function in adds.items()
        )

    if not part_of_add(record.access):
        return record
    rest = [a for a in record.others if not part_of_add(a)]
    if not rest:
        return None
    return replace(record, access=rest[0], others=tuple(rest[1:]), overlap=None)


def _context(access, record: UnguardedAccess | None = None) -> str:
    """The thread an access runs on, as the message names it."""
    if record is not None and record.access is access:
        if record.on_shutdown_path:
            return "shutdown path"
        if record.overlap is not None:
            return thread_label(record.overlap.mine)
    labels = sorted(thread_label(t) for t in access.threads)
    return labels[0] if labels else "caller"


def _sibling_in(statement: nodes.NodeNG, other: nodes.NodeNG) -> nodes.NodeNG | None:
    """`other`, or the statement containing it, in the block of `statement`."""
    while other is not None and other.parent is not statement.parent:
        other = other.parent
    return other if other is not None and other.is_statement else None


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
