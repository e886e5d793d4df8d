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
(`conn.close()`, directly or through a helper it hands them to, or by handing each to
an object the class keeps: `self._fleet.release(car)`), also through any
value built from the container (a copy, a view, `itertools.chain(a, b)`, `a + b`,
`[*a, *b]`, a comprehension, the items of its items). A shutdown that takes no lock
is reported only when the thread map shows the add running on another thread that the
shutdown does not join before it empties the container (a join orders every add before
the emptying), or (asyncio) when an `await` lies between the adder's test of the closed
flag and its add: another task can run the whole `close()` there. Any test, under the same lock,
of an attribute `close()` writes under it counts as the re-check: a closed flag, a
generation or pool id. Where the container's own removal path tests a flag the shutdown
sets and releases what it removes on that branch (`if self._closing: conn.close()`), a
late item is released when it comes back, and the add is not reported.

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

from dataclasses import dataclass
from enum import Enum

from astroid import nodes

from shutdownlint.analysis.facts import ModuleFacts
from shutdownlint.analysis.infer import (
    FunctionLike,
    enclosing_class,
    enclosing_function,
    property_reads,
    self_attr,
    walk,
)
from shutdownlint.analysis.operations import Holder, adding_methods, operations
from shutdownlint.analysis.ownership import own_nodes
from shutdownlint.analysis.teardown import Clear, ClosedContainer
from shutdownlint.analysis.threadmap import concurrent_pair
from shutdownlint.analysis.vocabulary import ThreadRole
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
        for record in adds_after_close(ctx.facts):
            self._report(record, ctx)

    def _report(self, record: _AddAfterClose, ctx: RuleContext) -> None:
        container = record.container
        lock = container.lock_shown
        flags = [f"`self.{name}`" for name, _ in container.flags[:2]]
        flag = " or ".join(flags) if flags else "a closed flag"
        if record.how is AddRace.AFTER_AWAIT:
            how = (
                f"after an `await`, without testing {flag} again since (another task can "
                "run the whole close while this one awaits)"
            )
            advice = (
                f"re-check {flag} after the last `await` before adding, and close the item "
                "instead when closed"
            )
        elif record.how is AddRace.DURING_AWAIT:
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
            if lock is None:
                related.append((write, f"`self.{name}` is set here"))
            else:
                related.append((write, f"`self.{name}` is set here under `{lock}`"))
        if record.interleaving is not None:
            related.append(
                (record.interleaving, f"`{closer}()` can run to completion while this awaits")
            )
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


# -- the decision: which adds can land after close() -----------------------------------
class AddRace(str, Enum):
    """Why an add can land after close() emptied the container."""

    UNLOCKED = "unlocked"  # close() empties it under a lock the add does not take
    NO_RECHECK = "no-recheck"  # the add takes the lock but tests nothing close() sets there
    OTHER_THREAD = "other-thread"  # no lock at all, and the add runs on another thread
    DURING_AWAIT = "during-await"  # asyncio: close() awaits before emptying; no flag test
    AFTER_AWAIT = "after-await"  # asyncio: the add's own test is followed by an await


@dataclass(frozen=True)
class _AddAfterClose:
    """SDL401: an add to a container that shutdown empties, with no re-check under its lock."""

    container: ClosedContainer
    add: nodes.NodeNG  # the adding statement
    function: FunctionLike
    how: AddRace
    interleaving: nodes.NodeNG | None = None  # the await between the test and the add


def adds_after_close(facts: ModuleFacts) -> list[_AddAfterClose]:
    """The adds this rule reports (SDL201 leaves them to it: one finding per spot)."""
    found = []
    for cls in facts.teardown.classes:
        containers = facts.teardown.closed_containers(cls)
        if not containers:
            continue
        closers = set(facts.teardown.closers(cls))
        for function in facts.shared_state.functions_of(cls):
            if function in closers or facts.threads.is_init_only(function):
                continue
            if facts.contexts.runs_alone(function):
                continue
            for add in _adds(facts.contexts.nodes_of(function), containers):
                record = _check_add(facts, add, function, containers[_added_name(add)])
                if record is not None:
                    found.append(record)
    return found


def _check_add(facts: ModuleFacts, add: nodes.NodeNG, function, container: ClosedContainer):
    statement = add if add.is_statement else add.statement()
    held = facts.locks.held_at(statement)
    flags = {name for name, _ in container.flags}
    flags |= _flag_properties(enclosing_class(statement), flags)
    if _removal_releases_when_closed(facts, enclosing_class(statement), container, flags):
        return None
    if container.lock is not None:
        if not held.holds(container.lock):
            return _AddAfterClose(container, statement, function, AddRace.UNLOCKED)
        if flags and facts.locks.tests_before(statement, flags, container.lock):
            return None
        return _AddAfterClose(container, statement, function, AddRace.NO_RECHECK)
    # A shutdown that takes no lock: only with proof that the add runs on another
    # thread than the shutdown, or (asyncio) while the shutdown awaits before it
    # empties the container; and no test of its flags before the add.
    if any(_mentions_before(statement, flags)):
        # In asyncio every `await` is a point where the whole close() of another task can
        # run: a test of the flag holds only until the adder's next await (SPEC SDL401).
        interleaving = _await_since_test(statement, flags, function)
        if interleaving is not None:
            return _AddAfterClose(container, statement, function, AddRace.AFTER_AWAIT, interleaving)
        return None
    closer_threads = frozenset(
        t for c in container.clears for t in facts.threads.threads_of(c.function)
    )
    adders = facts.threads.threads_of(function)
    if concurrent_pair(adders, closer_threads) is not None and not _joined_first(
        facts, adders, container
    ):
        return _AddAfterClose(container, statement, function, AddRace.OTHER_THREAD)
    if any(_awaits_before(clear) for clear in container.clears):
        return _AddAfterClose(container, statement, function, AddRace.DURING_AWAIT)
    return None


def _joined_first(facts: ModuleFacts, adders, container: ClosedContainer) -> bool:
    """Every add runs on a worker thread that the shutdown joins before it empties the
    container (`stop()`: set the event, `self._thread.join()`, then close and clear):
    the join orders every add before the emptying, so nothing is added after it."""
    if not adders or any(t.role is not ThreadRole.THREAD for t in adders):
        return False
    return all(facts.order.joins_before(c.function, c.node, adders) for c in container.clears)


_TAKES = operations(Holder.CONTAINER).take  # pop, popleft, popitem: the item returned
_REMOVES = _TAKES | operations(Holder.CONTAINER).remove  # remove(x), discard(x)
_RELEASES = frozenset({"close", "release", "terminate", "shutdown", "cancel", "kill"})


def _removal_releases_when_closed(
    facts: ModuleFacts, cls: nodes.ClassDef | None, container: ClosedContainer, flags: set[str]
) -> bool:
    """Every removal path of the container (`release(conn)`: `self._used.remove(conn)`)
    tests a flag the shutdown sets and, on that branch, releases the item it removed
    (`if self._closing: conn.close()`): an item added after the shutdown is released
    when it is removed, as every item is, so the add leaks nothing. A removal path that
    hands items out again (a checkout popping the idle deque) does not."""
    if cls is None or not flags:
        return False
    # what the shutdown does to each item it takes out (`boat.moor()`), or any release
    releases = set(_RELEASES) | {
        call.func.attrname
        for call in container.cleaned.nodes_of_class(nodes.Call)
        if isinstance(call.func, nodes.Attribute)
    }
    closers = set(facts.teardown.closers(cls))
    removals = 0
    for function in facts.shared_state.functions_of(cls):
        if function in closers:
            continue
        own = facts.contexts.nodes_of(function)
        for removed in _removed_items(own, container.name):
            removals += 1
            if not any(
                isinstance(node, nodes.If)
                and _tests(node.test, flags)
                and any(
                    isinstance(call.func, nodes.Attribute)
                    and call.func.attrname in releases
                    and call.func.expr.as_string() == removed
                    for statement in node.body
                    for call in statement.nodes_of_class(nodes.Call)
                )
                for node in own
            ):
                return False
    return removals > 0


def _removed_items(own: list[nodes.NodeNG], name: str) -> list[str]:
    """The items `self.<name>` gives up in a function, as written: the argument of
    `self.<name>.remove(x)` / `.discard(x)`, the target of `x = self.<name>.pop(...)`."""
    found = []
    for node in own:
        if not (
            isinstance(node, nodes.Call)
            and isinstance(node.func, nodes.Attribute)
            and node.func.attrname in _REMOVES
            and self_attr(node.func.expr)
            and node.func.expr.attrname == name
        ):
            continue
        if node.func.attrname in _TAKES:
            parent = node.parent
            target = parent.targets[0] if isinstance(parent, nodes.Assign) else None
            found.append(target.as_string() if target is not None else "")
        else:
            found.append(node.args[0].as_string() if node.args else "")
    return found


def _adds(body: list[nodes.NodeNG], containers) -> list[nodes.NodeNG]:
    """The adds to `containers` among a function's own nodes."""
    found = []
    for node in body:
        if (
            isinstance(node, nodes.Call)
            and isinstance(node.func, nodes.Attribute)
            and node.func.attrname in adding_methods()
            and self_attr(node.func.expr)
            and node.func.expr.attrname in containers
        ) or (
            isinstance(node, nodes.Subscript)
            and self_attr(node.value)
            and node.value.attrname in containers
            and isinstance(node.parent, nodes.Assign)
            and node in node.parent.targets
        ):
            found.append(node)
    return found


def _added_name(add: nodes.NodeNG) -> str:
    if isinstance(add, nodes.Call):
        return add.func.expr.attrname
    return add.value.attrname


def _flag_properties(cls: nodes.ClassDef | None, flags: set[str]) -> set[str]:
    """Properties of the class that read a flag (`closed` -> `self._closed`)."""
    if cls is None:
        return set()
    return {name for name, reads in property_reads(cls).items() if reads & flags}


def _mentions_before(statement: nodes.NodeNG, names: set[str]):
    function = enclosing_function(statement)
    for node in walk(function):
        if (
            isinstance(node, nodes.If)
            and (node.lineno or 0) < (statement.lineno or 0)
            and any(isinstance(n, nodes.Attribute) and n.attrname in names for n in walk(node.test))
        ):
            yield node


def _await_since_test(
    statement: nodes.NodeNG, flags: set[str], function: FunctionLike
) -> nodes.NodeNG | None:
    """The first `await` (or `async for`/`async with`) on the way from the nearest test of
    a flag that `statement` depends on (an enclosing `if`/`while`, or a guard clause
    before it) to `statement` itself; None when there is none, or no such test is found
    (a test that is not on the way decides nothing here)."""
    if not isinstance(function, nodes.AsyncFunctionDef):
        return None
    found: list[nodes.NodeNG] = list(_own_awaits(statement))
    node = statement
    while node is not function and node.parent is not None:
        parent = node.parent
        block = _block_of(parent, node)
        for sibling in reversed(block[: block.index(node)] if node in block else []):
            if isinstance(sibling, nodes.If) and _tests(sibling.test, flags):
                return _first(found)
            found.extend(_own_awaits(sibling))
        if isinstance(parent, nodes.If | nodes.While) and node is not parent.test:
            if _tests(parent.test, flags):
                return _first(found)
            found.extend(_own_awaits(parent.test))
        elif isinstance(parent, nodes.AsyncFor | nodes.AsyncWith):
            found.append(parent)
        elif isinstance(parent, nodes.For):
            found.extend(_own_awaits(parent.iter))
        elif isinstance(parent, nodes.With):
            for item, _ in parent.items:
                found.extend(_own_awaits(item))
        node = parent
    return None


def _block_of(parent: nodes.NodeNG, child: nodes.NodeNG) -> list[nodes.NodeNG]:
    """The statement list of `parent` that holds `child`."""
    for field in ("body", "orelse", "handlers", "finalbody"):
        block = getattr(parent, field, None)
        if isinstance(block, list) and child in block:
            return block
    return []


def _tests(test: nodes.NodeNG, flags: set[str]) -> bool:
    return any(isinstance(n, nodes.Attribute) and n.attrname in flags for n in walk(test))


def _own_awaits(root: nodes.NodeNG) -> list[nodes.NodeNG]:
    return [
        n for n in own_nodes(root) if isinstance(n, nodes.Await | nodes.AsyncFor | nodes.AsyncWith)
    ]


def _first(found: list[nodes.NodeNG]) -> nodes.NodeNG | None:
    return min(found, key=lambda n: (n.lineno or 0, n.col_offset or 0)) if found else None


def _awaits_before(clear: Clear) -> bool:
    """The clearing coroutine awaits before it empties the container: other tasks run
    in between."""
    function = clear.function
    if not isinstance(function, nodes.AsyncFunctionDef):
        return False
    return any(
        isinstance(node, nodes.Await | nodes.AsyncFor | nodes.AsyncWith)
        and enclosing_function(node) is function
        and (node.lineno or 0) < (clear.node.lineno or 0)
        for node in walk(function)
    )
