"""SDL403 consumer-stopped-before-producers

## What it does
Finds a shutdown method that stops a worker others depend on before it stops what
depends on it: it joins, cancels or signals the thread or task that consumes a
queue (or sends it the end sentinel, or shuts the queue down) and only later stops
the threads, tasks or executor jobs of the same class that put into that queue; or
it stops a thread that runs an event loop before closing the resources registered
on that loop, whose `close()` has to run on the loop.

## Why is this bad?
A producer still running after its consumer is gone blocks forever on the full
queue (or its items are silently lost), and the shutdown that waits for it hangs.
A resource whose `close()` schedules its cleanup onto the loop cannot be closed
once the loop has stopped: the close only times out and the registration leaks.
Stop the producers first, then drain and stop the consumer; close what lives on a
loop before stopping the loop.

Only the class's own workers count as producers (found through the threads, tasks
and executor jobs it starts, also those started into a group: `self._ts.append(
create_task(...))`, `self._ts[k] = Thread(...)`, stopped by a loop over the group or a
copy of it); abort-style methods (`terminate`, `kill`, `cancel`,
`abort`), where dropping work is the intent, are not checked.

## Example
```python
import queue
import threading


class Pipeline:
    def __init__(self):
        self._queue = queue.Queue(maxsize=100)
        self._stop_reading = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._writer = threading.Thread(target=self._write, daemon=True)

    def _read(self):
        while not self._stop_reading.is_set():
            self._queue.put(object(), timeout=1.0)

    def _write(self):
        while True:
            item = self._queue.get()
            if item is None:
                break

    def stop(self):
        self._queue.put(None, timeout=1.0)
        self._writer.join(timeout=5.0)
        self._stop_reading.set()
        self._reader.join(timeout=5.0)
```

## Use instead
```python
import queue
import threading


class Pipeline:
    def __init__(self):
        self._queue = queue.Queue(maxsize=100)
        self._stop_reading = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._writer = threading.Thread(target=self._write, daemon=True)

    def _read(self):
        while not self._stop_reading.is_set():
            self._queue.put(object(), timeout=1.0)

    def _write(self):
        while True:
            item = self._queue.get()
            if item is None:
                break

    def stop(self):
        self._stop_reading.set()
        self._reader.join(timeout=5.0)
        self._queue.put(None, timeout=1.0)
        self._writer.join(timeout=5.0)
```

## Fix safety
Display-only (no edit is mechanical): reordering a shutdown can change what is
flushed; the suggestion says which statements to move.
"""

from __future__ import annotations

from dataclasses import dataclass

from astroid import nodes

from shutdownlint.analysis.facts import ModuleFacts
from shutdownlint.analysis.infer import FunctionLike, StateKey, walk
from shutdownlint.analysis.loop_bound import (
    LOOP_RELEASES,
    loop_bound_attributes,
    loop_bound_fields,
)
from shutdownlint.analysis.ownership import covered
from shutdownlint.analysis.teardown import (
    Stop,
    StopHow,
    Worker,
    iterated_attr,
    loop_attributes,
    loop_binding,
    self_attr,
)
from shutdownlint.analysis.vocabulary import Kind, ThreadRole
from shutdownlint.findings import Fix
from shutdownlint.rules.base import Rule, RuleContext, short_source

#: How the message says what the statement does to the worker.
_HOW = {
    StopHow.JOIN: "joins",
    StopHow.STOP: "stops",
    StopHow.CANCEL: "cancels",
    StopHow.SIGNAL: "signals",
    StopHow.SENTINEL: "sends the end sentinel to",
    StopHow.QUEUE_SHUTDOWN: "shuts down the queue of",
    StopHow.EXECUTOR_SHUTDOWN: "shuts down the executor of",
    StopHow.LOOP_STOP: "stops",
}


class ConsumerStoppedBeforeProducers(Rule):
    code = "SDL403"
    name = "consumer-stopped-before-producers"
    message = "`{stop}` {how} `{worker}` in `{method}` too early: {why}"
    fix_title = "stop the producers first, then drain and stop the consumer"

    def visit_module(self, node: nodes.Module, ctx: RuleContext) -> None:
        for record in _early_stops(ctx.facts):
            self._report(record, ctx)

    def _report(self, record: EarlyStop, ctx: RuleContext) -> None:
        stop = record.stop
        worker = stop.worker
        if stop.how is StopHow.LOOP_STOP:
            name = f"self.{worker.handle}" if worker.handle else "the loop thread"
            advice = "close the resources registered on the loop before stopping its thread"
            related = [(n, "this close needs the loop running") for n in record.dependents[:2]]
        else:
            if stop.how is StopHow.STOP and worker.handle:
                name = f"self.{worker.handle}"  # `self._consumer.stop()`: the object it stops
            else:
                name = getattr(worker.function, "name", "the consumer")
            advice = self.fix_title
            related = [(n, "a producer is only stopped here") for n in record.dependents[:2]]
        related.append((worker.site, "the worker is started here"))
        ctx.report(
            self,
            stop.node,
            related=related,
            fix=Fix(advice),
            stop=short_source(stop.node),
            how=_HOW[stop.how],
            worker=name,
            method=getattr(record.method, "name", "<lambda>"),
            why=record.why,
        )


# -- the decision: which stops come too early ----------------------------------------------
def _references(owner: nodes.ClassDef, resource: nodes.ClassDef) -> bool:
    """The owner names the resource class: `x_class = Type(R)`, `self.x = R(...)`."""
    return any(isinstance(n, nodes.Name) and n.name == resource.name for n in walk(owner))


def _short(node: nodes.NodeNG) -> str:
    text = " ".join(node.as_string().split())
    return text if len(text) <= 50 else text[:47] + "..."


#: Shutdown method names where dropping work is the intent (abort semantics).
_ABORTS = frozenset({"terminate", "kill", "cancel", "abort"})


@dataclass(frozen=True)
class EarlyStop:
    """SDL403: a shutdown stops a worker before what depends on it."""

    method: FunctionLike
    stop: Stop
    dependents: tuple[nodes.NodeNG, ...]  # where the producers are stopped, or resources
    why: str


def _early_stops(facts: ModuleFacts) -> list[EarlyStop]:
    found = []
    for cls in facts.teardown.classes:
        for method in facts.teardown.shutdown_methods(cls):
            if method.name.lstrip("_").lower() in _ABORTS:
                continue
            found.extend(_consumer_first(facts, method))
    found.extend(_loop_stopped_first(facts))
    found.extend(_scheduled_after_loop_stop(facts))
    return found


def _consumer_first(facts: ModuleFacts, method: FunctionLike) -> list[EarlyStop]:
    stops = facts.teardown.stop_order(method)
    found = []
    reported = set()
    for index, stop in enumerate(stops):
        consumer = stop.worker
        if not consumer.consumes or id(consumer) in reported:
            continue
        later = []
        for other in stops[index + 1 :]:
            producer = other.worker
            if producer is consumer or not (producer.produces & consumer.consumes):
                continue
            if any(s.worker is producer and s.node is stop.node for s in stops):
                continue  # one statement (a shared flag) stops both at once
            if producer.consumes & consumer.consumes:
                continue  # both sides of the same queue: a pipeline stage, not a producer
            if any(s.worker is producer for s in stops[: index + 1]):
                continue  # already stopped before
            later.append(other)
        if later:
            reported.add(id(consumer))
            queue = sorted(later[0].worker.produces & consumer.consumes)[0]
            producer = getattr(later[0].worker.function, "name", "<lambda>")
            why = f"`{producer}` still puts into `self.{queue}` until it is stopped later"
            found.append(EarlyStop(method, stop, tuple(o.node for o in later), why))
    return found


def _scheduled_after_loop_stop(facts: ModuleFacts) -> list[EarlyStop]:
    """`self._loop.call_soon_threadsafe(self._loop.stop)` (or joining the thread that
    runs it) and then, later in the same shutdown, work scheduled onto that loop:
    it will never run."""
    found = []
    for cls in facts.teardown.classes:
        loops = loop_attributes(cls)
        if not loops:
            continue
        bound: dict[str, dict[str, nodes.NodeNG]] = {}  # per loop, on first use
        fields: dict[str, dict[str, frozenset[str]]] = {}
        for method in facts.teardown.shutdown_methods(cls):
            stop = None
            for node in facts.teardown.inlined(method, cls, depth=0):
                if stop is None:
                    loop = _stops_loop(facts, node, loops, cls)
                    if loop is not None:
                        stop = (node, loop)
                    continue
                why = None
                if _schedules_onto(facts, node, stop[1]):
                    why = (
                        f"`{_short(node)}` later schedules work onto `self.{stop[1]}`, "
                        "which no longer runs it"
                    )
                else:
                    if stop[1] not in bound:
                        bound[stop[1]] = loop_bound_attributes(facts.contexts, cls, stop[1])
                        fields[stop[1]] = loop_bound_fields(facts.contexts, cls, stop[1])
                    held = _releases_bound(node, bound[stop[1]], fields[stop[1]])
                    if held is not None:
                        why = (
                            f"`{_short(node)}` later releases `self.{held}`, made on "
                            f"`self.{stop[1]}`: only that loop can release it, and it no "
                            "longer runs"
                        )
                if why is not None:
                    worker = Worker(
                        method, node, stop[1], None, frozenset(), frozenset(), frozenset()
                    )
                    found.append(
                        EarlyStop(method, Stop(stop[0], worker, StopHow.LOOP_STOP), (node,), why)
                    )
                    break
    return found


def _releases_bound(
    node: nodes.NodeNG,
    bound: dict[str, nodes.NodeNG],
    fields: dict[str, frozenset[str]],
) -> str | None:
    """The loop-bound attribute `node` releases directly (not scheduled onto the loop):
    `self._writer.close()`, `for w in self._writers: w.close()`, through views and
    copies (`ownership.covered`); a field of an item that holds an object made on the
    loop (`for link in self._links.values(): link.stream.close()`)."""
    if not (
        isinstance(node, nodes.Call)
        and isinstance(node.func, nodes.Attribute)
        and node.func.attrname in LOOP_RELEASES
    ):
        return None
    receiver = node.func.expr
    if self_attr(receiver) and receiver.attrname in bound:
        return receiver.attrname
    if (
        isinstance(receiver, nodes.Attribute)
        and isinstance(receiver.expr, nodes.Name)
        and (loop := loop_binding(receiver.expr)) is not None
    ):
        visited = covered(loop.iter)
        for ident in visited.containers | visited.items:
            if isinstance(ident, StateKey) and receiver.attrname in fields.get(ident.name, ()):
                return ident.name
        return None
    if isinstance(receiver, nodes.Name) and (loop := loop_binding(receiver)) is not None:
        visited = covered(loop.iter)
        for ident in visited.containers | visited.items:
            if isinstance(ident, StateKey) and ident.name in bound:
                return ident.name
    return None


def _stops_loop(facts: ModuleFacts, node: nodes.NodeNG, loops: set[str], cls) -> str | None:
    if not (isinstance(node, nodes.Call) and isinstance(node.func, nodes.Attribute)):
        return None
    func = node.func
    if func.attrname == "stop" and self_attr(func.expr) and func.expr.attrname in loops:
        return func.expr.attrname
    row = facts.contexts.scheduler_of(node)
    if row is not None and node.args:
        callee = node.args[0]
        if (
            isinstance(callee, nodes.Attribute)
            and callee.attrname == "stop"
            and self_attr(callee.expr)
            and callee.expr.attrname in loops
        ):
            return callee.expr.attrname
    return None


def _schedules_onto(facts: ModuleFacts, node: nodes.NodeNG, loop: str) -> bool:
    if not isinstance(node, nodes.Call):
        return False
    row = facts.contexts.scheduler_of(node)
    if row is None or row.role is not ThreadRole.LOOP:
        return False
    receiver = node.func.expr if isinstance(node.func, nodes.Attribute) else None
    mentioned = [receiver, *node.args, *(k.value for k in node.keywords or ())]
    return any(self_attr(m) and m.attrname == loop for m in mentioned if m is not None)


def _loop_stopped_first(facts: ModuleFacts) -> list[EarlyStop]:
    loop_threads = [c for c in facts.contexts.class_defs if facts.teardown.drives_loop(c)]
    if not loop_threads:
        return []
    # A loop thread whose own stop() schedules `loop.stop` is no resource of its own.
    resources = [
        c for c in facts.contexts.class_defs if c not in loop_threads and _closes_on_loop(facts, c)
    ]
    if not resources:
        return []
    found = []
    for owner in facts.teardown.classes:
        owned = [r for r in resources if r is not owner and _references(owner, r)]
        if not owned:
            continue
        methods = list(facts.teardown.shutdown_methods(owner))
        helpers = {  # helpers another shutdown method calls are judged inlined there
            callee
            for m in methods
            for callee, _ in facts.contexts.direct_call_graph.get(m, ())
            if callee is not m
        }
        for method in methods:
            if method in helpers:
                continue
            if method.name.lstrip("_").lower() in _ABORTS:
                continue
            record = _loop_stop(facts, method, owner, loop_threads, owned)
            if record is not None:
                found.append(record)
    return found


def _loop_stop(facts: ModuleFacts, method, owner, loop_threads, owned) -> EarlyStop | None:
    closed_before = False
    for node in facts.teardown.inlined(method, owner, depth=0):
        if not (isinstance(node, nodes.Call) and isinstance(node.func, nodes.Attribute)):
            continue
        receiver = node.func.expr
        if (  # `for sub in self._subs: sub.close()` closes them first
            facts.teardown.is_release(node)
            and isinstance(receiver, nodes.Name)
            and (loop := loop_binding(receiver)) is not None
            and iterated_attr(loop.iter) is not None
        ):
            closed_before = True
            continue
        if node.func.attrname in ("stop", "join") and self_attr(receiver):
            thread_class = facts.teardown.class_of_attribute(owner, receiver.attrname)
            if thread_class in loop_threads:
                if closed_before:
                    return None
                worker = Worker(
                    thread_class.locals["run"][0],
                    thread_class,
                    receiver.attrname,
                    Kind.THREAD,
                    frozenset(),
                    frozenset(),
                    frozenset(),
                )
                why = (
                    f"`{thread_class.name}` runs the event loop that "
                    f"`{owned[0].name}.close()` needs: close them before stopping it"
                )
                related = tuple(facts.teardown.loop_closes(owned[0]))
                return EarlyStop(method, Stop(node, worker, StopHow.LOOP_STOP), related, why)
        if facts.teardown.is_release(node) and self_attr(receiver):
            closed_before = True
    return None


def _closes_on_loop(facts: ModuleFacts, cls: nodes.ClassDef) -> bool:
    """A class whose close schedules work onto an event loop's thread (it can only be
    released by that loop)."""
    return bool(facts.teardown.loop_closes(cls))
