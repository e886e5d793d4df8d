"""SDL203 unguarded-read-modify-write

## What it does
Finds `self.x += ...` (or `self.x = self.x + ...`, `d[k] = d.get(k, 0) + 1`, a module
global through `global`) with no lock held, where two threads can run it, or where
the state's other writes hold a lock. A helper's locks are counted per calling thread:
one that every thread-run caller calls under a thread lock (and the event loop under an
`asyncio.Lock`) is not run by two threads at once.

## Why is this bad?
A read-modify-write is three steps: read the value, compute, store. Two threads
running them at once both read the old value and one update is lost: two messages
get the same id, a counter drifts, a reference count never reaches zero. The GIL
does not make `+=` atomic, and free-threaded CPython makes the window wider.

Reported when the thread map shows two threads that can run the update at once (a
worker and the caller, two executor workers, a worker that calls user callbacks
with the object, so that the public API is called from its thread as well), or
when the state's other writes take a lock (the author expects concurrent callers).
A counter only one thread ever writes is not reported, however many read it.

## Example
```python
from concurrent.futures import ThreadPoolExecutor


class Server:
    def __init__(self):
        self.handled = 0
        self._pool = ThreadPoolExecutor(max_workers=4)

    def submit(self, job):
        return self._pool.submit(self._handle, job)

    def _handle(self, job):
        result = job()
        self.handled += 1
        return result
```

## Use instead
```python
import threading
from concurrent.futures import ThreadPoolExecutor


class Server:
    def __init__(self):
        self.handled = 0
        self._handled_lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=4)

    def submit(self, job):
        return self._pool.submit(self._handle, job)

    def _handle(self, job):
        result = job()
        with self._handled_lock:
            self.handled += 1
        return result
```

## Fix safety
Unsafe, and offered only when one lock guards the state's other writes: the edit
wraps the update in `with <that lock>:`. Holding the lock can block the thread, or
deadlock if the code under it takes another lock in the opposite order. No edit
(and the help says why) where a function of the class waits (`join()`, `wait()`,
`result()`) while it holds that lock, or the code that starts the thread does.
"""

from __future__ import annotations

from astroid import nodes

from shutdownlint.analysis.races import ReadModifyWrite
from shutdownlint.rules.base import Rule, RuleContext, short_source
from shutdownlint.rules.lock_fixes import lock_text, wait_holding, with_lock_fix
from shutdownlint.rules.race_words import overlap_words, thread_origins, thread_phrase


class UnguardedReadModifyWrite(Rule):
    code = "SDL203"
    name = "unguarded-read-modify-write"
    message = "`{update}` updates shared `{state}` without a lock: {why}"
    fix_title = "hold the lock that guards `{state}` around the update (add one if there is none)"

    def visit_module(self, node: nodes.Module, ctx: RuleContext) -> None:
        for race in ctx.facts.races.read_modify_writes:
            self._report(race, ctx)

    def _report(self, race: ReadModifyWrite, ctx: RuleContext) -> None:
        access, overlap, guard = race.access, race.overlap, race.guard
        where = access.where
        if overlap.other is None:
            why = overlap_words(where, overlap)
        else:
            why = (
                f"`{where}` runs on {thread_phrase(overlap.mine)} and `{overlap.other.where}` "
                f"updates it on {thread_phrase(overlap.theirs)}"
            )
        related: list[tuple[nodes.NodeNG | None, str]] = []
        if overlap.other is not None:
            held = " under the lock" if overlap.other.held.guarded else ""
            related.append((overlap.other.statement, f"also updated here{held}"))
        related += thread_origins(overlap.mine, overlap.theirs)
        lock = None
        if guard is not None:
            why += f"; `{guard.shown}` guards its other writes"
            related.append((guard.accesses[0].statement, f"`{guard.shown}` is held here"))
            if guard.only:
                lock = lock_text(guard.lock, guard.shown, access.node)
        fields = {"update": short_source(access.statement), "state": access.name, "why": why}
        title = self.fix_title.format(**fields)
        if lock is not None:
            title = f"hold `{lock}` around the update, as the other writes do"
        ctx.report(
            self,
            access.statement,
            related=related,
            fix=with_lock_fix(
                ctx,
                access.statement,
                lock,
                title,
                wait_holding(ctx, access, guard.lock) if lock and guard else None,
            ),
            **fields,
        )
