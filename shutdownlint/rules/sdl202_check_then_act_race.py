"""SDL202 check-then-act-race

## What it does
Finds a test of shared state followed by an action that relies on it, with no lock
held across both: `if self._thread is None: self._thread = Thread(...)`, `if key not
in self._cache: self._cache[key] = ...`, a check before handing a callback to
another thread that then uses the state without checking again, a branch that claims
a flag and then publishes work (`if not self._loaded: self._loaded = True; self._m =
load()`), and a save-and-restore of a module global that two callers can interleave.
A guard clause is its check (`if self._running: return`, then `self._running = True`
and a start is a claim), and work done before a constant store that marks it done is
a claim too (`if self._homed: return; home(); self._homed = True`); a constructor's
check of the instance's own state races with nothing.
A busy flag claimed under a lock (`with L: if self._busy: return; self._busy = True`)
is held like a lock until it is cleared, and a lock taken by `acquire(blocking=False)`
in an `if` or `while` condition is held in its body.

## Why is this bad?
Between the check and the act another thread can pass the same check (two monitor
threads get started, two connections are made and one leaks) or change the state
(a stream closed by `stop()` is flushed by a callback that assumed it open). With a
save-and-restore, two callers that overlap restore each other's values and the
global is left with the wrong one for good.

Reported only with evidence that two threads run it: the thread map shows the
function running on two threads at once; or the state is class-level (shared by
every instance) or a module global and the function takes a lock for its other
state; or the state's other writes hold a lock and the act changes a container or
creates a worker or resource; for the deferred shape, a shutdown path clears the
state the callback uses. Setting a flag to a constant (an idempotent act),
double-checked locking (the test is repeated under the lock), creating the lock
itself, and fork checks are not reported.

## Example
```python
import threading


class Monitors:
    _lock = threading.Lock()
    _instances = []
    monitor = None

    def __new__(cls, *args, **kwargs):
        instance = object.__new__(cls)
        with cls._lock:
            cls._instances.append(instance)
        if cls.monitor is None:
            cls.monitor = threading.Thread(target=print, daemon=True)
            cls.monitor.start()
        return instance
```

## Use instead
```python
import threading


class Monitors:
    _lock = threading.Lock()
    _instances = []
    monitor = None

    def __new__(cls, *args, **kwargs):
        instance = object.__new__(cls)
        with cls._lock:
            cls._instances.append(instance)
            if cls.monitor is None:
                cls.monitor = threading.Thread(target=print, daemon=True)
                cls.monitor.start()
        return instance
```

For a callback handed to another thread, test the state again inside the callback
(on the thread that also clears it) instead of asserting it.

## Fix safety
Display-only (no edit is mechanical): which lock to take, and how far the region
must reach, is a decision for the author (a suggestion only).
"""

from __future__ import annotations

from astroid import nodes

from shutdownlint.analysis.races import CheckShape, CheckThenAct
from shutdownlint.findings import Fix
from shutdownlint.rules.base import Rule, RuleContext
from shutdownlint.rules.race_words import concurrency_words, thread_origins

_WHAT = {
    CheckShape.CLASSIC: "is checked and then acted on without one lock held across both",
    CheckShape.DEFERRED: (
        "is used by a callback that relies on a check made on another thread, "
        "without checking again"
    ),
    CheckShape.SAVE_RESTORE: (
        "is saved, replaced and restored without a lock: overlapping callers restore "
        "each other's values"
    ),
}
_ADVICE = {
    CheckShape.CLASSIC: (
        "hold one lock across the check and the act (test again under the lock if the "
        "first test stays outside)"
    ),
    CheckShape.DEFERRED: (
        "test the state again inside the callback and return if it is gone, instead of "
        "relying on the caller's check"
    ),
    CheckShape.SAVE_RESTORE: (
        "hold a lock across the save, the change and the restore, or keep the value in "
        "a `contextvars.ContextVar` / `threading.local`"
    ),
}


class CheckThenActRace(Rule):
    code = "SDL202"
    name = "check-then-act-race"
    message = "`{state}` {what} ({why})"
    fix_title = "hold one lock across the check and the act that relies on it"

    def visit_module(self, node: nodes.Module, ctx: RuleContext) -> None:
        for record in ctx.facts.races.check_then_acts:
            self._report(record, ctx)

    def _report(self, record: CheckThenAct, ctx: RuleContext) -> None:
        related = _evidence(record)
        why = record.why
        if why.overlap is not None:
            related += thread_origins(why.overlap.mine, why.overlap.theirs)
        if why.guard is not None:
            guarded = why.guard.first_write
            related.append((guarded.statement, f"`{why.guard.shown}` is held here"))
        ctx.report(
            self,
            record.check,
            related=related,
            fix=Fix(_ADVICE[record.shape]),
            state=record.access.name,
            what=_WHAT[record.shape],
            why=concurrency_words(why),
        )


def _evidence(record: CheckThenAct) -> list[tuple[nodes.NodeNG, str]]:
    """The related locations of a check-then-act: where it acts (or where the callback
    that acts is handed on, or where the saved state is replaced and restored)."""
    if record.shape is CheckShape.SAVE_RESTORE:
        replaced, restored = record.acts
        return [
            (replaced.statement, f"`{record.access.name}` is replaced here"),
            (restored.statement, "and restored here: another caller's value may be lost"),
        ]
    why = record.why
    if record.shape is CheckShape.DEFERRED and record.checked is not None:
        check, write = record.checked, why.cleared_by
        found = [
            (check.node, f"`{check.name}` is checked here in `{check.where}`"),
            (why.handed_to, "then the callback is handed to another thread here"),
        ]
        if write is not None:
            found.append((write.statement, f"`{write.where}` sets it to None on a shutdown path"))
        return found
    return [(a.statement, f"acts on `{a.name}` here") for a in record.acts[:2]]
