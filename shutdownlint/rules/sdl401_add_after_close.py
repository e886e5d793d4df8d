"""SDL401 add-after-close

## What it does
Finds a method that adds to a container (`c[k] = v`, `append`, `add`, `setdefault`,
`update`, `put`, `extend`, `insert`) which the class's `close()`/`stop()`/
`shutdown()` empties and whose items it closes one by one, when the add does not
hold the lock `close()` empties it under, or holds it without re-checking the
closed flag (or generation counter) that `close()` sets under that lock.

## Why is this bad?
`close()` takes the lock, marks the object closed, moves the items out and closes
them. An add that reaches the lock a moment later puts its item into the emptied
container of a closed object: nobody will ever close it, and its connection,
socket or thread leaks. A check of the closed flag made before taking the lock
does not help: `close()` can run between the check and the add.

Reported only for containers whose removed items `close()` releases one by one
(`conn.close()`, directly or through a helper it hands them to). A shutdown that
takes no lock is reported only when the thread map shows the add running on
another thread. Any test, under the same lock, of an attribute `close()` writes
under it counts as the re-check: a closed flag, a generation or pool id.

## Example
```python
import threading


class Pool:
    def __init__(self):
        self._lock = threading.Lock()
        self._closed = False
        self._idle = []

    def put_back(self, conn):
        if self._closed:
            conn.close()
            return
        with self._lock:
            self._idle.append(conn)

    def close(self):
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()
```

## Use instead
```python
import threading


class Pool:
    def __init__(self):
        self._lock = threading.Lock()
        self._closed = False
        self._idle = []

    def put_back(self, conn):
        with self._lock:
            if not self._closed:
                self._idle.append(conn)
                return
        conn.close()

    def close(self):
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()
```

## Fix safety
Display-only (no edit is mechanical): the re-check needs a decision about the
item (close it, or raise). The suggestion names the lock and the flag.
"""

from __future__ import annotations

from astroid import nodes

from shutdownlint.analysis import teardown
from shutdownlint.analysis.teardown import AddRace
from shutdownlint.findings import Fix
from shutdownlint.rules.base import Rule, RuleContext, short_source


class AddAfterClose(Rule):
    code = "SDL401"
    name = "add-after-close"
    message = (
        "`{add}` in `{where}` adds to `self.{container}` {how}: `{closer}()` empties it "
        "and releases what it took out, so an item added after that is never released"
    )
    fix_title = (
        "take the lock `close()` uses, re-check the closed flag under it before adding, and "
        "close the item instead when closed"
    )

    def visit_module(self, node: nodes.Module, ctx: RuleContext) -> None:
        for record in ctx.facts.teardown.adds_after_close:
            self._report(record, ctx)

    def _report(self, record: teardown.AddAfterClose, ctx: RuleContext) -> None:
        container = record.container
        lock = container.lock_shown
        flags = [f"`self.{name}`" for name, _ in container.flags[:2]]
        flag = " or ".join(flags) if flags else "a closed flag"
        if record.how is AddRace.DURING_AWAIT:
            how = f"without testing {flag}, while `close()` may be awaiting before it empties it"
            advice = f"test {flag} before adding, and close the item instead when closed"
        elif record.how is AddRace.OTHER_THREAD:
            how = "from another thread than the one that closes it, with no lock"
            advice = (
                f"guard `self.{container.name}` with one lock in `close()` and here, and "
                f"re-check {flag} under it before adding"
            )
        elif record.how is AddRace.NO_RECHECK:
            how = f"under `{lock}` without re-checking {flag} there"
            advice = (
                f"re-check {flag} inside `with {lock}:` before adding, and close the item "
                "instead when closed"
            )
        else:
            how = f"without holding `{lock}`"
            advice = (
                f"add under `{lock}` and re-check {flag} there first; close the item instead "
                "when closed"
            )
        clear = container.clears[0]
        closer = getattr(clear.function, "name", "close")
        related: list[tuple[nodes.NodeNG | None, str]] = [
            (clear.node, f"`{closer}()` empties `self.{container.name}` here"),
            (container.cleaned, "and releases the items it took out here"),
        ]
        for name, write in container.flags[:2]:
            related.append((write, f"`self.{name}` is set here under `{lock}`"))
        ctx.report(
            self,
            record.add,
            related=related,
            fix=Fix(advice),
            add=short_source(record.add),
            where=getattr(record.function, "name", "<lambda>"),
            container=container.name,
            how=how,
            closer=closer,
        )
