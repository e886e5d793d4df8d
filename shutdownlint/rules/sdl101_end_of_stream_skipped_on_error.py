"""SDL101 end-of-stream-skipped-on-error

## What it does
Finds an exit that skips the end-of-stream signal a queue's consumer waits for:
an early `return` in a stop/close method before it puts the end sentinel, or an
exception (or early exit) that ends a producer before it puts the sentinel its
consumer stops on. The producer owes it whichever thread runs it: a worker, or
the function that starts the consumer and feeds it itself. Code that puts the
sentinel on its way out of a failure (`except BaseException: q.put(END); raise`) or in
a `finally:` owes it on every exit; the only code of the module that ends a stream owes
it once it has fed its first item, even where another method started the consumer. A
loop that puts one sentinel per consumer covers them all; a consumer that gives up on
a timeout (`get(timeout=...)` whose `except queue.Empty:` leaves) waits for no marker,
and a path that cancels the consumer's task ends its wait. A producer owes the marker
however its own input ended (`if header is None: return` is no stop request, nor is a
parameter flag its caller passed, `if dry_run: return`); only its own stop state (its
object's flag, its stop event) is. The queue a `Thread` subclass takes from in `run()`
(`self.inbox`) is the queue a function feeds through the instance it made and started
(`packer.inbox.put(...)`).

## Why is this bad?
The consumer blocks in `get()` until it sees the sentinel. When the producer or
the stop method leaves without putting it, nothing wakes the consumer: it
blocks forever, and whoever joins it at shutdown hangs too. Closing a
`multiprocessing.Queue` does not wake a blocked `get()`.

## Example
```python
import queue
import threading


class Uploader:
    def __init__(self):
        self.requests = queue.Queue()
        self.connection = None
        self.thread = threading.Thread(target=self._send_all)
        self.thread.start()

    def _send_all(self):
        while True:
            request = self.requests.get()
            if request is None:
                return
            print("sending", request)

    def close(self):
        if self.connection is None:
            return
        self.requests.put(None)
        self.thread.join(timeout=5.0)
```

## Use instead
```python
import queue
import threading


class Uploader:
    def __init__(self):
        self.requests = queue.Queue()
        self.connection = None
        self.thread = threading.Thread(target=self._send_all)
        self.thread.start()

    def _send_all(self):
        while True:
            request = self.requests.get()
            if request is None:
                return
            print("sending", request)

    def close(self):
        if self.connection is not None:
            self.connection.close()
        self.requests.put(None)
        self.thread.join(timeout=5.0)
```

A producer worker puts the sentinel in a `finally:` block, so that an error in
the stream still ends it; from Python 3.13, `queue.shutdown()` wakes every
consumer too.

## Fix safety
Display-only (no edit is mechanical): where the sentinel goes depends on the
protocol between the producer and its consumer.
"""

from __future__ import annotations

import dataclasses

from astroid import nodes

from shutdownlint.analysis.facts import ModuleFacts
from shutdownlint.analysis.infer import (
    FunctionLike,
    enclosing_function,
    in_finally,
    last_name,
    sole_definition,
    walk,
)
from shutdownlint.analysis.lifecycle import is_test
from shutdownlint.analysis.operations import operations
from shutdownlint.analysis.ownership import (
    Identity,
    Local,
    Tracker,
    guard_of,
    identity,
    is_sentinel,
    own_nodes,
    refers_to,
)
from shutdownlint.analysis.paths import LeakKind, Obligation, Raising
from shutdownlint.analysis.schedulers import Subject
from shutdownlint.analysis.starts import group_block, passed_in, running_from
from shutdownlint.analysis.stop_requests import STOP_NAMES, stop_request
from shutdownlint.analysis.vocabulary import IDENTITY_CALLS, Kind
from shutdownlint.findings import Fix
from shutdownlint.rules.base import Rule, RuleContext
from shutdownlint.rules.release_fixes import LifecycleLeak, exit_phrase


class EndOfStreamSkippedOnError(Rule):
    code = "SDL101"
    name = "end-of-stream-skipped-on-error"
    message = "`{queue}` gets no end sentinel when {exit}: its consumer blocks in `get()` forever"
    fix_title = "put the end sentinel on every path out (in a `finally:` block)"

    def visit_functiondef(self, node: nodes.FunctionDef, ctx: RuleContext) -> None:
        for leak in _sentinel_leaks(ctx.facts, node):
            fix = self.fix_title
            if ctx.facts.options.target_version >= (3, 13):
                fix += f", or call `{leak.subject}.shutdown()`"
            ctx.report(
                self,
                leak.leak.node,
                related=leak.related,
                fix=Fix(fix),
                queue=leak.subject,
                exit=exit_phrase(leak),
            )

    visit_asyncfunctiondef = visit_functiondef


# -- the decision: which exits skip the end sentinel ---------------------------------------
def _sentinel_leaks(facts: ModuleFacts, function: FunctionLike) -> list[LifecycleLeak]:
    """Exits of `function` that skip the end sentinel it owes a queue's consumer: an
    early return of a stop method, or any exit of a worker producing the stream."""
    entry = facts.contexts.worker_context(function)
    is_producer = entry is not None and entry.function is function
    puts = _sentinel_puts(facts, function, entry if is_producer else None)
    if not puts or is_test(function):
        return []
    is_stop = facts.contexts.shutdown_function(function) is not None
    out = []
    for ident, put in puts.items():
        abandoned: frozenset[nodes.NodeNG] = frozenset()
        consumer = facts.lifecycle.consumers.get(ident)
        if consumer is None and is_producer:
            passed = passed_in(entry, ident)
            consumer = facts.lifecycle.consumers.get(passed) if passed is not None else None
        idents = facts.lifecycle.aliases(function, frozenset({ident}))
        queue = operations(Kind.QUEUE)
        tracker = Tracker(idents, queue.release, hand_over=False, sentinel_queue=True)
        releasing = facts.lifecycle.releasing_statements(function, tracker)
        lines = [n.lineno or 0 for n in releasing]
        if not lines:
            continue
        # A function that puts the marker in a `finally:`, or on its way out of a
        # failure (`except BaseException: q.put(END); raise`), declares it owed on every
        # exit; an early return owes it too, as in a stop method (a consumer started
        # elsewhere, by another method, waits for it).
        declared = (
            not is_stop
            and not is_producer
            and consumer is not None
            and any(_owed_on_failure(n, function) for n in releasing)
            and not _starts_consumer(facts, function, consumer)
        )
        if is_stop or declared:
            obligation = Obligation(
                tracker.releases,
                raising=Raising.NONE,
                void=tracker.void,
                exempt=lambda exit, idents=idents: _lifecycle_guard(
                    facts, guard_of(exit, function), function, idents
                ),
            )
        elif consumer is not None and _produces_data(facts, function, idents):
            # The producer owes the marker on every path, whichever thread runs it: a
            # worker, or the caller that started the consumer and feeds it itself (from
            # the statement that starts the consumer: before it, nobody waits).
            start = None
            relevant = None
            # the worker that runs the consumer's code: its own entry, or the worker that
            # calls it (`writer()` started here calls `self.poll()`, which takes)
            consuming = enclosing_function(consumer)
            starts = [*facts.contexts.starts_of(consuming)]
            if consuming is not None and consuming.root() is not function.root():
                starts += facts.foreign_workers.starts_of(consuming)  # another module's
            worker = facts.contexts.worker_context(consumer)
            if worker is not None:
                starts.append(worker)
                starts += _subclass_instances(worker, function)
            running = next((e for e in starts if enclosing_function(e.site) is function), None)
            if running is None and not is_producer:
                # A caller that did not start the consumer owes it nothing, unless it is
                # the only code that ends the stream: then it owes the end on every path
                # once it has begun the stream (before its first item, the consumer waits
                # for the next caller as it did before the call).
                if not _sole_end(facts, function, ident):
                    continue
                start = _first_feed(facts, function, idents)
            if running is not None:
                start = running_from(running, function, _constructed(facts, running))
                if start is None:
                    continue  # made here but started elsewhere, if at all
                task = _consumer_task(running, function)
                if task is not None:
                    # A path that cancels the consumer's task ends its wait: it owes no
                    # end marker (`except BaseException: consumer.cancel(); raise`).
                    tracker.other = ((frozenset({task}), operations(Kind.TASK).release),)
                abandoned = _consumer_abandoned(facts, function, running, start)
                group = group_block(running.site)
                if group is not None:
                    # what raises in the group's body cancels the consumer with it
                    relevant = lambda point, group=group: not _inside(point, group)  # noqa: E731
            obligation = Obligation(
                tracker.releases,
                start=start,
                relevant=relevant,
                void=tracker.void,
                # the source a producer worker streams fails as it is iterated; a caller's
                # own loop fails at its calls
                iteration_raises=is_producer,
                exempt=lambda exit: stop_request(
                    guard_of(exit, function), function, input_ends=False
                ),
            )
        else:
            continue
        subject = put.func.expr.as_string()
        related = [(put, "the end sentinel is put only here")]
        if consumer is not None:
            related.append((consumer, "the consumer stops only on the sentinel"))
        queue_info = facts.kinds.kind_of(put.func.expr)
        if queue_info is not None and queue_info.creations:
            related.append((queue_info.creations[0], "the queue is made here"))
        for leak in facts.lifecycle.leaks(function, obligation, before=max(lines)):
            if leak.node in abandoned:
                continue  # the consumer it started is left running there: SDL103's finding
            out.append(
                LifecycleLeak(
                    leak,
                    function,
                    subject,
                    Kind.QUEUE,
                    None,
                    tuple(related),
                    release=put.as_string(),
                )
            )
    return out


def _sentinel_puts(
    facts: ModuleFacts, function: FunctionLike, entry=None
) -> dict[Identity, nodes.Call]:
    """{queue: the put} for each end sentinel `function` puts on a queue (`entry`:
    how `function` runs as a worker, to follow a queue passed to it)."""
    found: dict[Identity, nodes.Call] = {}
    for node in facts.lifecycle.own(function):
        if not (
            isinstance(node, nodes.Call)
            and isinstance(node.func, nodes.Attribute)
            and node.func.attrname in operations(Kind.QUEUE).put
            and node.args
            and is_sentinel(node.args[0])
        ):
            continue
        queue = node.func.expr
        ident = identity(queue)
        if ident is None:
            continue
        info = facts.kinds.kind_of(queue)
        if info is not None and info.kind is not Kind.QUEUE:
            continue
        if (
            info is None
            and ident not in facts.lifecycle.consumers
            and "q" not in (last_name(queue) or "").lower()
            and (entry is None or passed_in(entry, ident) not in facts.lifecycle.consumers)
        ):
            continue
        found.setdefault(ident, node)
    return found


def _produces_data(facts: ModuleFacts, function: FunctionLike, idents: frozenset) -> bool:
    """The worker puts items other than the sentinel on the queue and takes none."""
    takes = any(
        isinstance(node, nodes.Call)
        and isinstance(node.func, nodes.Attribute)
        and node.func.attrname in operations(Kind.QUEUE).get
        and refers_to(node.func.expr, idents)
        for node in facts.lifecycle.own(function)
    )
    return not takes and next(_data_puts(facts, function, idents), None) is not None


def _first_feed(facts: ModuleFacts, function: FunctionLike, idents: frozenset) -> nodes.NodeNG:
    """The statement that puts the first item (not the sentinel) on the queue."""
    return next(_data_puts(facts, function, idents)).statement()


def _data_puts(facts: ModuleFacts, function: FunctionLike, idents: frozenset):
    """`function`'s puts of items other than the sentinel on the queue, in order."""
    return (
        node
        for node in facts.lifecycle.own(function)
        if isinstance(node, nodes.Call)
        and isinstance(node.func, nodes.Attribute)
        and node.func.attrname in operations(Kind.QUEUE).put
        and refers_to(node.func.expr, idents)
        and node.args
        and not is_sentinel(node.args[0])
    )


def _sole_end(facts: ModuleFacts, function: FunctionLike, ident) -> bool:
    """No other function of the module puts the end sentinel on the queue: `function`
    is the one that ends its stream."""
    return not any(
        ident in _sentinel_puts(facts, other)
        for other in facts.contexts.nodes_by_function
        if other is not None and other is not function
    )


def _consumer_task(running, function: FunctionLike) -> Local | None:
    """The local of `function` that holds the task running the consumer (`consumer =
    create_task(drain(q))`), when the consumer runs as a task."""
    site = running.site
    statement = site.parent
    if not (
        isinstance(statement, nodes.Assign)
        and statement.value is site
        and len(statement.targets) == 1
        and isinstance(statement.targets[0], nodes.AssignName)
        and last_name(site.func) in ("create_task", "ensure_future")
    ):
        return None
    return Local(function, statement.targets[0].name)


def _owed_on_failure(put: nodes.NodeNG, function: FunctionLike) -> bool:
    """`put` is in a `finally:` block of `function` itself, or in a handler that
    re-raises (`except BaseException: q.put(END); raise`): released on the way out of
    a failure as well as at the end."""
    if in_finally(put, function):
        return True
    node = put
    while node.parent is not None and node.parent is not function:
        parent = node.parent
        if (
            isinstance(parent, nodes.ExceptHandler)
            and parent.body
            and isinstance(parent.body[-1], nodes.Raise)
            and parent.body[-1].exc is None
        ):
            return True
        node = parent
    return False


def _starts_consumer(facts: ModuleFacts, function: FunctionLike, consumer: nodes.NodeNG) -> bool:
    """`function` starts the worker that runs `consumer` (its own `running` case)."""
    starts = [*facts.contexts.starts_of(enclosing_function(consumer))]
    worker = facts.contexts.worker_context(consumer)
    if worker is not None:
        starts.append(worker)
    return any(enclosing_function(e.site) is function for e in starts)


def _lifecycle_guard(
    facts: ModuleFacts, test: nodes.NodeNG | None, function: FunctionLike, queue: frozenset
) -> bool:
    """An early return that is correct in a stop method: it tests the queue itself, the
    process or thread identity (a fork guard), a lifecycle flag of the object
    (`if not self._started`, `if self._closed`) or of one of its workers, or an attribute
    the method sets (idempotence). A collaborator's state (`if self._client.closed`) is
    none of these: the consumer still waits for the marker."""
    if test is None:
        return False
    assigned = {n.attrname for n in own_nodes(function) if isinstance(n, nodes.AssignAttr)}
    for node in walk(test):
        if isinstance(node, nodes.Name | nodes.Attribute) and refers_to(node, queue):
            return True
        if isinstance(node, nodes.Call) and last_name(node.func) in IDENTITY_CALLS | {"is_alive"}:
            return True
        if (
            isinstance(node, nodes.Attribute)
            and _owner_lifecycle(facts, node.expr)
            and (
                node.attrname in assigned
                or STOP_NAMES.search(node.attrname)
                or "start" in node.attrname.lower()
                or "open" in node.attrname.lower()
                or _set_as_worker_ends(facts, function, node.attrname)
            )
        ):
            return True
    return False


def _set_as_worker_ends(facts: ModuleFacts, function: FunctionLike, attribute: str) -> bool:
    """Outside the constructor, `self.<attribute>` is only set by a worker of the class as
    it ends (in an exception handler or a `finally:` of the worker's code): the flag says
    the worker, the consumer, is gone (`except BaseException: self.error_occurred = True`)."""
    cls = function.parent
    if not isinstance(cls, nodes.ClassDef):
        return False
    writes = [
        node
        for method in cls.mymethods()
        if method.name != "__init__"
        for node in own_nodes(method)
        if isinstance(node, nodes.AssignAttr)
        and node.attrname == attribute
        and isinstance(node.expr, nodes.Name)
        and node.expr.name == "self"
    ]
    return bool(writes) and all(
        facts.contexts.worker_context(write) is not None and _in_exit_region(write)
        for write in writes
    )


def _in_exit_region(node: nodes.NodeNG) -> bool:
    """`node` runs as its function ends by an exception or in any case: in an exception
    handler or a `finally:` block."""
    child, parent = node, node.parent
    while parent is not None and not isinstance(parent, FunctionLike):
        if isinstance(parent, nodes.ExceptHandler):
            return True
        if isinstance(parent, nodes.Try) and child in parent.finalbody:
            return True
        child, parent = parent, parent.parent
    return False


def _owner_lifecycle(facts: ModuleFacts, owner: nodes.NodeNG) -> bool:
    """`owner` is the object itself (`self`, a module) or one of its workers, whose flags
    tell whether anybody consumes."""
    if not isinstance(owner, nodes.Attribute):
        return True
    info = facts.kinds.kind_of(owner)
    return info is not None and info.kind in _WORKERS


_WORKERS = frozenset({Kind.THREAD, Kind.PROCESS, Kind.TASK, Kind.EXECUTOR})


def _subclass_instances(worker, function: FunctionLike) -> list:
    """The `run()` of a `Thread` (or `Process`) subclass runs where `function` makes an
    instance of it (`uploader = Uploader(link)`, then `uploader.start()`): that worker,
    sited at each such construction."""
    if not isinstance(worker.site, nodes.ClassDef):
        return []
    found = []
    for node in own_nodes(function):
        if (
            isinstance(node, nodes.Call)
            and isinstance(node.func, nodes.Name)
            and sole_definition(node.func) is worker.site
        ):
            found.append(dataclasses.replace(worker, site=node))
    return found


def _constructed(facts: ModuleFacts, entry) -> bool:
    """The worker is an object its site constructs (a Thread, a Process, an instance of
    their subclass): it runs once started, not when made."""
    if entry.base is not None and isinstance(entry.site, nodes.Call):
        return True  # an instance of a subclass (`_subclass_instances`)
    row = facts.contexts.scheduler_of(entry.site) if isinstance(entry.site, nodes.Call) else None
    return row is not None and row.guard.subject is Subject.CONSTRUCTED


def _consumer_abandoned(
    facts: ModuleFacts, function: FunctionLike, running, start: nodes.NodeNG
) -> frozenset[nodes.NodeNG]:
    """The raise points where `function` leaves the consumer worker it started running
    (neither joined nor cancelled): there the leaked worker is the finding, not its
    marker (one finding per spot)."""
    statement = running.site.statement()
    target = statement.targets[0] if isinstance(statement, nodes.Assign) else None
    if not isinstance(target, nodes.AssignName) or statement.value is not running.site:
        return frozenset()
    info = facts.kinds.kind_of(running.site)
    if info is None:
        return frozenset()
    idents = facts.lifecycle.aliases(function, frozenset({Local(function, target.name)}))
    tracker = Tracker(
        idents,
        facts.lifecycle.release_methods(info, info.kind),
        escaping=facts.lifecycle.escaping(function),
    )
    if not facts.lifecycle.releases_somewhere(tracker, function, statement.lineno or 0):
        return frozenset()  # fire and forget: only its marker ends it
    obligation = Obligation(
        tracker.releases, start=start, void=tracker.void, cancellation=info.kind is Kind.TASK
    )
    return frozenset(
        leak.node
        for leak in facts.lifecycle.leaks(function, obligation)
        if leak.kind in (LeakKind.EXCEPTION, LeakKind.RAISE)
    )


def _inside(node: nodes.NodeNG, block: nodes.AsyncWith) -> bool:
    """`node` is in the body of `block`."""
    while node.parent is not None and node.parent is not block:
        node = node.parent
    return node.parent is block and node in block.body
