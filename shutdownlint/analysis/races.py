"""Races on shared state: the decisions SDL201, SDL202 and SDL203 share.

The three rules look at the same accesses (`shared`) and must agree on them: an
access that is the act of a reported check-then-act, or a read-modify-write, is
not also an unguarded access. So the decisions live here, as facts; the rules
word and report them.

What makes two accesses a race (RacerD's recipe, tuned for precision):
- they can run on two threads at once (`threadmap`: two identities, or one that
  runs several threads), or the state is guarded by a real lock elsewhere and this
  access is on a shutdown path or a worker thread (the "lock owner" evidence: the
  second thread may live in another module, apscheduler's scheduler thread);
- at least one writes, and no lock is held at both;
- the access is of a kind that can break: a plain read of a flag or counter is
  GIL-atomic and never reported on its own (a check is SDL202's business).

Each record keeps the evidence (the two threads, the lock, the other accesses) so
that a message can name both contexts and the lock, and related locations can
point at them.
"""

from __future__ import annotations

from collections import Counter
from functools import cached_property

from astroid import nodes

from shutdownlint.analysis.check_reads import CheckReads
from shutdownlint.analysis.contexts import Contexts
from shutdownlint.analysis.infer import (
    FunctionLike,
    StateKey,
    enclosing_function,
    is_self_parameter,
    last_name,
    walk,
)
from shutdownlint.analysis.kinds import Kinds
from shutdownlint.analysis.locks import LockId, Locks
from shutdownlint.analysis.order import Order
from shutdownlint.analysis.race_records import (
    CheckShape,
    CheckThenAct,
    Concurrency,
    Guard,
    Overlap,
    Protocol,
    ReadModifyWrite,
    Reason,
    UnguardedAccess,
)
from shutdownlint.analysis.race_shapes import (
    EXITS,
    HAND_OFFS,
    Branch,
    asked_key,
    at_own_slot,
    callee_argument,
    calls_of,
    catches,
    checked_before,
    hasattr_checks,
    inside_handler,
    is_class_level,
    is_getpid_test,
    is_plain_reference,
    lookup_checks,
    never_unset,
    presence_test,
    read_again,
    save_and_restores,
    semantic_conflicts,
    takes_all,
    tests_of,
)
from shutdownlint.analysis.shared import (
    Access,
    AccessKind,
    SharedState,
    is_constant,
)
from shutdownlint.analysis.threadmap import (
    CALLER,
    CALLERS,
    ThreadId,
    ThreadMap,
    caller_first,
    concurrent_pair,
    interrupts_main,
)
from shutdownlint.analysis.vocabulary import Kind, ThreadRole

# Objects whose creation in an act makes a check-then-act harmful when it runs twice.
_RESOURCE_KINDS = frozenset(
    {Kind.THREAD, Kind.PROCESS, Kind.EXECUTOR, Kind.SOCKET, Kind.SERVER, Kind.TASK, Kind.QUEUE}
)
_WORKER_KINDS = frozenset({Kind.THREAD, Kind.PROCESS, Kind.EXECUTOR, Kind.TASK})
_STARTS = frozenset({"start", "start_soon", "serve_forever", "connect", "bind", "listen"})
_WORKER_ROLES = frozenset({ThreadRole.THREAD, ThreadRole.POOL})


class Races(CheckReads):
    """Races on one module's shared state (a per-module fact)."""

    def __init__(
        self,
        module: nodes.Module,
        kinds: Kinds,
        contexts: Contexts,
        locks: Locks,
        threads: ThreadMap,
        state: SharedState,
        order: Order,
        stats: Counter[str],
    ) -> None:
        self._module = module
        self._kinds = kinds
        self._contexts = contexts
        self._locks = locks
        self._threads = threads
        self._state = state
        self._stats = stats
        self._property_cache: dict[nodes.ClassDef, dict[str, frozenset[str]]] = {}
        self._predicate_cache: dict[nodes.ClassDef, dict[str, frozenset[str]]] = {}
        self._expects_cache: dict[FunctionLike, bool] = {}
        self._order = order

    # -- shared helpers ------------------------------------------------------------
    def _guard(self, accesses: list[Access], writes_only: bool = True) -> Guard | None:
        """The real lock held by most of the state's guarded (writing) accesses. None in
        a module that runs only green threads: its locks order green threads at their
        yields, and no statement is preempted."""
        if self._threads.green_only:
            return None
        count: Counter[LockId] = Counter()
        holders: dict[LockId, list[Access]] = {}
        locks_seen: set[LockId] = set()
        for access in accesses:
            if access.quiet or (writes_only and not access.kind.writes):
                continue
            # A lock local to one call of a function (`cv = Condition()` per request)
            # guards nothing another call shares: never a field's protocol lock.
            strong = [
                lock
                for lock in access.held.locks
                if self._locks.is_thread_lock(lock) and not isinstance(lock.owner, FunctionLike)
            ]
            for lock in strong:
                count[lock] += 1
                holders.setdefault(lock, []).append(access)
            locks_seen.update(strong)
        if not count:
            return None
        lock, _ = count.most_common(1)[0]
        guarded = [a for a in accesses if not a.quiet and lock in a.held.locks]
        writes = [a for a in accesses if not a.quiet and a.kind.writes]
        locked_writes = [
            a for a in writes if any(self._locks.is_thread_lock(k) for k in a.held.locks)
        ]
        owns = bool(locked_writes) and 2 * len(locked_writes) >= len(writes)
        shown = self._locks.shown.get(lock, lock.key)
        return Guard(lock, shown, tuple(guarded), len(locks_seen) == 1, owns)

    def _overlap(
        self,
        access: Access,
        others: list[Access],
        callbacks: bool,
        interrupts: bool = True,
        callers: bool = False,
    ) -> Overlap | None:
        """Threads that can run `access` and one of `others` (or `access` twice) at once
        (`interrupts`: a signal handler counts against the main thread's code).

        Concurrent callers of a class built for them race each other where the code
        expects it (RacerD): state that follows a lock (`callers`), or an access in a
        function that takes a thread lock itself or is called by one that does. Elsewhere
        the class's callers count as one application thread (a parser driven by one
        loop, a progress bar updated by its owner)."""

        def usable(other: Access) -> list[ThreadId]:
            expects = callers or self._expects_concurrency(other.function)
            return [
                t if expects or t != CALLERS else CALLER
                for t in other.threads
                if callbacks or t.role is not ThreadRole.CALLBACK
            ]

        mine = usable(access)
        pair = concurrent_pair(
            mine, mine, interrupts, lambda a, b: self._locked_apart(access, a, access, b)
        )
        if pair is not None and (
            pair[0] != pair[1] or pair[0].role.concurrent_with_itself or pair[0].several
        ):
            return Overlap(pair[0], pair[1], None)
        for other in others:
            if other is access or other.quiet:
                continue
            ordered = self._order.threads_ordered(access, other)
            pair = concurrent_pair(
                mine,
                usable(other),
                interrupts,
                lambda a, b, other=other, ordered=ordered: (
                    ordered(a, b) or self._locked_apart(access, a, other, b)
                ),
            )
            if pair is not None:
                return Overlap(pair[0], pair[1], other)
        return None

    def _locked_apart(
        self, first: Access, mine: ThreadId, second: Access, theirs: ThreadId
    ) -> bool:
        """The two accesses hold a common thread lock when run on these two threads
        (each through the callers that run on its thread: `Locks.held_on`)."""
        here = self._locks.held_on(first.node, mine, self._threads.threads_of)
        there = self._locks.held_on(second.node, theirs, self._threads.threads_of)
        if here.by_contract or there.by_contract:
            return here.guarded and there.guarded
        common = here.locks & there.locks
        owner = first.key.owner
        if first.key in self._state.class_fields and isinstance(owner, nodes.ClassDef):
            # each instance's own lock excludes nothing from the class's field (P7)
            common = {lock for lock in common if not self._state.instance_lock(owner, lock)}
        return any(self._locks.is_thread_lock(lock) for lock in common)

    def _expects_concurrency(self, function: FunctionLike) -> bool:
        """The function takes a thread lock, or a function of the module that calls it
        does: its author expects it to run on several threads at once."""
        if function not in self._expects_cache:
            self._expects_cache[function] = self._locks.takes_thread_lock(function) or any(
                self._locks.takes_thread_lock(caller)
                for caller, _ in self._contexts.direct_callers.get(function, ())
            )
        return self._expects_cache[function]

    def _published_before(self, access: Access, others: list[Access]) -> bool:
        """A write made before the threads that touch the state are started."""
        if not access.kind.writes:
            return False
        threads = frozenset(t for o in others if o is not access for t in o.threads)
        return self._state.precedes_thread_start(access, threads)

    def _hands_off_after(self, access: Access) -> bool:
        """Later in its function, a call hands work to another thread (starts a component,
        submits, puts on a queue, sets an event, registers a callback): happens-before."""
        line = access.node.lineno or 0
        return any(
            isinstance(n, nodes.Call)
            and (n.lineno or 0) > line
            and (
                last_name(n.func) in HAND_OFFS
                or ((row := self._contexts.scheduler_of(n)) is not None and row.runs_on_thread)
            )
            for n in self._contexts.nodes_of(access.function)
        )

    # -- SDL203 ----------------------------------------------------------------------
    @cached_property
    def read_modify_writes(self) -> list[ReadModifyWrite]:
        found = []
        for owner in self._state.owners:
            for accesses in self._state.accesses(owner).values():
                # Updates lost to each other: two read-modify-writes (or in-place changes)
                # at once; a plain reset elsewhere is not an update that can be lost.
                writes = [
                    a
                    for a in accesses
                    if a.kind in (AccessKind.RMW, AccessKind.MUTATE)
                    and not a.quiet
                    and not a.atomic
                ]
                guard = self._guard(accesses)
                protocol = self._protocol(accesses)
                for access in accesses:
                    if access.kind is not AccessKind.RMW or access.quiet or access.held.guarded:
                        continue
                    if access.atomic:
                        continue
                    overlap = self._overlap(access, writes, callbacks=True, interrupts=False)
                    cited = guard  # the lock the message names
                    if overlap is None and guard is not None and guard.owns and access.threads:
                        # The state's other writes take a real lock: the author expects
                        # them to run concurrently with this one.
                        other = next((a for a in guard.accesses if a.kind.writes), None)
                        if other is not None:
                            mine = next(iter(sorted(access.threads, key=caller_first)))
                            theirs = next(iter(sorted(other.threads, key=caller_first)), mine)
                            if not interrupts_main(mine, theirs):
                                overlap = Overlap(mine, theirs, other)
                    if overlap is None and protocol is not None:
                        # An update of state whose other accesses follow a lock, on
                        # another thread than they run: lost against the updates made
                        # under the lock (P1), this rule's finding rather than SDL201's.
                        conflicts = [
                            o
                            for o in accesses
                            if o is not access
                            and not o.quiet
                            and o.kind.writes
                            and protocol.lock in o.held.locks
                        ] + self._lockset_conflicts(access, accesses, protocol.lock, guard)
                        overlap = self._overlap(
                            access, conflicts, callbacks=True, interrupts=False, callers=True
                        )
                        cited = guard or protocol
                    if overlap is None:
                        continue
                    found.append(ReadModifyWrite(access, overlap, cited))
        return found

    # -- SDL202 ----------------------------------------------------------------------
    @cached_property
    def check_then_acts(self) -> list[CheckThenAct]:
        found: list[CheckThenAct] = []
        seen: set[nodes.NodeNG] = set()
        for owner in self._state.owners:
            state = self._state.accesses(owner)
            by_node = {a.node: a for accesses in state.values() for a in accesses}
            for record in (
                *self._classic(owner, state, by_node),
                *self._probes(owner, state),
                *self._deferred(owner, state),
                *self._save_restore(owner, state),
            ):
                if record.check not in seen:
                    seen.add(record.check)
                    found.append(record)
        return found

    @cached_property
    def reported_acts(self) -> frozenset[nodes.NodeNG]:
        """Accesses that are the act of a reported check-then-act (not also SDL201's):
        its acts, and every access in the statements the check decides (the act is
        whatever the check's outcome reaches, `self._thread = Thread(...)` after
        `if not self._started: self._started = True`)."""
        found = {a.node for record in self.check_then_acts for a in (record.access, *record.acts)}
        found.update(self._checked_through_properties())
        # (record, the nodes of its test) for the checks whose region is known
        classic = [(r, set(walk(r.check))) for r in self.check_then_acts if r.region is not None]
        if classic:
            for owner in self._state.owners:
                for accesses in self._state.accesses(owner).values():
                    found.update(
                        a.node
                        for a in accesses
                        for r, test in classic
                        if a.function is r.region.function
                        and (
                            a.node in r.region
                            or a.node in test
                            # what relies on the outcome later (`return self._conns[k]`)
                            or (
                                a.key == r.access.key
                                and (a.node.lineno or 0) > (r.check.lineno or 0)
                            )
                        )
                    )
        return frozenset(found)

    def _classic(self, owner, state, by_node) -> list[CheckThenAct]:
        found = []
        for test, branch_nodes, body_nodes in tests_of(owner, self._state, self._contexts):
            function = enclosing_function(test)
            if function is None or self._threads.is_exempt(function):
                continue
            checked = [by_node[n] for n in walk(test) if n in by_node]
            checked += hasattr_checks(test, state)
            checked += self._property_checks(test, state, owner, function)
            checked += self._predicate_checks(test, state, owner, function)
            lookups = lookup_checks(test, by_node, function)
            candidates = []
            # The constructor (and what only it calls) runs before the object is shared:
            # a check of the instance's own state there races with nothing.
            constructing = self._threads.is_init_only(function)
            for access in [*checked, *lookups]:
                if access.quiet:
                    continue
                if (
                    constructing
                    and isinstance(access.key.owner, nodes.ClassDef)
                    and not is_class_level(access)
                ):
                    continue
                accesses = state.get(access.key.name, [])
                test_held = self._locks.held_at(test)
                acts = [
                    a
                    for a in accesses
                    if a.kind.writes
                    and a.function is function
                    and a.node in branch_nodes
                    # After a locked check exits, what follows is a new critical section
                    # (hand-over-hand locking), not an act that relies on the check.
                    and (a.node in body_nodes or not test_held.guarded)
                    and not a.held.shares_with(test_held)
                ]
                acts += self._acts_through_calls(
                    owner, accesses, branch_nodes, body_nodes, test_held, function, test
                )
                if not acts or self._rechecked(test, acts, access):
                    continue
                if access in lookups and all(read_again(a, accesses, test) for a in acts):
                    continue  # looked up again under the act's lock
                if all(takes_all(a, accesses, test) for a in acts):
                    continue  # the act takes whatever is there under the lock: a hint
                # (a fork check re-creates state in the child's single thread)
                claims = not is_getpid_test(test) and self._claims(
                    acts, access, accesses, branch_nodes
                )
                if not claims and not self._harmful(test, acts, branch_nodes, access):
                    continue
                # What follows a guard clause is its act (P8); a start there is the
                # check's own lazy start when the act stores what it starts, or when the
                # act claims the checked state (`if self._running: return` ... `self.
                # _running = True`: the guard clause is `if not self._running:` spelt
                # the other way, and what follows is the claim's work).
                lazy = claims or self._stores_started(acts, function)
                region = branch_nodes if lazy else body_nodes
                why = self._shared_why(access, acts, accesses, function, region, claims)
                if why is None:
                    continue
                record = CheckThenAct(
                    CheckShape.CLASSIC, test, access, tuple(acts), why, branch_nodes
                )
                # The state whose act does the damage names the finding (`cls.monitor`
                # rather than a setting tested beside it).
                candidates.append((not any(not a.writes_constant for a in acts), record))
            if candidates:
                found.append(min(candidates, key=lambda c: c[0])[1])
        return found

    def _checked_through_properties(self) -> set[nodes.NodeNG]:
        """The accesses inside the property getters a reported check reads (`if not
        self.is_alive:` checks `self._thread` in `is_alive`): part of that check."""
        found: set[nodes.NodeNG] = set()
        for record in self.check_then_acts:
            owner = record.access.key.owner
            if record.shape is not CheckShape.CLASSIC or not isinstance(owner, nodes.ClassDef):
                continue
            properties = self._properties(owner)
            for node in walk(record.check):
                if not (isinstance(node, nodes.Attribute) and node.attrname in properties):
                    continue
                for getter in owner.locals.get(node.attrname, ()):
                    found.update(
                        a.node
                        for a in self._state.accesses(owner).get(record.access.key.name, ())
                        if a.function is getter
                    )
        return found

    def _probes(self, owner, state) -> list[CheckThenAct]:
        """`try: return self._conn` / `except AttributeError: self._conn = connect()`: the
        read in the `try` is the check, the writes in the handler are the act."""
        found = []
        for function in self._state.functions_of(owner):
            if self._threads.is_exempt(function):
                continue
            for node in self._contexts.nodes_of(function):
                if not isinstance(node, nodes.Try) or not any(
                    catches(h, "AttributeError") for h in node.handlers
                ):
                    continue
                body = {n for statement in node.body for n in walk(statement)}
                handled = {
                    n
                    for h in node.handlers
                    if catches(h, "AttributeError")
                    for statement in h.body
                    for n in walk(statement)
                }
                for accesses in state.values():
                    probe = next(
                        (a for a in accesses if a.node in body and not a.kind.writes), None
                    )
                    acts = [a for a in accesses if a.node in handled and a.kind.writes]
                    if (
                        probe is None
                        or not acts
                        or probe.quiet
                        or probe.held.shares_with(acts[0].held)
                    ):
                        continue
                    if not self._harmful(node, acts, Branch(function, ()), probe):
                        continue
                    why = self._shared_why(probe, acts, accesses, function)
                    if why is None:
                        continue
                    found.append(
                        CheckThenAct(CheckShape.CLASSIC, probe.node, probe, tuple(acts), why)
                    )
        return found

    def _rechecked(self, test: nodes.NodeNG, acts: list[Access], checked: Access) -> bool:
        """Double-checked locking: each act is under a lock and the state is tested again
        under that lock before it (directly, or through a property that reads it). A
        check of one key (`if ticket in self._seats: return`) is tested again only by a
        look at that key: `len(self._seats)` under the lock asks something else."""
        key = checked.key
        names = {key.name}
        if isinstance(key.owner, nodes.ClassDef):
            names |= {p for p, reads in self._properties(key.owner).items() if key.name in reads}
        asked = asked_key(checked.node)
        for act in acts:
            if not act.held.guarded:
                return False
            locks = act.held.locks or frozenset(self._locks.local_held(act.node).locks)
            if not any(self._locks.tests_before(act.node, names, lock) for lock in locks):
                return False
            if asked is not None and not any(
                asked_key(other.node) == asked
                and other is not act
                and other.function is act.function
                and (test.lineno or 0) < (other.node.lineno or 0) <= (act.node.lineno or 0)
                and self._locks.held_at(other.node).shares_with(act.held)
                for other in self._state.accesses(key.owner).get(key.name, ())
            ):
                return False
        return True

    def _harmful(
        self, test: nodes.NodeNG, acts: list[Access], branch_nodes, checked: Access
    ) -> bool:
        """Running the act twice (or after the state changed) does damage: it mutates a
        container, stores a computed value, or creates and starts a worker or resource.
        Setting a flag to a constant and waking someone up is idempotent."""
        if is_getpid_test(test):
            return False
        for act in acts:
            if (
                act.kind is AccessKind.WRITE
                and act.value is not None
                and self._creates_lock(act.value)
            ):
                return False
        for act in acts:
            if act.kind in (AccessKind.MUTATE, AccessKind.RMW, AccessKind.DELETE):
                return True
            if (
                act.kind is AccessKind.WRITE
                and not is_constant(act.value)
                and not is_plain_reference(act.value)
            ):
                return True
        for node in branch_nodes.nodes(self._contexts):
            if isinstance(node, nodes.Call) and self._starts_or_creates(node):
                return True
            if self._acts_on_worker(node, checked):
                return True
        claims = any(a.kind is AccessKind.WRITE and is_constant(a.value) for a in acts)
        return claims and _publishes_work(test)

    def _acts_on_worker(self, node: nodes.NodeNG, checked: Access) -> bool:
        """`self.monitor.exit()` after `if self.monitor:`: stopping (or driving) the very
        worker or resource that was checked, which another thread may rely on."""
        if not (isinstance(node, nodes.Call) and isinstance(node.func, nodes.Attribute)):
            return False
        receiver = node.func.expr
        if getattr(receiver, "attrname", None) != checked.key.name:
            return False
        info = self._kinds.kind_of(receiver)
        return info is not None and info.kind in _WORKER_KINDS

    def _stores_started(self, acts: list[Access], function: FunctionLike) -> bool:
        """An act stores into the checked field the worker or resource it makes
        (`self._x = Thread(...)`, or `t = Thread(...); self._x = (t, stop)`): the check
        guards that start."""
        made = {
            target.name
            for node in self._contexts.nodes_of(function)
            if isinstance(node, nodes.Assign)
            and isinstance(node.value, nodes.Call)
            and self._starts_or_creates(node.value)
            for target in node.targets
            if isinstance(target, nodes.AssignName)
        }
        for act in acts:
            if act.kind is not AccessKind.WRITE or act.value is None:
                continue
            values = act.value.elts if isinstance(act.value, nodes.Tuple) else [act.value]
            for value in values:
                if isinstance(value, nodes.Call) and self._starts_or_creates(value):
                    return True
                if isinstance(value, nodes.Name) and value.name in made:
                    return True
        return False

    def _creates_lock(self, value: nodes.NodeNG) -> bool:
        if isinstance(value, nodes.Call):
            return self._locks.lock_of(value) is not None or (
                (info := self._kinds.kind_of_call(value)) is not None
                and info.kind in (Kind.LOCK, Kind.CONDITION, Kind.SEMAPHORE)
            )
        return False

    def _starts_or_creates(self, call: nodes.Call) -> bool:
        if isinstance(call.func, nodes.Attribute) and call.func.attrname in _STARTS:
            return True
        info = self._kinds.kind_of_call(call)
        return info is not None and info.kind in _RESOURCE_KINDS

    def _shared_why(
        self,
        access: Access,
        acts: list[Access],
        accesses: list[Access],
        function: FunctionLike,
        branch_nodes: Branch | None = None,
        claims: bool = False,
    ) -> Concurrency | None:
        """Why two threads can run the check and the act at once (None: no evidence)."""
        # Two threads running the check at once both pass it. Starting a worker or making
        # a resource on the outcome is the lazy start any class built for concurrent
        # callers must guard: there, its callers always count.
        starts = branch_nodes is not None and any(
            isinstance(n, nodes.Call) and self._starts_or_creates(n)
            for n in branch_nodes.nodes(self._contexts)
        )
        # A claim (a once-guard) of a field the class writes under its lock is the same
        # idiom: the lock says the field is shared, so the claim's callers count too. (A
        # claim races only another run of the check, so the lock elsewhere is no evidence
        # on its own.)
        overlap = self._overlap(access, [], callbacks=False, callers=starts or claims)
        if overlap is not None:
            return Concurrency(Reason.OVERLAP, function, overlap)
        class_level = is_class_level(access)
        if (
            (class_level or isinstance(access.key.owner, nodes.Module))
            and not self._threads.green_only
            and self._locks.takes_lock(function, strong=True)
        ):
            reason = Reason.CLASS_STATE if class_level else Reason.MODULE_GLOBAL
            return Concurrency(reason, function)
        guard = self._guard(accesses)
        if guard is not None and guard.owns and (starts or any(self._structural(a) for a in acts)):
            return Concurrency(Reason.GUARDED_ELSEWHERE, function, guard=guard)
        return None

    def _structural(self, act: Access) -> bool:
        if act.kind in (AccessKind.MUTATE, AccessKind.DELETE):
            return True
        value = act.value
        return isinstance(value, nodes.Call) and self._starts_or_creates(value)

    # -- SDL202: deferred --------------------------------------------------------------
    def _deferred(self, owner, state) -> list[CheckThenAct]:
        """A method checks `self.x`, then hands a callback to another thread (or the loop)
        that uses `self.x` without checking again, while a shutdown path sets it to None."""
        if not isinstance(owner, nodes.ClassDef):
            return []
        functions = self._state_functions(owner)
        if not any(
            self._contexts.scheduler_of(c) for f in functions for c in calls_of(f, self._contexts)
        ):
            return []
        invalidated = self._invalidated(state)
        if not invalidated:
            return []
        found = []
        for function in self._state_functions(owner):
            for call in calls_of(function, self._contexts):
                row = self._contexts.scheduler_of(call)
                if row is None or row.role is None or row.role is ThreadRole.CALLBACK:
                    continue
                callbacks = self._contexts.resolve_callables(
                    callee_argument(call, row) or call.func
                )
                for name, write in invalidated.items():
                    check = checked_before(function, call, name, state)
                    if check is None:
                        continue
                    for callback in callbacks:
                        if callback is function:
                            continue
                        use = self._first_use(callback, name, state, depth=0)
                        if use is None or use.function is write.function:
                            continue
                        why = Concurrency(
                            Reason.HANDED_OFF, check.function, handed_to=call, cleared_by=write
                        )
                        report_at = (
                            use.statement if isinstance(use.statement, nodes.Assert) else use.node
                        )
                        found.append(
                            CheckThenAct(
                                CheckShape.DEFERRED, report_at, use, (use,), why, checked=check
                            )
                        )
                        break
        return found

    def _invalidated(self, state) -> dict[str, Access]:
        """State a shutdown path sets to None (or deletes): {name: that write}."""
        found = {}
        for name, accesses in state.items():
            for access in accesses:
                if access.clears and self._on_shutdown(access.function):
                    found[name] = access
                    break
        return found

    def _on_shutdown(self, function: FunctionLike) -> bool:
        """A shutdown function, or code it schedules or defines (a nested callback)."""
        current: FunctionLike | None = function
        while current is not None:
            if self._contexts.shutdown_function(current) is not None:
                return True
            entry = self._contexts.entry_points().get(current)
            if entry is not None:
                site_function = enclosing_function(entry.site)
                if site_function is not None and self._contexts.shutdown_function(site_function):
                    return True
            current = enclosing_function(current)
        return False

    def _state_functions(self, owner: nodes.ClassDef) -> list[FunctionLike]:
        return [f for f in self._state.functions_of(owner) if not self._threads.is_exempt(f)]

    def _first_use(self, function: FunctionLike, name: str, state, depth: int) -> Access | None:
        """The first access to `name` when `function` runs: a use with no test before it
        (an `assert` counts as using it), or None when it is tested first."""
        if depth > 3:
            return None
        accesses = {a.node: a for a in state.get(name, []) if a.function is function}
        for node in walk(function):
            if isinstance(node, FunctionLike) and node is not function:
                continue
            if node in accesses:
                access = accesses[node]
                if access.in_test and not isinstance(access.statement, nodes.Assert):
                    return None  # re-checked
                if access.kind in (AccessKind.USE, AccessKind.MUTATE, AccessKind.ITERATE) or (
                    isinstance(access.statement, nodes.Assert)
                ):
                    if inside_handler(access.node, function):
                        return None
                    return access
                return None
            if isinstance(node, nodes.Call) and enclosing_function(node) is function:
                for callee in self._contexts.resolve_callables(node.func):
                    if callee is not function:
                        found = self._first_use(callee, name, state, depth + 1)
                        if found is not None:
                            return found
        return None

    # -- SDL202: save and restore of a global -------------------------------------------
    def _save_restore(self, owner, state) -> list[CheckThenAct]:
        if not isinstance(owner, nodes.Module):
            return []
        found = []
        for accesses in state.values():
            for save, replaced, restored in save_and_restores(accesses):
                if self._locks.held_at(save.node).shares_with(self._locks.held_at(restored.node)):
                    continue
                why = self._save_restore_why(save, accesses)
                if why is None:
                    continue
                found.append(
                    CheckThenAct(
                        CheckShape.SAVE_RESTORE, save.statement, save, (replaced, restored), why
                    )
                )
        return found

    def _save_restore_why(self, save: Access, accesses: list[Access]) -> Concurrency | None:
        overlap = self._overlap(save, [a for a in accesses if a.kind.writes], callbacks=False)
        if overlap is not None:
            return Concurrency(Reason.OVERLAP, save.function, overlap)
        guard = self._guard(accesses)
        if guard is not None:
            return Concurrency(Reason.GUARDED_ELSEWHERE, save.function, guard=guard)
        if self._threads.module_has_threads() and any(
            t.role is ThreadRole.CALLER for t in save.threads
        ):
            return Concurrency(Reason.PUBLIC, save.function)
        return None

    # -- SDL201 ----------------------------------------------------------------------
    @cached_property
    def unguarded_accesses(self) -> list[UnguardedAccess]:
        found = []
        # A reported read-modify-write is its whole statement (`d[k] = d.get(k) + 1`).
        statements = {r.access.statement for r in self.read_modify_writes}
        rmw = {
            a.node
            for owner in self._state.owners
            for accesses in self._state.accesses(owner).values()
            for a in accesses
            if a.statement in statements
        }
        acts = self.reported_acts
        for owner in self._state.owners:
            state = self._state.accesses(owner)
            protocols = {name: self._protocol(accesses) for name, accesses in state.items()}
            for name, accesses in state.items():
                record = self._unguarded(accesses, rmw | acts, protocols[name])
                if (
                    record is None
                    and protocols[name] is None
                    # The class's lock guards its instances' state: what it guards says
                    # nothing of a field of the class object, which no instance lock can.
                    and StateKey(owner, name) not in self._state.class_fields
                ):
                    others = [g for n, g in protocols.items() if g is not None and n != name]
                    if others:
                        record = self._class_level(accesses, rmw | acts, others[0])
                if record is not None:
                    found.append(record)
        return found

    def _protocol(self, accesses: list[Access]) -> Guard | None:
        """The thread lock L the state's accesses follow (Eraser's lockset): most of its
        writes after the constructor hold L, or, where the writes do not, most of all its
        accesses do. What an access without L breaks is `conflicting` (semantic) and
        `_lockset_conflicts` (the protocol)."""
        if not any(a.kind.writes and not a.quiet for a in accesses):
            return None  # set once in the constructor: read in a locked region, not guarded
        guard = self._guard(accesses)
        if guard is not None and guard.owns and self._locks.is_thread_lock(guard.lock):
            return guard
        every = self._guard(accesses, writes_only=False)
        if every is None or not self._locks.is_thread_lock(every.lock):
            return None
        live = [a for a in accesses if not a.quiet]
        holding = [a for a in live if every.lock in a.held.locks]
        return every if 2 * len(holding) >= len(live) else None

    def _lockset_conflicts(
        self, access: Access, accesses: list[Access], lock: LockId, writes: Guard | None
    ):
        """What an unguarded write breaks (P1, judged by outcome): where the field's writes
        take the lock and the class's own thread stores without it, the protocol the
        callers' writes follow, so every locked access. Otherwise nothing: one atomic
        store takes effect at one point, and a critical section that read the field once
        ends as if the store came after it, lock or not; a lone read sees the old value
        or the new one either way. What a stale value costs is a check-then-act (SDL202)
        or a use after a clear (the semantic conflicts). A store followed by the writer's
        own critical section on the lock is ordered by that section. `writes`: the lock
        the state's writes hold (`_guard`), computed once by the caller."""
        if (
            not access.kind.writes
            or access.atomic
            or at_own_slot(access)
            or self._locks_after(access, lock)
        ):
            return []
        if (
            writes is not None
            and writes.owns
            and writes.lock == lock
            and any(t.role in _WORKER_ROLES and not t.via_api for t in access.threads)
        ):
            return [o for o in accesses if o is not access and not o.quiet and lock in o.held.locks]
        if access.kind in (AccessKind.WRITE, AccessKind.MUTATE):
            return self._every_other_locks(access, accesses, lock)
        return []

    def _every_other_locks(self, access: Access, accesses: list[Access], lock: LockId):
        """P1 where the protocol has one exception: every other access of the field holds
        the lock, and one of the module's own threads (a thread it starts, a pool it
        submits to, a callback it hands to one) stores it, or changes it in place
        (`self._log.append(x)`, `self._seen[k] = v`), without. The readers hold the lock
        to see the field and what goes with it as one; the thread's change is ordered
        with none of them. (A caller's lone store is left to the other rules: the owner
        may set a field before or between its own calls.)"""
        others = [o for o in accesses if o is not access and not o.quiet]
        if any(lock not in o.held.locks for o in others):
            return []
        if any(t.role in _WORKER_ROLES for t in access.threads):
            return others
        # A caller's store that clears the field does break a critical section that
        # reads it twice (a test, then a use): the lock is there to make the two reads
        # one, and a clear that does not take it can land between them.
        return self._read_twice_under(lock, others) if access.clears else []

    def _read_twice_under(self, lock: LockId, accesses: list[Access]) -> list[Access]:
        """The reads among `accesses` made in a critical section on `lock` that reads the
        field more than once (`with lock: if cls._instance is None: ...; return
        cls._instance`)."""
        sections: dict[nodes.NodeNG, list[Access]] = {}
        for access in accesses:
            if access.kind.writes:
                continue
            section = self._locks.section_of(access.node, lock)
            if section is not None:
                sections.setdefault(section, []).append(access)
        return [a for reads in sections.values() if len(reads) > 1 for a in reads]

    def _locks_after(self, access: Access, lock: LockId) -> bool:
        """The statements after the access in its block take `lock` before anything leaves
        the block: the writer's own critical section follows the store on its path."""
        follower = access.statement.next_sibling()
        while follower is not None and not isinstance(follower, EXITS):
            if isinstance(follower, nodes.With | nodes.AsyncWith) and any(
                (info := self._locks.lock_of(item)) is not None and info.lock == lock
                for item, _ in follower.items
            ):
                return True
            # `self._cond.acquire()` as a statement of its own: the same section, spelt out.
            call = follower.value if isinstance(follower, nodes.Expr) else None
            if (
                isinstance(call, nodes.Call)
                and isinstance(call.func, nodes.Attribute)
                and call.func.attrname == "acquire"
                and (info := self._locks.lock_of(call.func.expr)) is not None
                and info.lock == lock
            ):
                return True
            follower = follower.next_sibling()
        return False

    def _class_level(
        self, accesses: list[Access], taken, other_state: Guard
    ) -> UnguardedAccess | None:
        """SPEC's class-level clause: the class guards its other state with a lock and
        this state, which no access locks, with none, while one of the class's own
        threads writes it (a computed value: a constant flag store is atomic and stays
        exempt) and another thread reads it twice in one function (a check, then a use)."""
        if any(a.held.guarded for a in accesses if not a.quiet):
            return None
        if any(self._kinds.kind_of(a.node) is not None for a in accesses if not a.kind.writes):
            # A handle to an object that synchronises itself (a thread, a timer, a queue) is
            # swapped in one store and used through its own lock; what a stale handle
            # costs is a lifecycle question (SDL105, SDL4xx), not a torn value.
            return None
        live_writes = [a for a in accesses if not a.quiet and a.kind.writes]
        first_reads: dict[FunctionLike, Access] = {}
        for read in sorted(accesses, key=lambda a: (a.node.lineno or 0, a.node.col_offset or 0)):
            if not read.quiet and not read.kind.writes:
                first_reads.setdefault(read.function, read)
        for write in accesses:
            if (
                write.quiet
                or write.node in taken
                or write.kind is not AccessKind.WRITE
                or write.writes_constant
                or not any(t.role in _WORKER_ROLES and not t.via_api for t in write.threads)
            ):
                continue
            # A store between two reads of one function changes what it does (a check and
            # then a use); a lone read sees the old value or the new one, lock or not.
            reads = Counter(
                a.function
                for a in accesses
                if not a.quiet and not a.kind.writes and a.function is not write.function
            )
            readers = [
                a for a in accesses if not a.quiet and not a.kind.writes and reads[a.function] > 1
            ]
            if self._published_before(write, readers):
                continue
            if all(never_unset(w.value) for w in live_writes):
                # Every store sets it (None only before): a reader that first tests it is
                # set sees it set on its second read too, as if the store came first.
                readers = [r for r in readers if not presence_test(first_reads[r.function])]
            for reader in readers:
                if self._order.joined_before(write, reader) or self._order.handed_on_before(
                    write, reader
                ):
                    continue
                pair = concurrent_pair(
                    write.threads,
                    reader.threads,
                    interrupts=False,
                    ordered=self._order.threads_ordered(write, reader),
                )
                if pair is not None:
                    overlap = Overlap(pair[0], pair[1], reader)
                    return UnguardedAccess(write, other_state, overlap, False, (), Protocol.CLASS)
        return None

    def _unguarded(self, accesses: list[Access], taken, protocol: Guard | None):
        writes = self._guard(accesses)
        guard = protocol or writes
        if guard is None:
            return None
        candidates: list[tuple[tuple, Access, Overlap | None, str]] = []
        for access in accesses:
            if access.quiet or access.held.guarded or access.node in taken:
                continue
            conflicting = semantic_conflicts(access, accesses)
            if protocol is not None:
                conflicting += [
                    o
                    for o in self._lockset_conflicts(access, accesses, protocol.lock, writes)
                    if o not in conflicting
                ]
            if not conflicting:
                continue
            if self._published_before(access, accesses):
                continue
            unordered = [
                o
                for o in conflicting
                if not self._order.joined_before(access, o)
                and not self._order.handed_on_before(access, o)
            ]
            concurrent = unordered
            if access.kind.writes and self._hands_off_after(access):
                # Written before this function hands work to another thread: ordered
                # before what that thread does (its accesses run on no caller thread).
                concurrent = [
                    o for o in concurrent if any(t.role is ThreadRole.CALLER for t in o.threads)
                ]
            overlap = (
                self._overlap(access, concurrent, callbacks=False, callers=protocol is not None)
                if concurrent
                else None
            )
            # A shutdown path that joined the threads first is ordered after them.
            guarded_conflict = any(o.held.guarded for o in unordered)
            on_shutdown = (
                overlap is None
                and guarded_conflict
                and guard.owns
                and self._contexts.shutdown_function(access.function) is not None
            )
            if overlap is None and not on_shutdown:
                continue
            if self._order.frozen_after_flag(access, accesses):
                continue
            on_worker = any(t.role in _WORKER_ROLES for t in access.threads)
            rank = (
                not (access.kind.writes and on_worker),
                not on_shutdown,
                access.node.lineno or 0,
            )
            candidates.append((rank, access, overlap, on_shutdown))
        if not candidates:
            return None
        candidates.sort(key=lambda c: c[0])
        _, access, overlap, on_shutdown = candidates[0]
        others = tuple(c[1] for c in candidates[1:])
        return UnguardedAccess(access, guard, overlap, on_shutdown, others)


def _publishes_work(test: nodes.NodeNG) -> bool:
    """After claiming the checked flag (`self._loaded = True`, the caller's test), the
    body of the `if` stores on the object a value it computed (`matrix =
    load(...)` then `self._matrix = matrix`, or the call as the value): two threads past
    the check both do the work, and one that sees the check's state changed before the
    result is stored works without it."""
    branch = test.parent
    if not isinstance(branch, nodes.If) or test is not branch.test:
        return False
    inside = [n for statement in branch.body for n in walk(statement)]
    computed = {
        t.name
        for n in inside
        if isinstance(n, nodes.Assign) and isinstance(n.value, nodes.Call | nodes.Await)
        for t in n.targets
        if isinstance(t, nodes.AssignName)
    }
    for n in inside:
        if isinstance(n, nodes.Assign) and any(
            isinstance(t, nodes.AssignAttr) and is_self_parameter(t.expr) for t in n.targets
        ):
            value = n.value.value if isinstance(n.value, nodes.Await) else n.value
            if isinstance(value, nodes.Call) or (
                isinstance(value, nodes.Name) and value.name in computed
            ):
                return True
    return False
