"""What a check reads and what its act writes beyond the `if` test's own attributes (P8,
the real shape of a check): a property (`if not self.is_alive:` reads `self._thread`), a
predicate method (`if self.is_free(bay):` reads what it returns), an act made through
a method of the class called in the check's block that writes the state under its own
hold of the lock, and a claim (a store into the checked field itself). A mixin of
`Races`, which owns the state, the locks and the threads.
"""

from __future__ import annotations

from astroid import nodes

from shutdownlint.analysis.infer import (
    FunctionLike,
    decorator_names,
    enclosing_function,
    is_self_parameter,
    property_reads,
    walk,
)
from shutdownlint.analysis.race_shapes import depends_on_arguments, self_rooted
from shutdownlint.analysis.shared import Access, AccessKind, is_constant


class CheckReads:
    """The reads and acts of a check that go through the class's own methods."""

    def _properties(self, cls: nodes.ClassDef) -> dict[str, frozenset[str]]:
        if cls not in self._property_cache:
            self._property_cache[cls] = property_reads(cls)
        return self._property_cache[cls]

    def _property_checks(self, test, state, owner, function) -> list[Access]:
        """`if not self.is_alive:` checks what the property reads (`self._thread`)."""
        if not isinstance(owner, nodes.ClassDef):
            return []
        properties = self._properties(owner)
        found = []
        for node in walk(test):
            if not (isinstance(node, nodes.Attribute) and is_self_parameter(node.expr)):
                continue
            for name in sorted(properties.get(node.attrname, ())):
                accesses = state.get(name)
                if accesses:
                    found.append(self._test_read(accesses[0].key, node, function))
        return found

    def _predicate_checks(self, test, state, owner, function) -> list[Access]:
        """`if self.is_free(bay):` checks what the method returns (P8): a method of the
        class whose return values read the state and which changes none of it (a
        test-and-set method, `if self._try_claim(bay):`, is one atomic step, no check).
        The method's own lock ends with its return: the act after it is not under it."""
        if not isinstance(owner, nodes.ClassDef):
            return []
        found = []
        for node in walk(test):
            if not (
                isinstance(node, nodes.Call)
                and isinstance(node.func, nodes.Attribute)
                and is_self_parameter(node.func.expr)
            ):
                continue
            for name in sorted(self._predicates(owner).get(node.func.attrname, ())):
                accesses = state.get(name)
                if accesses:
                    found.append(self._test_read(accesses[0].key, node, function))
        return found

    def _test_read(self, key, node: nodes.NodeNG, function) -> Access:
        """A read of `key` made by `node` in the test of a check (through a property or
        a predicate method)."""
        return Access(
            key,
            node,
            node.statement(),
            function,
            AccessKind.READ,
            self._locks.held_at(node),
            self._threads.threads_of(function),
            in_test=True,
        )

    def _predicates(self, cls: nodes.ClassDef) -> dict[str, frozenset[str]]:
        """{method of the class (not a property): the attributes of `self` its return
        values read, where it writes none of them}."""
        if cls not in self._predicate_cache:
            state = self._state.accesses(cls)
            found: dict[str, frozenset[str]] = {}
            for method in cls.mymethods():
                if "property" in decorator_names(method) or method.name.startswith("__"):
                    continue
                read = {
                    n.attrname
                    for ret in method.nodes_of_class(nodes.Return)
                    if ret.value is not None and enclosing_function(ret) is method
                    for n in walk(ret.value)
                    if isinstance(n, nodes.Attribute) and is_self_parameter(n.expr)
                }
                read = {
                    name
                    for name in read
                    if name in state
                    and not any(a.kind.writes and a.function is method for a in state[name])
                }
                if read:
                    found[method.name] = frozenset(read)
            self._predicate_cache[cls] = found
        return self._predicate_cache[cls]

    def _acts_through_calls(
        self, owner, accesses: list[Access], branch_nodes, body_nodes, test_held, function, test
    ) -> list[Access]:
        """The act is whatever the check's outcome reaches (P8), also through a method of
        the class the check's block calls (`self._assign(bay, bus)`): that method's writes
        of the state, under its own hold of the lock, are not under the one the check ran
        in. A lock the caller holds at the call (and at the check) is held in the method
        too, whatever the method calls its own lock. (A method that writes with no lock
        at all is the class's unlocked code, whose callers' protocol the module cannot
        see: not followed.)"""
        if not isinstance(owner, nodes.ClassDef):
            return []
        called = set()
        for node in branch_nodes.nodes(self._contexts):
            if (
                isinstance(node, nodes.Call)
                and isinstance(node.func, nodes.Attribute)
                and is_self_parameter(node.func.expr)
                # After a guard clause (`if self.busy(g): raise`) a call in the same
                # block is still the act, as an inline write is, unless the check ran
                # under a lock whose region ended (hand-over-hand: a new critical
                # section). A call nested under a further test relies on that test.
                and (
                    node in body_nodes
                    or (not test_held.guarded and node.statement().parent is test.parent.parent)
                )
                # A lock held at the call is held in the callee: check and act share it.
                and not self._locks.held_at(node).shares_with(test_held)
            ):
                called.update(
                    f
                    for f in owner.locals.get(node.func.attrname, ())
                    if isinstance(f, FunctionLike)
                )
        called.discard(function)
        return [
            a
            for a in accesses
            if a.kind.writes
            and a.function in called
            and not a.quiet
            and a.held.guarded
            and not a.held.shares_with(test_held)
        ]

    def _claims(
        self, acts: list[Access], checked: Access, accesses: list[Access], branch_nodes
    ) -> bool:
        """The act claims the checked state: it stores into the very field the check
        tested, so the next caller's check fails (`if not self._started: self._started =
        True`, `if self._active is None: self._active = rollout`). Two racers that both
        pass both claim. That does damage when the stored value differs between them (a
        value made from the call's arguments: the second store replaces the first's
        claim, whose work goes on; a value any racer computes alike is a memo) or when
        the claim guards work on the object (a call on `self` or on one of its fields
        after the claim in what the outcome reaches: it runs twice). A constant claim
        that guards nothing (or only logging) is idempotent. Only a claim of a field
        whose protocol is the lock counts (more of its writes hold the lock than not):
        the lock says the field is shared (a one-shot flag of an object one thread uses
        at a time is consumed, not claimed; one reset under a lock is no protocol)."""
        stores = [
            a
            for a in acts
            if a.kind is AccessKind.WRITE and a.key == checked.key and a.value is not None
        ]
        if not stores or any(self._creates_lock(a.value) for a in stores):
            return False
        guard = self._guard(accesses)
        writes = [a for a in accesses if a.kind.writes and not a.quiet]
        if guard is None or 2 * sum(guard.lock in a.held.locks for a in writes) <= len(writes):
            return False
        if any(depends_on_arguments(a.value) for a in stores):
            return True
        # The claim comes first and the work after it; or the work comes first and a
        # constant store marks it done (`if self._homed: return; self._motor.seek_zero();
        # self._homed = True`: once-only work, run by every racer that passed). A store
        # after work that uses the checked state is a release instead (`self._t.close();
        # self._t = None` works on what the check saw).
        claimed_at = min(a.node.lineno or 0 for a in stores)
        marks_done = all(is_constant(a.value) for a in stores)
        return any(
            isinstance(node, nodes.Call)
            and isinstance(node.func, nodes.Attribute)
            and self_rooted(node.func.expr)
            and (
                (node.lineno or 0) > claimed_at
                or (marks_done and not _reads(node.func.expr, checked.key.name))
            )
            for node in branch_nodes.nodes(self._contexts)
        )


def _reads(receiver: nodes.NodeNG, name: str) -> bool:
    """`receiver` goes through the field `name` (`self._t`, `self._t.sock`)."""
    return any(isinstance(n, nodes.Attribute) and n.attrname == name for n in walk(receiver))
