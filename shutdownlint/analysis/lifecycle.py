"""Lifecycle facts (for the SDL1xx rules): what a function or a class owns, and what
releases or hands it over.

Built on the exception-path model of `paths` and the ownership facts of `ownership`
(identity, the Tracker). Per function: a value's aliases, the local containers that
escape, the exits that leave an obligation unreleased (`leaks`), whether a release
or a hand-over happens at all. Per module: what is waited on with no timeout and
where it is released (hand-shakes whose releasers run elsewhere), the queues whose
consumer stops on the end sentinel, the queues joined on `task_done()`. Per class:
its stop methods, the sockets and workers it keeps in attributes, and whether some
method releases them.

Which of these make a finding, and how the message says it, is each rule's decision
(rules/sdl101..sdl105). Release operations per kind are the rows of
`operations.OPERATIONS`, extended by the `release` list of `[tool.shutdownlint.types]`.
"""

from __future__ import annotations

import contextlib
import re
from collections import Counter
from collections.abc import Iterator
from functools import cached_property

from astroid import nodes
from astroid.exceptions import AstroidError

from shutdownlint.analysis.blocking import BLOCKING_CALLS, Blocking, Wait, timeout_state
from shutdownlint.analysis.contexts import Contexts, is_shutdown_name
from shutdownlint.analysis.foreign_consumers import ForeignWorkers
from shutdownlint.analysis.infer import (
    FunctionLike,
    StateKey,
    assigned_name,
    assigned_targets,
    class_held_by,
    decorator_names,
    enclosing_class,
    enclosing_function,
    is_self_parameter,
    last_name,
    lookup,
    made_by_one_call,
    self_getattr_name,
    walk,
)
from shutdownlint.analysis.kinds import KindInfo, Kinds, attribute_values
from shutdownlint.analysis.operations import (
    Holder,
    adding_methods,
    operations,
)
from shutdownlint.analysis.options import AnalysisOptions
from shutdownlint.analysis.ownership import (
    BORROWING,
    Identity,
    Local,
    Tracker,
    compares_to_sentinel,
    consumed_until_sentinel,
    covered,
    ends_consuming,
    handed_to_awaiters,
    identity,
    made_members,
    named_like_future,
    own_nodes,
    parameters_bound,
    queue_taken_by,
    refers_to,
    returned,
    taken_from_queue,
)
from shutdownlint.analysis.paths import (
    Leak,
    LeakKind,
    Obligation,
    RaiseModel,
    Release,
    catches,
    is_logging_call,
    statements,
    unreleased_exits,
)
from shutdownlint.analysis.starts import passed_in
from shutdownlint.analysis.summaries import (
    AWAITING_CALLS,
    Summaries,
    is_abstract,
    raises_not_implemented,
)
from shutdownlint.analysis.vocabulary import BoundState, Flavor, Kind, TimeoutState

_WAITABLE_KINDS = frozenset({Kind.EVENT, Kind.FUTURE, Kind.CONDITION})
# The blocking methods of those kinds (awaits aside): rows of analysis/blocking.py.
_WAITABLE_METHODS = frozenset({"wait", "wait_for", "result", "exception"})
# Cheap first filters: a call can only make a socket, a server or a worker if its name
# says so (inference, which builds imported modules, runs only on those). The stems cover
# the socket/server and worker rows of KNOWN_TYPES (a test checks it), and the helper
# names real code wraps them in (`_connect_sock`, `make_server`, `spawn`).
SOCKET_NAME_STEMS = ("sock", "server", "connect", "accept", "dup", "pair", "listen", "fromfd")
WORKER_NAME_STEMS = (
    "thread", "process", "timer", "executor", "pool", "popen", "task", "future", "spawn",
    "worker", "start", "transport",
)  # fmt: skip


def named_like(call: nodes.Call, stems: tuple[str, ...]) -> bool:
    name = (last_name(call.func) or "").lower()
    return any(stem in name for stem in stems)


class Lifecycle:
    """What the functions and classes of one module own and release (a per-module fact,
    per function cached)."""

    def __init__(
        self,
        module: nodes.Module,
        options: AnalysisOptions,
        kinds: Kinds,
        contexts: Contexts,
        blocking: Blocking,
        summaries: Summaries,
        stats: Counter[str],
        foreign: ForeignWorkers,
    ) -> None:
        self._module = module
        self._foreign = foreign  # workers whose function another project module defines
        self._summaries = summaries
        self._options = options
        self._kinds = kinds
        self._contexts = contexts
        self._blocking = blocking
        self._stats = stats
        self._raises = RaiseModel(options.raises_on, never_raises=self._blocking_queue_op)
        self._escaping: dict[FunctionLike, frozenset[str]] = {}
        self._own_cache: dict[nodes.NodeNG, list[nodes.NodeNG]] = {}
        # Configured types are named like nothing the stems know: let them through too.
        mapped = tuple(m.qname.rsplit(".", 1)[-1].lower() for m in options.types)
        self.socket_stems = SOCKET_NAME_STEMS + mapped
        self.worker_stems = WORKER_NAME_STEMS + mapped

    # -- per function: aliases, escapes, exits that leak ---------------------------------------
    def _blocking_queue_op(self, node: nodes.Call | nodes.Await) -> bool:
        """`q.put(item)` / `q.get()` with no timeout on a `queue` module queue: it blocks
        until it can proceed and raises nothing (a multiprocessing queue can: closed, or
        an item that does not pickle; not for a constant end marker, `q.put(None)`).
        `await q.put(item)` on an unbounded asyncio
        queue never suspends, so neither a failure nor a cancellation can reach it."""
        call = node.value if isinstance(node, nodes.Await) else node
        if not isinstance(call, nodes.Call):
            return False
        func = call.func
        if not isinstance(func, nodes.Attribute) or func.attrname not in ("put", "get"):
            return False
        if call.keywords or len(call.args) != (1 if func.attrname == "put" else 0):
            return False
        try:
            info = self._kinds.kind_of(func.expr)
        except (AstroidError, RecursionError):
            return False
        if info is None or info.kind is not Kind.QUEUE or info.mapping is not None:
            return False
        if isinstance(node, nodes.Await):
            return (
                info.flavor is Flavor.ASYNCIO
                and func.attrname == "put"
                and self._kinds.queue_bound(info).state is BoundState.UNBOUNDED
            )
        if (
            info.flavor is Flavor.MULTIPROCESSING
            and func.attrname == "put"
            and isinstance(call.args[0], nodes.Const)
        ):
            return True  # a constant pickles: only a queue the program closed refuses it
        return info.flavor is Flavor.THREADING and info.qname.startswith(("queue.", "_queue."))

    def exits_of(self, function: FunctionLike, obligation: Obligation) -> list[Leak]:
        leaks = unreleased_exits(function, obligation, self._raises)
        if leaks is None:
            self._stats["gave_up"] += 1
            return []
        return leaks

    @staticmethod
    def first_exception_only(leaks: list[Leak]) -> list[Leak]:
        """One exception-path finding per object and function (the first raise point);
        every explicit exit is its own finding (SPEC §2)."""
        out, seen_exception = [], False
        for leak in leaks:
            if leak.kind is LeakKind.EXCEPTION:
                if seen_exception:
                    continue
                seen_exception = True
            out.append(leak)
        return out

    def release_methods(self, info: KindInfo | None, kind: Kind) -> frozenset[str]:
        methods = operations(kind).release | operations(kind).ended
        if info is not None and info.mapping is not None:
            methods |= frozenset(info.mapping.release)
        return methods

    def own(self, root: nodes.NodeNG) -> list[nodes.NodeNG]:
        """`own_nodes(root)`, kept for functions (asked about again by every rule)."""
        cached = self._own_cache.get(root)
        if cached is None:
            cached = list(own_nodes(root))
            if isinstance(root, FunctionLike):
                self._own_cache[root] = cached
        return cached

    def escaping(self, function: FunctionLike) -> frozenset[str]:
        """Local names whose value outlives the call: returned, yielded or stored."""
        cache = self._escaping
        if function not in cache:
            found = set()
            for node in self.own(function):
                returned = isinstance(node, nodes.Return | nodes.Yield) and node.value is not None
                stored = isinstance(node, nodes.Assign) and any(
                    isinstance(t, nodes.AssignAttr | nodes.Subscript) for t in node.targets
                )
                if returned or stored:
                    found.update(n.name for n in walk(node.value) if isinstance(n, nodes.Name))
            cache[function] = frozenset(found)
        return cache[function]

    def _functions(self) -> Iterator[FunctionLike]:
        for node in self._contexts.all_nodes:
            if isinstance(node, nodes.FunctionDef | nodes.AsyncFunctionDef):
                yield node

    def aliases(self, function: FunctionLike, idents: frozenset[Identity]) -> frozenset[Identity]:
        """`idents` and the locals of `function` assigned straight from them (`s = sock`)."""
        found = set(idents)
        for node in self.own(function):
            if (
                isinstance(node, nodes.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], nodes.AssignName)
                and isinstance(node.value, nodes.Name | nodes.Attribute)
                and refers_to(node.value, frozenset(found))
            ):
                found.add(Local(function, node.targets[0].name))
        return frozenset(found)

    def leaks(
        self,
        function: FunctionLike,
        obligation: Obligation,
        before: int | None = None,
    ) -> list[Leak]:
        """The leaking exits, one exception finding at most; with `before`, only those on
        lines before it (exits after the release are none of this obligation's)."""
        leaks = self.exits_of(function, obligation)
        if before is not None:
            leaks = [leak for leak in leaks if (leak.node.lineno or 0) < before]
        return self.first_exception_only(leaks)

    def releasing_statements(self, function: FunctionLike, tracker: Tracker) -> list[nodes.NodeNG]:
        """The statements of `function` that release (or hand over) what `tracker` follows,
        in the order of `own`."""
        return [
            n
            for n in self.own(function)
            if n.is_statement and tracker.releases(n) is not Release.NO
        ]

    def releases_somewhere(self, tracker: Tracker, scope: nodes.NodeNG, after: int = 0) -> bool:
        """Whether any statement of `scope` after line `after` releases or hands over."""
        return any(
            tracker.releases(node) is not Release.NO
            for node in self.own(scope)
            if node.is_statement and (node.lineno or 0) > after
        )

    @staticmethod
    def hands_over(tracker: Tracker, function: FunctionLike, after: int) -> bool:
        """Whether a statement after line `after` hands the object over (returns, stores
        or passes it on) rather than releasing it with one of its own methods."""
        for node in own_nodes(function):
            if not node.is_statement or (node.lineno or 0) <= after:
                continue
            if tracker.releases(node) is Release.NO:
                continue
            kept_here = any(
                isinstance(c, nodes.Call)
                and isinstance(c.func, nodes.Attribute)
                and (
                    # released with one of its own methods
                    (c.func.attrname in tracker.methods and tracker.refers(c.func.expr))
                    # put into a local list that is not returned: still this function's
                    or (
                        c.func.attrname in adding_methods()
                        and isinstance(c.func.expr, nodes.Name)
                        and c.func.expr.name not in tracker.escaping
                        and identity(c.func.expr) is not None
                        and isinstance(identity(c.func.expr), Local)
                    )
                )
                for c in own_nodes(node)
            )
            if not kept_here and not isinstance(node, nodes.With | nodes.AsyncWith):
                return True
        return False

    # -- hand-overs to a callee ----------------------------------------------------------------
    def borrowed_by_callee(
        self,
        call: nodes.Call,
        handed: list[nodes.NodeNG],
        depth: int = 3,
        seen: frozenset = frozenset(),
    ) -> bool:
        """Every function of this module that `call` may run only uses what it is handed
        (`_authenticate(reader, writer)`, `self._handshake(sock)`): it calls methods on
        it, reads its attributes, passes it to borrowing calls; it never closes, stores,
        returns or passes it on except to a function that only borrows it in turn
        (`_handshake(sock)` calling `_expect(sock, b"OK")`: borrowing is transitive, followed
        `depth` calls deep, never back into a function already on the way). Then the caller
        still owns it across the call."""
        if depth <= 0:
            return False
        try:
            callees = self._contexts.resolve_callables(call.func)
        except (AstroidError, RecursionError):
            return False
        if not callees:
            return False
        for callee in callees:
            if not isinstance(callee, nodes.FunctionDef | nodes.AsyncFunctionDef):
                return False
            if _interface(callee):
                return False  # its overrides decide what becomes of what it is given
            params = parameters_bound(call, callee, handed)
            if params is None:
                return False
            if callee in seen:
                return False  # recursion: not followed
            if not all(self._only_borrows(callee, p, depth - 1, seen | {callee}) for p in params):
                return False
        return True

    def _only_borrows(
        self, callee: FunctionLike, name: str, depth: int = 0, seen: frozenset = frozenset()
    ) -> bool:
        own = self.own(callee)
        own_ids = {id(n) for n in own}
        closing = (
            operations(Kind.SOCKET).release
            | operations(Kind.SERVER).release
            | {"shutdown", "abort"}
        )
        for node in walk(callee):
            if isinstance(node, nodes.AssignName) and node.name == name:
                if not isinstance(node.parent, nodes.Arguments):
                    return False  # rebound: not followed
                continue
            if not isinstance(node, nodes.Name) or node.name != name:
                continue
            if id(node) not in own_ids:
                return False  # captured by a nested function: not followed
            parent = node.parent
            if isinstance(parent, nodes.Attribute):
                grand = parent.parent
                if (
                    isinstance(grand, nodes.Call)
                    and grand.func is parent
                    and parent.attrname in closing
                ):
                    return False  # it closes it: ownership passes
                continue
            if isinstance(parent, nodes.Call) and node is not parent.func:
                if is_logging_call(parent) or last_name(parent.func) in BORROWING:
                    continue
                if self.borrowed_by_callee(parent, [node], depth, seen):
                    continue  # handed to a helper that only borrows it in turn
                return False
            if isinstance(parent, nodes.Keyword) and isinstance(parent.parent, nodes.Call):
                if last_name(parent.parent.func) in BORROWING:
                    continue
                if self.borrowed_by_callee(parent.parent, [node], depth, seen):
                    continue
                return False
            if isinstance(parent, nodes.Compare | nodes.BoolOp | nodes.UnaryOp):
                continue
            if isinstance(parent, nodes.If | nodes.While) and parent.test is node:
                continue
            return False
        return True

    # -- per class: stop methods, what the class keeps, what releases it -----------------------
    def stop_methods(self, cls: nodes.ClassDef) -> list[nodes.FunctionDef]:
        """The class's stop methods (`Contexts.stop_methods`) that stop the object itself
        (not a worker's target) and are callable with no arguments, in source order,
        leaving out abstract ones (`pass`, `...`, `raise NotImplementedError`)."""
        out = []
        for node in self._contexts.stop_methods(cls):
            if not self._contexts.is_stop_method(node):
                continue
            args = node.args
            required = len(args.posonlyargs + args.args) - len(args.defaults) - 1
            if required > 0 or any(d is None for d in args.kw_defaults):
                continue
            if is_abstract(node):
                continue
            out.append(node)
        return sorted(out, key=lambda node: (node.lineno or 0, node.col_offset or 0))

    def closes_itself(self, info: KindInfo, methods: frozenset[str]) -> bool:
        """The object is an instance of a class of this module that closes itself (a
        server whose `serve_until_quit()` ends with `self.server_close()`)."""
        for creation in info.creations:
            if not isinstance(creation, nodes.Call):
                continue
            if not isinstance(creation.func, nodes.Name):
                continue
            try:
                _, assigns = lookup(creation.func, creation.func.name)
            except (AstroidError, RecursionError):
                continue
            cls = next((a for a in assigns if isinstance(a, nodes.ClassDef)), None)
            if cls is None:
                continue
            for node in walk(cls):
                if (
                    isinstance(node, nodes.Call)
                    and isinstance(node.func, nodes.Attribute)
                    and node.func.attrname in methods
                    and (
                        is_self_parameter(node.func.expr)
                        or (
                            isinstance(node.func.expr, nodes.Attribute)
                            and is_self_parameter(node.func.expr.expr)
                        )
                    )
                ):
                    return True
        return False

    def is_kind(self, cls: nodes.ClassDef, kinds: tuple[Kind, ...]) -> bool:
        info = self._kinds.kind_of_class(cls)
        return info is not None and info.kind in kinds

    def _class_methods(self, cls: nodes.ClassDef) -> list[FunctionLike]:
        """The methods of `cls` and of its bases defined in this module."""
        classes = [cls]
        with contextlib.suppress(AstroidError, RecursionError):
            classes += [c for c in cls.ancestors() if c.root() is self._module]
        return [
            m
            for klass in classes
            for m in klass.body
            if isinstance(m, nodes.FunctionDef | nodes.AsyncFunctionDef)
        ]

    def owned_attributes(
        self, cls: nodes.ClassDef, kinds, stems: tuple[str, ...]
    ) -> dict[str, tuple]:
        """{attribute: (kind, the statement that makes or stores it, info)} for `self.x`
        attributes holding an object of one of `kinds` that the class itself makes, or
        containers the class adds such objects to."""
        found: dict[str, tuple] = {}
        for method in self._class_methods(cls):
            if getattr(method, "type", "method") != "method":
                continue  # `cls._instance = ...` in a classmethod: class state, not owned
            for node in self.own(method):
                attribute, value = None, None
                if isinstance(node, nodes.Assign) and len(node.targets) == 1:
                    target = node.targets[0]
                    if isinstance(target, nodes.AssignAttr) and is_self_parameter(target.expr):
                        attribute, value = target.attrname, node.value
                    elif (
                        isinstance(target, nodes.Subscript)
                        and isinstance(target.value, nodes.Attribute)
                        and is_self_parameter(target.value.expr)
                    ):
                        # `self._uplinks[drone_id] = uplink`: kept in a keyed table
                        attribute, value = target.value.attrname, node.value
                elif isinstance(node, nodes.Call) and isinstance(node.func, nodes.Attribute):
                    container = node.func.expr
                    if (
                        node.func.attrname in adding_methods()
                        # a queue's put hands the item to its taker: not kept here
                        and node.func.attrname not in operations(Kind.QUEUE).put
                        and isinstance(container, nodes.Attribute)
                        and is_self_parameter(container.expr)
                        and node.args
                    ):
                        attribute, value = container.attrname, node.args[-1]
                if attribute is None or attribute in found:
                    continue
                value = value.value if isinstance(value, nodes.Await) else value
                if not (isinstance(value, nodes.Name) and self.made_locally(value, method)):
                    # a container it builds of what it makes: `[Thread(...) for _ in r]`
                    value = next(iter(made_members(value)), value)
                    if not isinstance(value, nodes.Call):
                        continue
                if not self._could_make(value, stems):
                    continue
                info = self._kinds.kind_of(value)
                if info is None or info.kind not in kinds:
                    continue
                if info.kind is Kind.PROCESS and info.flavor is not Flavor.MULTIPROCESSING:
                    continue
                if (
                    info.kind in (Kind.SOCKET, Kind.SERVER)
                    and isinstance(node, nodes.Call)
                    and returned(value, method)
                ):
                    continue  # a pool's record of the sockets it lends: borrowers close them
                statement = node if node.is_statement else node.statement()
                found[attribute] = (info.kind, statement, info)
        return found

    def _could_make(self, value: nodes.NodeNG, stems: tuple[str, ...]) -> bool:
        """A cheap look before inference: the call (or the call a local was assigned
        from) is named like a maker of the kinds sought, or calls a class of this module."""
        calls = [value] if isinstance(value, nodes.Call) else []
        if isinstance(value, nodes.Name):
            try:
                _, assigns = lookup(value, value.name)
            except (AstroidError, RecursionError):
                return False
            for assign in assigns:
                made = getattr(assign.parent, "value", None)
                made = made.value if isinstance(made, nodes.Await) else made
                if isinstance(made, nodes.Call):
                    calls.append(made)
        for call in calls:
            if self.could_make(call, stems):
                return True
            name = last_name(call.func)
            if name is not None and isinstance(
                next(iter(self._module.locals.get(name, ())), None), nodes.ClassDef
            ):
                return True
        return False

    def could_make(self, call: nodes.Call, stems: tuple[str, ...], depth: int = 0) -> bool:
        """A cheap look before inference: `call` is named like a maker of the kinds sought
        (`socket.create_connection()`), or calls a function of the project that returns
        what such a call made (`self._dial()` returning `socket.create_connection(...)`,
        `links.dial(addr)` defined in another module): the helper's caller receives what
        it made; or makes an instance of a class of another module of the project."""
        if named_like(call, stems):
            return True
        if depth > 1:
            return False
        for callee in self._summaries.callees(call):
            if isinstance(callee, nodes.ClassDef):
                return True  # a class of another module: its kind is decided by its bases
            for node in self.own(callee):
                if not isinstance(node, nodes.Return) or node.value is None:
                    continue
                value = node.value.value if isinstance(node.value, nodes.Await) else node.value
                if isinstance(value, nodes.Name):
                    value = made_by_one_call(value, through_await=True)
                if isinstance(value, nodes.Call) and self.could_make(value, stems, depth + 1):
                    return True
        return False

    @staticmethod
    def made_locally(name: nodes.Name, method: FunctionLike) -> bool:
        """`name` is a local of `method` assigned from a call (not a parameter)."""
        try:
            scope, assigns = lookup(name, name.name)
        except (AstroidError, RecursionError):
            return False
        return scope is method and any(
            isinstance(a.parent, nodes.Assign | nodes.AnnAssign)
            and isinstance(a.parent.value, nodes.Call | nodes.Await)
            for a in assigns
        )

    def attribute_uses(
        self, cls: nodes.ClassDef, attribute: str
    ) -> Iterator[tuple[FunctionLike, nodes.NodeNG]]:
        """(method, expression) for every `self.<attribute>` of the class's methods, and
        every local alias of it (`t = self._thread`, `for t in self._threads`)."""
        key = StateKey(cls, attribute)
        names = _spellings(cls, attribute)
        for method in self._class_methods(cls):
            idents = {key}
            for node in self.own(method):
                if (
                    isinstance(node, nodes.Attribute)
                    and node.attrname == attribute
                    and is_self_parameter(node.expr)
                ) or self_getattr_name(node) in names:
                    yield method, node
                    parent = node.parent
                    alias = assigned_name(_copy_around(node))
                    if alias is not None:
                        idents.add(Local(method, alias))
                    taken = _taken_out(node)
                    if taken is not None:
                        # `self._idle.pop().close()`, `conn = self._idle.popleft()`: an
                        # element taken out of the container is the container's to release.
                        yield method, taken
                        alias = assigned_name(taken)
                        if alias is not None:
                            idents.add(Local(method, alias))
                    if (
                        isinstance(parent, nodes.For)
                        and isinstance(parent.target, nodes.AssignName)
                        and parent.iter is node
                    ):
                        idents.add(Local(method, parent.target.name))
            for node in self.own(method):
                # `for t in (self._indexer, *self._fetchers)`: a loop over a value built
                # from the attribute visits its items (ownership.covered); `for name, sock
                # in self._socks.items()` visits them as its second name.
                if not isinstance(node, nodes.For) or isinstance(node.iter, nodes.Attribute):
                    continue
                target = node.target
                if (
                    isinstance(target, nodes.Tuple)
                    and len(target.elts) == 2
                    and isinstance(node.iter, nodes.Call)
                    and last_name(node.iter.func) == "items"
                ):
                    target = target.elts[1]
                if isinstance(target, nodes.AssignName) and key in _visited(node.iter):
                    idents.add(Local(method, target.name))
            aliases = {i for i in idents if isinstance(i, Local)}
            if aliases:
                # An element taken out of an alias is the container's too: `busy,
                # self.busy = self.busy, set()`, then `p = busy.pop(); p.join()`.
                for node in self.own(method):
                    if isinstance(node, nodes.Name) and Local(method, node.name) in aliases:
                        taken = _taken_out(node)
                        alias = assigned_name(taken) if taken is not None else None
                        if alias is not None:
                            aliases.add(Local(method, alias))
                for node in self.own(method):
                    if isinstance(node, nodes.Name) and Local(method, node.name) in aliases:
                        yield method, node
                        taken = _taken_out(node)
                        if taken is not None:
                            yield method, taken  # `idle.pop().join()`

    def released_in_class(
        self,
        cls: nodes.ClassDef,
        attribute: str,
        methods: frozenset[str],
        kind: Kind,
        joins_only: bool = False,
    ) -> bool:
        """Whether some method of the class releases `self.<attribute>`: calls a release
        method on it (or an alias, or each element of it), awaits it, uses it as a context
        manager, calls a stop method of its own on it, or hands it to a call."""
        for _, node in self.attribute_uses(cls, attribute):
            # A copy or view of the container stands for it (P4): `gather(*self._ts.values())`
            # and `asyncio.wait(list(self._ts))` wait for its items as `gather(*self._ts)` does.
            node = _copy_around(node)
            parent = node.parent
            if kind is Kind.TASK and handed_to_awaiters(node):
                return True
            if isinstance(parent, nodes.Attribute) and isinstance(parent.parent, nodes.Call):
                call = parent.parent
                if call.func is not parent:
                    if parent.attrname in methods and parent in call.args:
                        return True  # `run_in_executor(None, self._t.join)`: run by the call
                    continue
                if parent.attrname in methods:
                    return True
                if is_shutdown_name(parent.attrname, self._options.shutdown_methods):
                    if not joins_only:
                        return True  # its own stop method (a Thread subclass joining itself)
                    # A stop method of its own joins only where its body joins (a summary,
                    # not the name); one whose body is not seen is taken at its word,
                    # unless the kind table says what it does (`Task.cancel` signals).
                    joined = self._summaries.call_joins(call)
                    if joined or (
                        joined is None and parent.attrname not in operations(kind).release
                    ):
                        return True
                elif self._summaries.call_joins(call):
                    return True  # any method of its own class whose body joins (`halt()`)
                continue
            if isinstance(parent, nodes.Await):
                return True
            if isinstance(parent, nodes.With | nodes.AsyncWith):
                return True
            if isinstance(parent, nodes.Keyword) and isinstance(parent.parent, nodes.Call):
                parent = parent.parent  # `_close(executor=e)`: an argument by keyword
            arguments = (
                [*parent.args, *(k.value for k in parent.keywords or ())]
                if isinstance(parent, nodes.Call)
                else []
            )
            if (
                node in arguments
                and (
                    last_name(parent.func) not in BORROWING
                    or last_name(parent.func) in AWAITING_CALLS  # `asyncio.wait(self._ts)`
                )
                and not is_logging_call(parent)
            ):
                return True  # handed to a helper (delegated join or close)
            if isinstance(parent, nodes.Starred) and isinstance(parent.parent, nodes.Call):
                return True  # `gather(*self._tasks)`
            if (
                isinstance(parent, nodes.Tuple | nodes.List | nodes.Set)
                and isinstance(parent.parent, nodes.Call)
                and last_name(parent.parent.func) in AWAITING_CALLS
            ):
                return True  # `asyncio.wait({task})`: awaited with the others
            if isinstance(parent, nodes.Tuple | nodes.List | nodes.Set) and _argument_bundle(
                parent
            ):
                return True  # `Finalize(self, _terminate, args=(..., self._t))`: handed over
            if isinstance(parent, nodes.Tuple | nodes.List | nodes.Set) and _group_awaited(parent):
                return True  # `tasks = [self._a, self._b]` ... `await gather(*tasks)`
        return self._read_elsewhere(cls, attribute)

    def _read_elsewhere(self, cls: nodes.ClassDef, attribute: str) -> bool:
        """`other._processes`: another object reads the attribute, and may release it."""
        for node in self._contexts.all_nodes:
            if (
                isinstance(node, nodes.Attribute)
                and node.attrname == attribute
                and not is_self_parameter(node.expr)
                and not (isinstance(node.expr, nodes.Name) and node.expr.name in ("cls",))
            ):
                return True
        return False

    def reset_to_none(self, cls: nodes.ClassDef, attribute: str) -> bool:
        """`self.<attribute> = None` (or `self.<attribute>: T | None = None`) somewhere."""
        for method in self._class_methods(cls):
            for node in self.own(method):
                targets = assigned_targets(node)
                if (
                    any(
                        isinstance(t, nodes.AssignAttr)
                        and t.attrname == attribute
                        and is_self_parameter(t.expr)
                        for t in targets
                    )
                    and isinstance(node.value, nodes.Const)
                    and node.value.value is None
                ):
                    return True
        return False

    # -- per module: waits, their releases, hand-shakes ----------------------------------------
    @cached_property
    def waits(self) -> dict[Identity, list]:
        """Waits with no timeout, by the identity of what is waited on."""
        found: dict[Identity, list] = {}
        returned: dict[Identity, list] = {}  # listed after the real waits of each
        names = _WAITABLE_METHODS
        for node in self._contexts.all_nodes:
            if isinstance(node, nodes.Return):
                self._returned_future(node, returned)
                continue
            if isinstance(node, nodes.Call):
                if not (isinstance(node.func, nodes.Attribute) and node.func.attrname in names):
                    continue
            elif not isinstance(node, nodes.Await):
                continue
            wait = self._blocking.unbounded_wait(node)
            if wait is None and isinstance(node, nodes.Call):
                wait = self._blocking.unbounded_by_default(node)  # the default is forever
            if wait is None or wait.info.kind not in _WAITABLE_KINDS:
                continue
            ident = identity(wait.receiver) or self._held_object_state(wait.receiver)
            if ident is not None:
                found.setdefault(ident, []).append(wait)
        for ident, waits in returned.items():
            found.setdefault(ident, []).extend(waits)
        return found

    def _held_object_state(self, expr: nodes.NodeNG) -> StateKey | None:
        """`self._feed.ready` where `self._feed` holds an instance of a class of the
        module: that class's `ready` (its own code calls it `self.ready`)."""
        if not (
            isinstance(expr, nodes.Attribute)
            and isinstance(expr.expr, nodes.Attribute)
            and is_self_parameter(expr.expr.expr)
        ):
            return None
        owner = enclosing_class(expr)
        held = class_held_by(owner, expr.expr.attrname, self._stats) if owner else None
        return StateKey(held, expr.attrname) if held is not None else None

    def _returned_future(self, node: nodes.Return, found: dict[Identity, list]) -> None:
        """A future a function makes and returns unresolved is waited on by its caller
        (P3: an escaped unresolved future is a waiter enough)."""
        function = enclosing_function(node)
        if (
            function is None
            or not isinstance(node.value, nodes.Name)
            or not named_like_future(node.value)
        ):
            return
        info = self._kinds.kind_of(node.value)
        if (
            info is not None
            and info.kind is Kind.FUTURE
            and any(
                isinstance(made, nodes.Call) and enclosing_function(made) is function
                for made in info.creations
            )
        ):
            found.setdefault(identity(node.value), []).append(Wait(node, info, None, node.value))

    @cached_property
    def release_sites(self) -> dict[Identity, list[nodes.NodeNG]]:
        """Calls that release something waited on (`evt.set()`, `fut.set_result(x)`, and
        `fut.set_result` handed on as a callback), by identity."""
        waits = self.waits
        if not waits:
            return {}
        methods = (
            operations(Kind.EVENT).release
            | operations(Kind.FUTURE).release
            | operations(Kind.CONDITION).release
        )
        found: dict[Identity, list[nodes.NodeNG]] = {}
        for node in self._contexts.all_nodes:
            if isinstance(node, nodes.Attribute) and node.attrname in methods:
                ident = identity(node.expr)
                if ident not in waits:
                    # A worker releasing what its starter gave it (`Thread(args=(ev,))`),
                    # or what a producer put on a queue in an item (`q.put((job, fut))`),
                    # releases the giver's waitable.
                    ident = self._given(ident, node)
                if ident in waits:
                    found.setdefault(ident, []).append(node)
        return found

    def _given(self, ident: Identity | None, node: nodes.NodeNG) -> Identity | None:
        return self._given_by_starter(ident, node) or self._given_through_queue(ident)

    def _given_through_queue(self, ident: Identity | None) -> Identity | None:
        """`job, fut = q.get()` (or `item = q.get()` then `job, fut = item`) where some
        function puts `(job, fut)` on the same queue: the taker's `fut` is the putter's
        (P3: handed to its releaser inside a queue item)."""
        item = self._queue_items.get(ident) if isinstance(ident, Local) else None
        return item[0] if item is not None else None

    @cached_property
    def _queue_items(self) -> dict[Local, tuple[Identity, nodes.Assign]]:
        """{the taker's local: (the putter's identity, where the taker unpacks it)}."""
        puts: dict[tuple[Identity, int], Identity] = {}
        for node in self._contexts.all_nodes:
            if (
                isinstance(node, nodes.Call)
                and isinstance(node.func, nodes.Attribute)
                and node.func.attrname in operations(Kind.QUEUE).put
                and node.args
                and isinstance(node.args[0], nodes.Tuple)
            ):
                queue = identity(node.func.expr)
                for index, element in enumerate(node.args[0].elts):
                    given = identity(element) if isinstance(element, nodes.Name) else None
                    if queue is not None and given is not None:
                        puts.setdefault((queue, index), given)
        if not puts:
            return {}
        found: dict[Local, tuple[Identity, nodes.Assign]] = {}
        for node in self._contexts.all_nodes:
            unpacked = _unpacked_item(node)
            if unpacked is None:
                continue
            function, queue_expr, names = unpacked
            queue = identity(queue_expr)
            for index, name in enumerate(names):
                given = puts.get((queue, index)) if name is not None else None
                if given is not None:
                    taker = Local(function, name)
                    # the last put's identity; the first place it is unpacked
                    found[taker] = (given, found[taker][1] if taker in found else node)
        return found

    def _given_by_starter(self, ident: Identity | None, node: nodes.NodeNG) -> Identity | None:
        function = enclosing_function(node)
        entry = self._contexts.entry_points().get(function) if function is not None else None
        if entry is None or ident is None:
            return None
        return passed_in(entry, ident)

    @cached_property
    def handshakes(self) -> dict[FunctionLike, list[tuple]]:
        """{function that must release: [(identity, waits, release sites)]} for every
        waitable whose releasers are handed off to run elsewhere (SPEC §2, SDL102)."""
        units: dict[FunctionLike, list[tuple]] = {}
        for ident, sites in self.release_sites.items():
            waits = self.waits[ident]
            releasers = {enclosing_function(site) for site in sites} - {None}
            waiters = {enclosing_function(w.node) for w in waits}
            if not releasers or releasers & waiters:
                continue
            if isinstance(ident, Local):
                if not all(
                    self._handed_off(r, ident.scope)
                    or self._started_with(r, ident)
                    or self._queued_to(r, ident)
                    for r in releasers
                ):
                    continue
                chosen = releasers
            else:
                entries = [self._contexts.worker_context(r) for r in releasers]
                if not all(entries):
                    continue
                if any(self._contexts.worker_context(w) in entries for w in waiters if w):
                    continue
                chosen = set(releasers) | {e.function for e in entries}
            for function in chosen:
                # The releaser's own name for it: a worker's parameter (`args=(ev,)`).
                local = next(
                    (
                        identity(site.expr)
                        for site in sites
                        if enclosing_function(site) is function
                        and self._given(identity(site.expr), site) == ident
                    ),
                    ident,
                )
                units.setdefault(function, []).append((local, waits, sites))
        return units

    def item_unpacking(self, ident: Identity) -> nodes.NodeNG | None:
        """Where a taker's local handed over inside a queue item is unpacked."""
        item = self._queue_items.get(ident) if isinstance(ident, Local) else None
        return item[1] if item is not None else None

    def _queued_to(self, releaser: FunctionLike, ident: Local) -> bool:
        """`releaser` takes `ident` out of a queue item its owner put it in."""
        return any(
            taker.scope is releaser and given == ident
            for taker, (given, _) in self._queue_items.items()
        )

    def _started_with(self, releaser: FunctionLike, ident: Local) -> bool:
        """`releaser` is a worker that the owner of `ident` starts, handing it `ident`."""
        entry = self._contexts.entry_points().get(releaser)
        return entry is not None and enclosing_function(entry.site) is ident.scope

    def _handed_off(self, releaser: FunctionLike, owner: nodes.NodeNG) -> bool:
        """`releaser` is a nested function of `owner` that `owner` hands to a call
        (`loop.add_callback(setup)`, `Thread(target=setup)`)."""
        if releaser.parent is None or enclosing_function(releaser) is not owner:
            return False
        for node in self.own(owner):
            if isinstance(node, nodes.Call):
                for argument in [*node.args, *(kw.value for kw in node.keywords or ())]:
                    if argument is releaser:
                        return True
                    if (
                        isinstance(argument, nodes.Name)
                        and isinstance(releaser, nodes.FunctionDef)
                        and argument.name == releaser.name
                    ):
                        return True
        return False

    # -- per module: queues joined on task_done() ----------------------------------------------
    @cached_property
    def joined_queues(self) -> dict[Identity, nodes.NodeNG | None]:
        """Queues some code marks `task_done()` on (they take part in `join()` accounting),
        with the `join()` that waits for them when this module has one. A queue an object
        makes for itself and keeps private (`self._q = Queue()`), which nothing in the
        module joins, is joined by nobody: its `task_done()` accounting waits for no one
        (a public one, or one handed in, may be joined by whoever holds it)."""
        queue = operations(Kind.QUEUE)
        done: set[Identity] = set()
        joins: dict[Identity, nodes.NodeNG] = {}
        for node in self._contexts.all_nodes:
            if (
                isinstance(node, nodes.Call)
                and isinstance(node.func, nodes.Attribute)
                and node.func.attrname in queue.done | queue.join
            ):
                ident = identity(node.func.expr)
                if ident is None:
                    continue
                if node.func.attrname in queue.done:
                    done.add(ident)
                else:
                    joins.setdefault(ident, node)
        return {
            ident: joins.get(ident)
            for ident in done
            if ident in joins or not _made_privately(ident)
        }

    # -- per module: queues whose consumer stops on the end sentinel ---------------------------
    @cached_property
    def consumers(self) -> dict[Identity, nodes.NodeNG]:
        """Queues whose consumer stops when it takes the end sentinel: the item from
        `get()` compared with a sentinel in a branch that ends the loop or the generator."""
        found: dict[Identity, nodes.NodeNG] = {}
        for function in self._functions():
            for node in statements(function):
                consumed = self._consumed(node, function)
                if consumed is None:
                    continue
                ident, stops = consumed
                if ident in found:
                    continue
                found[ident] = stops
                # A worker consuming a queue it was given consumes each starter's queue.
                for entry in self._contexts.starts_of(function):
                    passed = passed_in(entry, ident)
                    if passed is not None:
                        found.setdefault(passed, stops)
        self._foreign.add_consumed(found)  # consumers another project module defines
        return found

    def _consumed(
        self, node: nodes.NodeNG, function: FunctionLike
    ) -> tuple[Identity, nodes.NodeNG] | None:
        """(the queue, where its consumer stops) when `node` takes from a queue until the
        end sentinel: a `while` testing what it takes, or `x = q.get()` with a branch on
        `x` that ends the loop or the generator."""
        queue = consumed_until_sentinel(node)
        if queue is not None:
            ident = identity(queue)
            return (ident, node) if ident is not None else None
        taken = taken_from_queue(node)
        if taken is None:
            return None
        name, queue = taken
        if not _blocking_take(queue.parent.parent):
            return None  # a take that cannot block (`get_nowait()`) never waits for a marker
        if _gives_up_on_timeout(queue.parent.parent):
            return None  # a missing marker costs it a timeout, not a hang
        ident = identity(queue)
        if ident is None:
            return None
        for test_if in self.own(function):
            if (
                isinstance(test_if, nodes.If)
                and compares_to_sentinel(test_if.test, name)
                and ends_consuming(test_if, function)
            ):
                return ident, test_if
        return None


# How a queue's `get` takes its `block` argument: the row of the blocking-call table.
_GET = next(
    r for r in BLOCKING_CALLS if (r.kind, r.method, r.awaited) == (Kind.QUEUE, "get", False)
)


def _blocking_take(call: nodes.NodeNG) -> bool:
    """A `get` that waits for an item: not `get_nowait()`, `get(False)`, `get(block=False)`."""
    if not isinstance(call, nodes.Call) or not isinstance(call.func, nodes.Attribute):
        return True
    if call.func.attrname.endswith("_nowait"):
        return False
    return timeout_state(call, _GET.signature) is not TimeoutState.NONBLOCKING


def _unpacked_item(node: nodes.NodeNG) -> tuple[FunctionLike, nodes.NodeNG, list] | None:
    """(function, queue, names) for `a, b = q.get()`, or `a, b = item` where the
    function took `item = q.get()` (names: the unpacked local names, None for others)."""
    if not (
        isinstance(node, nodes.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], nodes.Tuple)
    ):
        return None
    function = enclosing_function(node)
    if function is None:
        return None
    names = [e.name if isinstance(e, nodes.AssignName) else None for e in node.targets[0].elts]
    queue = queue_taken_by(node.value)
    if queue is not None:
        return function, queue, names
    value = node.value
    if isinstance(value, nodes.Name):
        for other in own_nodes(function):
            taken = taken_from_queue(other)
            if taken is not None and taken[0] == value.name:
                return function, taken[1], names
    return None


def _interface(function: FunctionLike) -> bool:
    """`raise NotImplementedError` (after a docstring), or `@abstractmethod`: a method
    the subclasses implement."""
    return "abstractmethod" in decorator_names(function) or raises_not_implemented(function)


def _argument_bundle(items: nodes.Tuple | nodes.List | nodes.Set) -> bool:
    """`args=(a, b)` (or a positional tuple, list or set) of a call that takes them
    over: the items are handed to the callee with the bundle (`Thread(target=f,
    args=(...))`, `Finalize(obj, f, args=(...))`, `await stop({t1, t2})`), not looked at
    by a borrowing call nor kept in a container (`self._pairs.append((key, t))`)."""
    holder = items.parent
    if isinstance(holder, nodes.Keyword | nodes.Starred):
        holder = holder.parent
    return (
        isinstance(holder, nodes.Call)
        and last_name(holder.func) not in BORROWING | adding_methods()
        and not is_logging_call(holder)
        and not _runs_own_code(holder)
    )


def _runs_own_code(call: nodes.Call) -> bool:
    """`Thread(target=self._serve, args=(self._listener,))`: the bundle goes to a method of
    the object itself, run on a thread of its own; the object still keeps what it passes
    (its own stop releases it), nothing is handed over."""
    return any(
        keyword.arg == "target"
        and isinstance(keyword.value, nodes.Attribute)
        and is_self_parameter(keyword.value.expr)
        for keyword in call.keywords or ()
    )


def _gives_up_on_timeout(call: nodes.NodeNG) -> bool:
    """`get(timeout=...)` in a `try:` whose `except queue.Empty:` leaves (raises,
    returns, breaks): the consumer stops waiting on its own when no item comes, so it
    does not block on a missing end marker (one that retries, `continue`, still does)."""
    if not isinstance(call, nodes.Call) or timeout_state(call, _GET.signature) is not (
        TimeoutState.TIMEOUT
    ):
        return False
    child, parent = call, call.parent
    while parent is not None and not isinstance(parent, FunctionLike):
        if isinstance(parent, nodes.Try) and child in parent.body:
            return any(
                catches(handler, "queue.Empty")
                and handler.body
                and isinstance(handler.body[-1], nodes.Raise | nodes.Return | nodes.Break)
                for handler in parent.handlers
            )
        child, parent = parent, parent.parent
    return False


_TEST_FUNCTION = re.compile(r"^(test_|test$)")


def is_test(function: FunctionLike) -> bool:
    """Test code: a `test_*` function, or any function of a test module (`test_*.py`,
    `*_test.py`, `conftest.py`, or a module under a `test`/`tests` folder). A test that
    fails on an error path fails the run it leaks into: no maintainer adds cleanup there."""
    filename = function.root().file or ""
    parts = re.split(r"[\\/]", filename)
    name = parts[-1] if parts else ""
    if (
        name.startswith("test_")
        or name.endswith("_test.py")
        or name == "conftest.py"
        or any(part in ("test", "tests", "testing") for part in parts[:-1])
    ):
        return True
    scope = function
    while scope is not None:
        if isinstance(scope, nodes.FunctionDef | nodes.AsyncFunctionDef) and _TEST_FUNCTION.match(
            scope.name
        ):
            return True
        scope = enclosing_function(scope)
    return False


def _spellings(cls: nodes.ClassDef, attribute: str) -> frozenset[str]:
    """The names `getattr(self, name)` may give the attribute: itself, and for a private
    name (`self.__closing` in class `QueueIterator`) its mangled form
    (`_QueueIterator__closing`), the name the instance really holds."""
    if attribute.startswith("__") and not attribute.endswith("__"):
        return frozenset({attribute, f"_{cls.name.lstrip('_')}{attribute}"})
    return frozenset({attribute})


def _made_privately(ident) -> bool:
    """`self._q` that its class only ever assigns a newly made object (`Queue()`), never
    one that already exists (a parameter, another object's attribute): nobody outside the
    object holds it. (An annotation, `self._q: Queue[int] = Queue()`, is no value.)"""
    if not (
        isinstance(ident, StateKey)
        and isinstance(ident.owner, nodes.ClassDef)
        and ident.name.startswith("_")
    ):
        return False
    values = attribute_values(ident.owner, ident.name)
    return any(isinstance(v, nodes.Call) for v in values) and not any(
        isinstance(v, nodes.Name | nodes.Attribute) for v in values
    )


def _taken_out(container: nodes.NodeNG) -> nodes.Call | None:
    """`container.pop()` (`popleft()`): the call that takes an element out of `container`.
    `popitem()` gives a (key, value) pair: left alone."""
    parent = container.parent
    if (
        isinstance(parent, nodes.Attribute)
        and parent.attrname in operations(Holder.CONTAINER).take - {"popitem"}
        and isinstance(parent.parent, nodes.Call)
        and parent.parent.func is parent
    ):
        return parent.parent
    return None


_COPIES = frozenset({"list", "tuple", "set", "sorted", "frozenset"})
_VIEWS = frozenset({"values", "copy"})


def _group_awaited(display: nodes.NodeNG) -> bool:
    """A display naming workers (`[self._conn_task, self._retry_task]`), or a comprehension
    that filters it (`[t for t in [...] if t]`), bound to a local that the same function
    hands to an awaiting call (`await asyncio.gather(*tasks)`, `asyncio.wait(tasks)`):
    each worker of the group is awaited with the others."""
    value = display
    parent = display.parent
    if isinstance(parent, nodes.Comprehension) and parent.iter is display:
        value = parent.parent  # the comprehension that filters the display
    statement = value.parent
    if not (
        isinstance(statement, nodes.Assign)
        and statement.value is value
        and len(statement.targets) == 1
        and isinstance(statement.targets[0], nodes.AssignName)
    ):
        return False
    name = statement.targets[0].name
    function = statement.scope()
    for call in function.nodes_of_class(nodes.Call):
        if last_name(call.func) not in AWAITING_CALLS:
            continue
        for argument in call.args:
            if isinstance(argument, nodes.Starred):
                argument = argument.value
            if isinstance(argument, nodes.Name) and argument.name == name:
                return True
    return False


def _copy_around(node: nodes.NodeNG) -> nodes.NodeNG:
    """The copy of a container that holds its items (P4): `list(self._ts.values())`,
    `self._ts.copy()`, `tuple(self._ts)`; else `node` itself."""
    outer = node
    parent = outer.parent
    if (
        isinstance(parent, nodes.Attribute)
        and parent.attrname in _VIEWS
        and isinstance(parent.parent, nodes.Call)
        and parent.parent.func is parent
    ):
        outer = parent.parent  # `self._ts.values()`
        parent = outer.parent
    if (
        isinstance(parent, nodes.Call)
        and isinstance(parent.func, nodes.Name)
        and parent.func.name in _COPIES
        and parent.args == [outer]
    ):
        outer = parent
    return outer


def _visited(iterable: nodes.NodeNG) -> frozenset[Identity]:
    """What a loop over `iterable` visits: the containers whose items it yields, and
    the values it yields themselves."""
    found = covered(iterable)
    return found.containers | found.items
