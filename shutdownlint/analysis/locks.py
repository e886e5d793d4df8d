"""Which locks are held at a node (lock sets), and what counts as a lock.

A lock is recognised through `kinds` (`threading.Lock/RLock`, a `Condition`, which
stands for the lock it wraps, asyncio and multiprocessing locks, factories and
aliases that inference follows), through structure (an instance of a class that
defines `acquire` and `release`; a getter or factory returning one), and, last, by
its name (`with self._mutex:` on a parameter nothing else describes). How a lock
was recognised is kept (`Evidence`): a name-only lock makes an access guarded, but
rules never treat it as proof that the class guards its state with it.

A lock is held at a node when the node is inside `with L:` / `async with L:`,
after `L.acquire()` (or a lock wrapper: a function whose effect is `L.acquire()`,
such as logging's `_acquireLock()`) in the same or an enclosing block and before
the matching `L.release()` (a `try/finally` releasing it ends the region), in the
body of `if L.acquire(False):`, after `if not L.acquire(False): return`, or when
every caller of a private helper holds it (held-by-all-callers, computed as a
fixpoint over the module's call graph).

A busy flag claimed under a lock is a run token, held like a lock: `with L: if
self._busy: return` (or raise) then `self._busy = True` turns every other thread away
until `self._busy = False`, so the code between the claim (there, or after a call of a
helper that claims it) and the release runs on one thread at a time. A token excludes
only code that holds it; it is recognised by structure alone (`Evidence.NAME`), so it
never makes a field's protocol lock. A helper whose name or docstring says the
caller holds the lock (`_drain_locked`, "Must be called with the lock held"), and
a method a framework calls with a lock held (`logging.Handler.emit`, table
`HELD_BY_FRAMEWORK`), count as holding every lock by contract.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from enum import IntEnum
from functools import cached_property

from astroid import bases, nodes
from astroid.exceptions import AstroidError

from shutdownlint.analysis.astroid_env import proxied
from shutdownlint.analysis.contexts import Contexts
from shutdownlint.analysis.infer import (
    FunctionLike,
    decorator_names,
    dotted_name,
    enclosing_class,
    enclosing_function,
    function_of,
    infer_values,
    is_self_parameter,
    last_name,
    lookup,
    positional_parameters,
    self_getattr_name,
    walk,
)
from shutdownlint.analysis.kinds import Kinds, attribute_values
from shutdownlint.analysis.vocabulary import Flavor, Kind


class Evidence(IntEnum):
    """How an object was recognised as a lock (stronger is larger)."""

    NAME = 1  # only its name says so
    STRUCTURE = 2  # a lock-like class, a getter or factory returning a lock
    KIND = 3  # a known lock type (`kinds`)


@dataclass(frozen=True)
class LockId:
    """The identity of a lock within a module: `self.<name>` of the instance (the same
    lock whichever method or subclass names it), a module global, or an expression
    as written (`self._pool.lock`) within its class or module."""

    key: str
    owner: nodes.NodeNG | None = None


@dataclass(frozen=True)
class LockInfo:
    lock: LockId
    evidence: Evidence
    shown: str  # how a message names it: "self._lock"
    flavor: Flavor | None = None  # threading, asyncio...: known for a `kinds` lock


@dataclass(frozen=True)
class Held:
    """The locks held at a node. `by_contract`: the code runs with its class's lock held
    by convention (a `*_locked` helper, a framework callback): every lock counts."""

    locks: frozenset[LockId] = frozenset()
    by_contract: bool = False

    @property
    def guarded(self) -> bool:
        return self.by_contract or bool(self.locks)

    def holds(self, lock: LockId) -> bool:
        return self.by_contract or lock in self.locks

    def shares_with(self, other: Held) -> bool:
        """Some lock is held at both."""
        if self.by_contract:
            return other.guarded
        if other.by_contract:
            return self.guarded
        return bool(self.locks & other.locks)

    def meet(self, other: Held) -> Held:
        """The locks held on both of two paths (by contract: every lock)."""
        if self.by_contract:
            return other
        if other.by_contract:
            return self
        return Held(self.locks & other.locks)


NOTHING = Held()
EVERY_LOCK = Held(by_contract=True)

#: Methods a framework calls with a lock of the instance held: (base class, method,
#: the attribute holding the lock). `logging.Handler.handle` calls `emit` between
#: `self.acquire()` and `self.release()`.
HELD_BY_FRAMEWORK: tuple[tuple[str, str, str], ...] = (("logging.Handler", "emit", "lock"),)

_CONTRACT_SUFFIXES = ("_locked", "_unlocked", "_no_lock", "_nolock", "_lock_held")
_CONTRACT_DOC = re.compile(
    r"(lock|mutex)\w*\s+(is\s+|must\s+be\s+|should\s+be\s+)?(held|acquired|taken)"
    r"|(hold|holding|acquire)\s+(the\s+)?[\w.`'\"]*(lock|mutex)\w*\s+before"
    r"|(with|while|under)\s+(the\s+)?[\w.`'\"]*(lock|mutex)\w*\s+(held|acquired|taken)"
    r"|(caller|callers)\s+(must\s+)?(hold|holds|own|owns|have\s+acquired)\s+(the\s+)?[\w.`'\"]*(lock|mutex)",
    re.I,
)
# Names a lock goes by when nothing else describes it (lock sets only, never a finding).
_LOCK_NAME = re.compile(r"(^|_)(r?lock|mutex|cond|cv|condition)s?($|_)|lock$", re.I)
_LOCK_KINDS = frozenset({Kind.LOCK, Kind.CONDITION})
# A wrapper inherited from another module is only looked for behind calls named like
# one (`self.acquire()`, `logging._acquireLock()`): inferring every call is too slow.
_LOCKISH_CALL = re.compile(r"acquire|release|lock", re.I)
_ACQUIRE, _RELEASE = "acquire", "release"
# Statements a lock wrapper may have besides the acquire/release (docstring, guards).
_WRAPPER_MAX_STATEMENTS = 3
_BLOCK_FIELDS = ("body", "orelse", "finalbody")
_TEST_HELPER_DEPTH = 2
_EXITS = (nodes.Return, nodes.Raise, nodes.Continue, nodes.Break)


class Locks:
    """Locks and lock sets of one module (a per-module fact)."""

    def __init__(self, module: nodes.Module, kinds: Kinds, contexts: Contexts, stats: Counter[str]):
        self._module = module
        self._kinds = kinds
        self._contexts = contexts
        self._stats = stats
        self._lock_cache: dict[nodes.NodeNG, LockInfo | None] = {}
        self._attribute_cache: dict[tuple[nodes.ClassDef, str], LockInfo | None] = {}
        self._lock_fields: dict[str, bool] = {}  # field name -> a lock in every class
        self._effects_cache: dict[nodes.NodeNG, tuple[tuple[LockId, bool], ...]] = {}
        self._wrapper_cache: dict[nodes.NodeNG, tuple[LockInfo, bool] | None] = {}
        self._held_cache: dict[nodes.NodeNG, Held] = {}
        self._takes_cache: dict[tuple[FunctionLike, bool], bool] = {}
        self._entry_on_cache: dict[tuple[FunctionLike, object], Held | None] = {}
        # What is known of each lock seen so far: how it was recognised, how it is
        # written, and its API family (threading, asyncio...).
        self.evidence: dict[LockId, Evidence] = {}
        self.shown: dict[LockId, str] = {}
        self.flavors: dict[LockId, Flavor] = {}

    # -- what is a lock ----------------------------------------------------------
    def lock_of(self, expr: nodes.NodeNG) -> LockInfo | None:
        """The lock `expr` denotes (a `with` item, an `acquire()` receiver), if any."""
        if expr in self._lock_cache:
            return self._lock_cache[expr]
        # `self._lock` means the same object in every method of a class: decide it once.
        shared_key = _attribute_key(expr)
        if shared_key is not None and shared_key in self._attribute_cache:
            info = self._attribute_cache[shared_key]
            if info is not None:
                info = LockInfo(info.lock, info.evidence, expr.as_string(), info.flavor)
            self._lock_cache[expr] = info
            return info
        self._lock_cache[expr] = None  # recursion guard
        try:
            info = self._compute_lock(expr)
        except RecursionError:
            self._stats["gave_up"] += 1
            info = None
        self._lock_cache[expr] = info
        if shared_key is not None:
            self._attribute_cache[shared_key] = info
        if info is not None:
            known = self.evidence.get(info.lock)
            if known is None or info.evidence > known:
                self.evidence[info.lock] = info.evidence
                self.shown[info.lock] = info.shown
            if info.flavor is not None:
                self.flavors[info.lock] = info.flavor
        return info

    def _compute_lock(self, expr: nodes.NodeNG) -> LockInfo | None:
        if isinstance(expr, nodes.Call):
            attribute = _getattr_of_self(expr)
            if attribute is not None:
                return self.lock_of(attribute)
            return self._lock_from_call(expr)
        if isinstance(expr, nodes.Name):
            alias = _local_alias(expr)
            if alias is not None:
                return self.lock_of(alias)
        identity = _identity(expr)
        if identity is None:
            return None
        lock, shown = identity
        info = self._kinds.kind_of(expr)
        if info is not None and info.kind is Kind.SEMAPHORE and _binary(info.creations):
            # `Semaphore(1)` taken with `with` admits one thread at a time: a lock.
            return LockInfo(lock, Evidence.KIND, shown, info.flavor)
        if info is not None and info.kind in _LOCK_KINDS:
            if info.kind is Kind.CONDITION:
                wrapped = self._condition_lock(info.creations)
                if wrapped is not None:
                    return wrapped
            return LockInfo(lock, Evidence.KIND, shown, info.flavor)
        if info is not None:
            return None  # a queue, an event...: not a lock
        if self._is_lock_like_value(expr):
            return LockInfo(lock, Evidence.STRUCTURE, shown)
        name = expr.attrname if isinstance(expr, nodes.Attribute) else getattr(expr, "name", "")
        if _LOCK_NAME.search(name or ""):
            if isinstance(expr, nodes.Attribute) and self._module_lock_field(expr.attrname):
                # `self._vat.lock`, where the module's class that carries a `lock` field
                # makes it a lock (`self.lock = threading.Lock()`): a collaborator's lock
                return LockInfo(lock, Evidence.STRUCTURE, shown, Flavor.THREADING)
            if _handed_to_constructor(expr) and not isinstance(expr.parent, nodes.AsyncWith):
                # `self._lock = lock` from `__init__(self, ..., lock)`, taken with `with`:
                # a lock handed to the constructor (SPEC "Concurrent callers").
                return LockInfo(lock, Evidence.STRUCTURE, shown, Flavor.THREADING)
            return LockInfo(lock, Evidence.NAME, shown)
        return None

    def _module_lock_field(self, name: str) -> bool:
        """Some class of the module assigns its field `name` and every such assignment
        makes a thread lock (`self.lock = threading.Lock()`)."""
        found = self._lock_fields.get(name)
        if found is None:
            kinds = [
                self._kinds.kind_of(target.parent.value)
                for cls in self._module.nodes_of_class(nodes.ClassDef)
                for target in cls.instance_attrs.get(name, ())
                if isinstance(target, nodes.AssignAttr) and isinstance(target.parent, nodes.Assign)
            ]
            found = bool(kinds) and all(
                k is not None and k.kind in _LOCK_KINDS and k.flavor is not Flavor.ASYNCIO
                for k in kinds
            )
            self._lock_fields[name] = found
        return found

    def _condition_lock(self, creations: tuple[nodes.NodeNG, ...]) -> LockInfo | None:
        """`Condition(self._mutex)` stands for `self._mutex`."""
        for creation in creations:
            if isinstance(creation, nodes.Call):
                arg = creation.args[0] if creation.args else None
                arg = arg or next(
                    (k.value for k in creation.keywords or () if k.arg == "lock"), None
                )
                if arg is not None and not (isinstance(arg, nodes.Const) and arg.value is None):
                    wrapped = self.lock_of(arg)
                    if wrapped is not None:
                        return wrapped
        return None

    def _lock_from_call(self, call: nodes.Call) -> LockInfo | None:
        """`cls.get_lock()`, `self._lock_for()`: a getter of the module returning a lock."""
        func = call.func
        name = last_name(func) or ""
        own_method = (
            isinstance(func, nodes.Attribute)
            and is_self_parameter(func.expr)
            and self._contexts.defines_function(name)
        )
        if not own_method and not _LOCKISH_CALL.search(name):
            return None  # cheap: `with open(...)`, `with self.assertRaises(...)` are no locks
        for function in self._contexts.resolve_callables(call.func):
            if isinstance(function, nodes.Lambda):
                continue
            if _is_context_manager(function):
                return self._held_at_yield(function)
            returned = [
                r.value
                for r in walk(function)
                if isinstance(r, nodes.Return)
                and r.value is not None
                and enclosing_function(r) is function
            ]
            found = [self.lock_of(v) for v in returned]
            if found and all(found):
                best = max(found, key=lambda i: i.evidence)
                evidence = max(best.evidence, Evidence.STRUCTURE)
                return LockInfo(best.lock, evidence, best.shown, best.flavor)
        return None

    def _held_at_yield(self, function: nodes.FunctionDef) -> LockInfo | None:
        """`@contextmanager def send_context(self): with self._mutex: ... yield`: the body
        of `with self.send_context():` runs under the lock held at every `yield`."""
        yields = [n for n in self._contexts.nodes_of(function) if isinstance(n, nodes.Yield)]
        if not yields:
            return None
        common = frozenset.intersection(*(self._local(y)[0].locks for y in yields))
        if not common:
            return None
        lock = min(common, key=lambda k: str(k.key))
        evidence = max(self.evidence.get(lock, Evidence.NAME), Evidence.STRUCTURE)
        shown = self.shown.get(lock, str(lock.key))
        return LockInfo(lock, evidence, shown, self.flavors.get(lock))

    def _is_lock_like_value(self, expr: nodes.NodeNG) -> bool:
        """An instance of a class that defines `acquire` and `release`."""
        for site in self._kinds.creation_sites(expr):
            if isinstance(site, nodes.Call):
                for callee in infer_values(site.func, self._stats):
                    if isinstance(callee, nodes.ClassDef) and is_lock_like_class(callee):
                        return True
        for value in infer_values(expr, self._stats):
            if isinstance(value, bases.Instance) and not isinstance(value, bases.BoundMethod):
                cls = proxied(value)
                if isinstance(cls, nodes.ClassDef) and is_lock_like_class(cls):
                    return True
        return False

    def is_strong(self, lock: LockId) -> bool:
        """Recognised by more than its name: proof that the code locks on purpose."""
        return self.evidence.get(lock, Evidence.NAME) > Evidence.NAME

    def is_thread_lock(self, lock: LockId) -> bool:
        """A strong lock that excludes threads (not an asyncio lock, which orders tasks)."""
        return self.is_strong(lock) and self.flavors.get(lock) is not Flavor.ASYNCIO

    def is_lock_implementation(self, cls: nodes.ClassDef) -> bool:
        """A class that is itself a lock (its own state is the lock's business): it, or a
        base in this module, defines `acquire` and `release`. Inheriting them from another
        module does not count (a `logging.Handler` subclass keeps state of its own)."""
        try:
            own = [c for c in (cls, *cls.ancestors()) if c.root() is self._module]
        except (AstroidError, RecursionError):
            own = [cls]
        return all(
            any(_lock_method(c.locals.get(m, [None])[0], m) for c in own)
            for m in (_ACQUIRE, _RELEASE)
        )

    # -- lock wrappers -----------------------------------------------------------
    def _wrapper_effect(self, function: FunctionLike) -> tuple[LockInfo, bool] | None:
        """`def _acquireLock(): if _lock: _lock.acquire()` acquires `_lock` (True); the
        matching release function releases it (False)."""
        if function in self._wrapper_cache:
            return self._wrapper_cache[function]
        self._wrapper_cache[function] = None
        found = None
        if isinstance(function, nodes.FunctionDef):
            body = [s for s in function.body if not _is_docstring(s)]
            if 0 < len(body) <= _WRAPPER_MAX_STATEMENTS:
                effects = []
                for statement in body:
                    inner = statement.body if isinstance(statement, nodes.If) else [statement]
                    for s in inner:
                        call = _call_of_statement(s)
                        if call is not None:
                            effect = self._direct_effect(call)
                            if effect is not None:
                                effects.append(effect)
                if len(effects) == 1 and not self._undone(function, effects[0]):
                    found = effects[0]
        self._wrapper_cache[function] = found
        return found

    def _undone(self, function: FunctionLike, effect: tuple[LockInfo, bool]) -> bool:
        """The function also does the opposite to the same lock (an acquire released in a
        `finally` further down): it holds the lock for a while, it is no wrapper."""
        info, acquires = effect
        for call in self._contexts.nodes_of(function):
            if isinstance(call, nodes.Call):
                other = self._direct_effect(call)
                if other is not None and other[1] is not acquires and other[0].lock == info.lock:
                    return True
        return False

    def _direct_effect(self, call: nodes.Call) -> tuple[LockInfo, bool] | None:
        func = call.func
        if isinstance(func, nodes.Attribute) and func.attrname in (_ACQUIRE, _RELEASE):
            info = self.lock_of(func.expr)
            if info is not None:
                return info, func.attrname == _ACQUIRE
        return None

    def _call_effect(self, call: nodes.Call) -> tuple[LockInfo, bool] | None:
        """What a call does to a lock: acquire, release, or (None) nothing known."""
        effect = self._direct_effect(call)
        if effect is not None:
            return effect
        if not isinstance(call.func, nodes.Name | nodes.Attribute):
            return None
        name = last_name(call.func) or ""
        if name not in self._wrapper_names and not _LOCKISH_CALL.search(name):
            return None  # cheap: no function of the module, nor a lock-like name
        functions = list(self._contexts.resolve_callables(call.func))
        if (
            not functions
            and isinstance(call.func, nodes.Attribute)
            and is_self_parameter(call.func.expr)
            and not call.args
            and not call.keywords
        ):
            # A wrapper inherited from another module (`self.acquire()` of a
            # `logging.Handler`): a method of the instance called with no arguments.
            functions = [
                f for f in (function_of(v) for v in infer_values(call.func, self._stats)) if f
            ]
        for function in functions[:2]:
            effect = self._wrapper_effect(function)
            if effect is not None:
                return effect
        return None

    @cached_property
    def _wrapper_names(self) -> frozenset[str]:
        """Names of the module's functions that are lock wrappers."""
        return frozenset(
            node.name
            for node in self._contexts.nodes_by_function
            if isinstance(node, nodes.FunctionDef) and self._wrapper_effect(node) is not None
        )

    # -- lock sets ---------------------------------------------------------------
    def _effects(self, statement: nodes.NodeNG) -> tuple[tuple[LockId, bool], ...]:
        """Locks a statement leaves acquired (True) or released (False) after it runs."""
        if statement in self._effects_cache:
            return self._effects_cache[statement]
        self._effects_cache[statement] = ()
        found: list[tuple[LockId, bool]] = []
        call = _call_of_statement(statement)
        if call is not None:
            effect = self._call_effect(call)
            if effect is not None:
                found.append((effect[0].lock, effect[1]))
        elif isinstance(statement, nodes.If):
            # `if not lock.acquire(False): return` -> held afterwards.
            test = statement.test
            if (
                isinstance(test, nodes.UnaryOp)
                and test.op == "not"
                and isinstance(test.operand, nodes.Call)
                and statement.body
                and isinstance(statement.body[-1], _EXITS)
            ):
                effect = self._call_effect(test.operand)
                if effect is not None and effect[1]:
                    found.append((effect[0].lock, True))
        elif isinstance(statement, nodes.Try):
            for s in statement.finalbody:
                for lock, acquired in self._effects(s):
                    if not acquired:
                        found.append((lock, False))
        token = self._claimed(statement) or self._released(statement)
        if token is not None:
            found.append(token)
        result = tuple(found)
        self._effects_cache[statement] = result
        return result

    # -- run tokens ----------------------------------------------------------------
    def _claimed(self, statement: nodes.NodeNG) -> tuple[LockId, bool] | None:
        """The statement claims a run token: it is the claim itself, or a call of a
        helper of the module that claims one and does not give it back."""
        if isinstance(statement, nodes.With | nodes.AsyncWith):
            name = self._claim_of(statement)
            return (_token(name), True) if name else None
        call = _call_of_statement(statement)
        if call is None or last_name(call.func) not in self._claimer_names:
            return None
        for function in self._contexts.resolve_callables(call.func):
            name = self._claimers.get(function)
            if name is not None:
                return _token(name), True
        return None

    def _released(self, statement: nodes.NodeNG) -> tuple[LockId, bool] | None:
        """`self._busy = False` for a flag the module claims as a run token."""
        name = _flag_store(statement, value=False)
        if name is not None and name in self._claimers.values():
            return _token(name), False
        return None

    def _claim_of(self, statement: nodes.With | nodes.AsyncWith) -> str | None:
        """`with L: if self._busy: return / raise ...; self._busy = True`: the flag."""
        refused: set[str] = set()
        for s in statement.body:
            if (
                isinstance(s, nodes.If)
                and not s.orelse
                and isinstance(s.body[-1], nodes.Return | nodes.Raise)
                and (flag := _self_flag(s.test)) is not None
            ):
                refused.add(flag)
            elif (
                (flag := _flag_store(s, value=True)) is not None
                and flag in refused
                and any(self.lock_of(item) for item, _ in statement.items)
            ):
                return flag
        return None

    @cached_property
    def _claimers(self) -> dict[FunctionLike, str]:
        """Functions that claim a run token (at the top level of their body) and keep it."""
        found: dict[FunctionLike, str] = {}
        for function, sites in self._lock_sites.items():
            if function is None:
                continue
            for site in sites:
                if site.parent is function and isinstance(site, nodes.With | nodes.AsyncWith):
                    name = self._claim_of(site)
                    if name is not None and not any(
                        _flag_store(n, value=False) == name
                        for n in self._contexts.nodes_of(function)
                    ):
                        found[function] = name
                        break
        return found

    @cached_property
    def _claimer_names(self) -> frozenset[str]:
        return frozenset(_name(f) for f in self._claimers)

    def local_held(self, node: nodes.NodeNG) -> Held:
        """The locks the enclosing function itself holds at `node` (callers aside)."""
        held, _ = self._local(node)
        return held

    def section_of(self, node: nodes.NodeNG, lock: LockId) -> nodes.NodeNG | None:
        """The `with` statement on `lock` whose body holds `node` in its own function (the
        critical section it is read in); None when `node` holds it otherwise."""
        function = enclosing_function(node)
        child, parent = node, node.parent
        while parent is not None and child is not function:
            if isinstance(parent, nodes.With | nodes.AsyncWith) and child in parent.body:
                for item, _ in parent.items:
                    info = self.lock_of(item)
                    if info is not None and info.lock == lock:
                        return parent
            child, parent = parent, parent.parent
        return None

    def _local(self, node: nodes.NodeNG) -> tuple[Held, frozenset[LockId]]:
        """(locks held at `node` by its own function, locks it has released there)."""
        function = enclosing_function(node)
        decided: dict[LockId, bool] = {}
        child, parent = node, node.parent
        while parent is not None and child is not function:
            # Nearest first: what the statements before `child` in its block did, then
            # the `with` / `if acquire()` that the block belongs to.
            for field in _BLOCK_FIELDS:
                block = getattr(parent, field, None)
                if isinstance(block, list) and child in block:
                    for previous in reversed(block[: block.index(child)]):
                        for lock, acquired in self._effects(previous):
                            decided.setdefault(lock, acquired)
                    break
            if isinstance(parent, nodes.With | nodes.AsyncWith) and child in parent.body:
                for item, _ in parent.items:
                    info = self.lock_of(item)
                    if info is not None:
                        decided.setdefault(info.lock, True)
            if isinstance(parent, nodes.If | nodes.While) and child in parent.body:
                # `if L.acquire(False):`, `while pending and L.acquire(blocking=False):`
                for call in _calls_in(parent.test):
                    effect = self._call_effect(call)
                    if effect is not None and effect[1] and _established(call, parent.test):
                        decided.setdefault(effect[0].lock, True)
            if parent is function:
                break
            child, parent = parent, parent.parent
        held = frozenset(lock for lock, acquired in decided.items() if acquired)
        released = frozenset(lock for lock, acquired in decided.items() if not acquired)
        return Held(held), released

    def held_at(self, node: nodes.NodeNG) -> Held:
        """Every lock held at `node`: its function's own, and those all its callers hold."""
        if node in self._held_cache:
            return self._held_cache[node]
        function = enclosing_function(node)
        held = self._through(node, self.entry_held(function) if function is not None else NOTHING)
        self._held_cache[node] = held
        return held

    def _through(self, node: nodes.NodeNG, entry: Held) -> Held:
        """The locks held at `node` when its function started holding `entry`: those
        still held from the entry, and those the function has taken since."""
        if entry.by_contract:
            return EVERY_LOCK
        local, released = self._local(node)
        return Held(local.locks | (entry.locks - released))

    def takes_lock(self, function: FunctionLike, strong: bool = False) -> bool:
        """The function itself takes some lock (a `with`, an acquire); `strong`: one
        recognised by more than its name."""
        key = (function, strong)
        if key not in self._takes_cache:
            self._takes_cache[key] = self._takes_lock(function, strong)
        return self._takes_cache[key]

    def takes_thread_lock(self, function: FunctionLike) -> bool:
        """The function itself takes a lock that excludes threads (not an asyncio lock)."""
        return any(self.is_thread_lock(info.lock) for info in self.taken(function))

    def taken(self, function: FunctionLike) -> list[LockInfo]:
        """The locks the function itself takes (a `with`, an acquire)."""
        found: list[LockInfo] = []
        for node in self._lock_sites.get(function, ()):
            if isinstance(node, nodes.With | nodes.AsyncWith):
                found += [i for i in (self.lock_of(e) for e, _ in node.items) if i]
            else:
                effect = self._call_effect(node)
                if effect is not None and effect[1]:
                    found.append(effect[0])
        return found

    def _takes_lock(self, function: FunctionLike, strong: bool) -> bool:
        # An acquire (or a lock wrapper) is called as a statement of its own.
        return any(not strong or i.evidence > Evidence.NAME for i in self.taken(function))

    @cached_property
    def _lock_sites(self) -> dict[FunctionLike | None, list[nodes.NodeNG]]:
        """Per function, the statements that could take a lock: `with` statements and
        calls made as statements of their own."""
        found: dict[FunctionLike | None, list[nodes.NodeNG]] = {}
        for function, body in self._contexts.nodes_by_function.items():
            sites = [
                n
                for n in body
                if isinstance(n, nodes.With | nodes.AsyncWith)
                or (isinstance(n, nodes.Call) and n.parent is not None and n.parent.is_statement)
            ]
            if sites:
                found[function] = sites
        return found

    # -- tests under a lock ------------------------------------------------------
    def tests_before(self, node: nodes.NodeNG, names: set[str], lock: LockId) -> bool:
        """A test of one of `names` (state attributes) dominates `node` inside the region
        where `lock` is held: an enclosing `if`/`while`, an earlier `if ...: raise/return`,
        an `assert`, or a call to a helper of the class that tests and raises; or every
        caller that holds the lock tests before calling."""
        return self._tests_before(node, names, lock, depth=0)

    def _tests_before(self, node, names, lock, depth) -> bool:
        if depth > 3:
            return False
        function = enclosing_function(node)
        child, parent = node, node.parent
        while parent is not None and child is not function:
            if (
                isinstance(parent, nodes.If | nodes.While)
                and child is not parent.test
                and _decides_on(parent, names)
                and self.held_at(parent.test).holds(lock)
            ):
                return True
            for field in ("body", "orelse", "finalbody"):
                block = getattr(parent, field, None)
                if isinstance(block, list) and child in block:
                    for previous in block[: block.index(child)]:
                        if self._is_test_statement(previous, names, lock, depth):
                            return True
                    break
            child, parent = parent, parent.parent
        if function is None or self.local_held(node).holds(lock):
            return False
        # The lock comes from the callers: each must test before calling.
        callers = [call for _, call in self._contexts.direct_callers.get(function, ())]
        return bool(callers) and all(
            self._tests_before(call, names, lock, depth + 1) for call in callers
        )

    def _is_test_statement(self, statement, names, lock, depth) -> bool:
        if not self.held_at(statement).holds(lock):
            return False
        if isinstance(statement, nodes.If) and _decides_on(statement, names):
            return any(
                isinstance(s, _EXITS) for s in walk(statement) if not isinstance(s, nodes.If)
            )
        if isinstance(statement, nodes.Assert) and _mentions(statement.test, names):
            return True
        if isinstance(statement, nodes.Expr) and isinstance(statement.value, nodes.Call):
            for callee in self._contexts.resolve_callables(statement.value.func):
                if depth < 2 and any(
                    isinstance(s, nodes.If)
                    and _mentions(s.test, names)
                    and any(isinstance(r, nodes.Raise) for r in walk(s))
                    for s in walk(callee)
                ):
                    return True
        return False

    # -- held by every caller ---------------------------------------------------
    def entry_held(self, function: FunctionLike) -> Held:
        """The locks held whenever `function` starts running."""
        return self._entries.get(function, NOTHING)

    @cached_property
    def _lock_callers(self) -> dict[FunctionLike, list[tuple[FunctionLike, nodes.Call]]]:
        """{function: its callers whose locks it may inherit}. A finalizer or fork handler
        needs no lock (no other thread runs), and making a coroutine to schedule is not
        calling it."""
        return {
            callee: kept
            for callee, edges in self._contexts.direct_callers.items()
            if (
                kept := [
                    (caller, call)
                    for caller, call in edges
                    if not self._contexts.runs_alone(caller)
                    and not self._contexts.is_scheduled_coroutine(call)
                ]
            )
        }

    def _inherits_locks(self, function: FunctionLike) -> bool:
        """A helper that runs with the locks its callers hold (not one used other than by
        calling it)."""
        return _is_helper(function) and _name(function) not in self._escaping_names

    @cached_property
    def _entries(self) -> dict[FunctionLike, Held]:
        callers = self._lock_callers
        entries: dict[FunctionLike, Held | None] = {}
        for function in callers:
            contract = self._contract(function)
            if contract is not None:
                entries[function] = contract
            elif self._inherits_locks(function):
                entries[function] = None  # not known yet: every lock (the fixpoint's top)
        for node in self._contexts.nodes_by_function:
            if node is not None and node not in entries:
                contract = self._contract(node)
                if contract is not None:
                    entries[node] = contract
        pending = [f for f, held in entries.items() if held is None]
        for _ in range(len(pending) + 2):
            changed = False
            for function in pending:
                meet: Held | None = None
                for caller, call in callers.get(function, ()):
                    at_caller = entries.get(caller, NOTHING)
                    if at_caller is None:
                        continue  # not known yet: it does not lower the meet
                    here = self._through(call, at_caller)
                    meet = here if meet is None else meet.meet(here)
                if meet is not None and meet != entries[function]:
                    entries[function] = meet
                    changed = True
            if not changed:
                break
        return {f: held for f, held in entries.items() if held is not None}

    def held_on(self, node: nodes.NodeNG, thread: object, threads_of) -> Held:
        """The locks held at `node` when its function runs on `thread` (an identity
        of the thread map; `threads_of(function)` gives a function's identities): its
        own, and those every caller that runs on that thread holds at its call. Context
        by thread (RacerD's summaries per calling context): a helper the pool's sync path
        calls under a thread lock, and its asyncio path under an asyncio lock, holds the
        thread lock whenever a thread runs it, although no lock is common to every caller."""
        function = enclosing_function(node)
        entry = self._entry_on(function, thread, threads_of) if function is not None else NOTHING
        return self._through(node, entry)

    def _entry_on(self, function: FunctionLike, thread: object, threads_of) -> Held:
        key = (function, thread)
        if key in self._entry_on_cache:
            return self._entry_on_cache[key] or NOTHING  # None: in a cycle, assume nothing
        self._entry_on_cache[key] = None
        entry = self.entry_held(function)
        callers = [
            (caller, call)
            for caller, call in self._lock_callers.get(function, ())
            if thread in threads_of(caller)
        ]
        if callers and not entry.by_contract and self._inherits_locks(function):
            meet: Held | None = None
            for caller, call in callers:
                here = self._through(call, self._entry_on(caller, thread, threads_of))
                meet = here if meet is None else meet.meet(here)
            if meet is not None:
                entry = meet if meet.by_contract else Held(entry.locks | meet.locks)
        self._entry_on_cache[key] = entry
        return entry

    def escapes(self, function: FunctionLike) -> bool:
        """The function is used other than by calling it (handed to a thread, stored as
        a callback): it may run where none of its callers is."""
        return _name(function) in self._escaping_names

    @cached_property
    def _escaping_names(self) -> frozenset[str]:
        """Names of functions used other than by calling them (handed to a thread, stored
        as a callback): a helper that escapes may run without its caller's locks."""
        escaped: set[str] = set()
        for node in self._contexts.all_nodes:
            name = None
            if isinstance(node, nodes.Attribute) and is_self_parameter(node.expr):
                name = node.attrname
            elif isinstance(node, nodes.Name):
                name = node.name
            if name is None:
                continue
            parent = node.parent
            if isinstance(parent, nodes.Call) and parent.func is node:
                continue
            escaped.add(name)
        for function in self._contexts.entry_points():
            escaped.add(_name(function))
        return frozenset(escaped)

    def _contract(self, function: FunctionLike) -> Held | None:
        """Held by convention: the name or docstring says the caller holds the lock, or
        a framework calls it with a lock held."""
        if isinstance(function, nodes.Lambda):
            return None
        if function.name.lower().endswith(_CONTRACT_SUFFIXES):
            return EVERY_LOCK
        doc = function.doc_node.value if function.doc_node is not None else ""
        if isinstance(doc, str) and _CONTRACT_DOC.search(doc):
            return EVERY_LOCK
        cls = function.parent if isinstance(function.parent, nodes.ClassDef) else None
        if cls is not None:
            for base, method, attribute in HELD_BY_FRAMEWORK:
                if function.name == method and _derives_from(cls, base):
                    lock = LockId("self." + attribute)
                    self.evidence.setdefault(lock, Evidence.KIND)
                    self.shown.setdefault(lock, "self." + attribute)
                    self.flavors.setdefault(lock, Flavor.THREADING)
                    return Held(frozenset({lock}))
            for decorator in function.decorators.nodes if function.decorators else ():
                attribute = self._decorator_lock(decorator)
                if attribute is not None:
                    return Held(frozenset({self._attribute_lock(cls, attribute)}))
        return None

    def _decorator_lock(self, decorator: nodes.NodeNG) -> str | None:
        """`@synchronized` where the module's `def synchronized(method)` returns a wrapper
        that runs `method` inside `with self.<attribute>:`: that attribute."""
        if not self._contexts.defines_function(last_name(decorator) or ""):
            return None  # cheap: `@property`, `@staticmethod`, a decorator from elsewhere
        for deco in self._contexts.resolve_callables(decorator):
            if not isinstance(deco, nodes.FunctionDef) or not deco.args.args:
                continue
            wrapped = deco.args.args[0].name
            for wrapper in deco.body:
                if not isinstance(wrapper, nodes.FunctionDef) or not wrapper.args.args:
                    continue
                receiver = wrapper.args.args[0].name
                for node in walk(wrapper):
                    if not isinstance(node, nodes.With):
                        continue
                    calls = any(
                        isinstance(c, nodes.Call)
                        and isinstance(c.func, nodes.Name)
                        and c.func.name == wrapped
                        for statement in node.body
                        for c in walk(statement)
                    )
                    for item, _ in node.items:
                        if (
                            calls
                            and isinstance(item, nodes.Attribute)
                            and isinstance(item.expr, nodes.Name)
                            and item.expr.name == receiver
                        ):
                            return item.attrname
        return None

    def _attribute_lock(self, cls: nodes.ClassDef, attribute: str) -> LockId:
        """The lock `self.<attribute>` of `cls`, with what is known of it."""
        lock = LockId("self." + attribute)
        for value in attribute_values(cls, attribute):
            info = self._kinds.kind_of_call(value) if isinstance(value, nodes.Call) else None
            if info is not None and info.kind in _LOCK_KINDS:
                self.evidence.setdefault(lock, Evidence.KIND)
                self.flavors.setdefault(lock, info.flavor)
        self.evidence.setdefault(lock, Evidence.NAME)
        self.shown.setdefault(lock, "self." + attribute)
        return lock


# -- helpers ---------------------------------------------------------------------
def is_lock_like_class(cls: nodes.ClassDef) -> bool:
    """A class that defines `acquire` and `release` (a lock wrapper or implementation)."""
    try:
        return all(_lock_method(cls.getattr(m)[0], m) for m in (_ACQUIRE, _RELEASE))
    except (AstroidError, IndexError, RecursionError):
        return False


def _lock_method(function: object, name: str) -> bool:
    """`acquire`/`release` of a lock: releasing a lock hands nothing back, so its
    `release` takes no argument (a pool's `release(conn)` returns a resource)."""
    if not isinstance(function, nodes.FunctionDef):
        return False
    if name != _RELEASE:
        return True
    params = positional_parameters(function)
    if params is None:  # a compiled class's method: nothing says what it takes
        return False
    return len(params) - len(function.args.defaults) <= 1


def _binary(creations: tuple[nodes.NodeNG, ...]) -> bool:
    """Every creation makes a semaphore of initial value 1 (the default)."""
    calls = [c for c in creations if isinstance(c, nodes.Call)]
    return bool(calls) and all(
        not c.args or (isinstance(c.args[0], nodes.Const) and c.args[0].value == 1) for c in calls
    )


def _handed_to_constructor(expr: nodes.NodeNG) -> bool:
    """`self.<name>` assigned from a parameter of the class's `__init__`."""
    cls = enclosing_class(expr)
    if not (isinstance(expr, nodes.Attribute) and is_self_parameter(expr.expr)) or cls is None:
        return False
    init = cls.locals.get("__init__", [None])[0]
    if not isinstance(init, nodes.FunctionDef):
        return False
    parameters = set(init.argnames()[1:])
    return any(
        isinstance(value, nodes.Name) and value.name in parameters
        for value in attribute_values(cls, expr.attrname)
    )


def _identity(expr: nodes.NodeNG) -> tuple[LockId, str] | None:
    if isinstance(expr, nodes.Attribute) and is_self_parameter(expr.expr):
        return LockId("self." + expr.attrname), expr.as_string()
    if isinstance(expr, nodes.Attribute):
        cls = enclosing_class(expr)
        if isinstance(expr.expr, nodes.Name) and cls is not None and expr.expr.name == cls.name:
            return LockId("self." + expr.attrname), expr.as_string()
        text = dotted_name(expr)
        if text is None:
            return None
        owner = cls if cls is not None else expr.root()
        return LockId(text, owner), text
    if isinstance(expr, nodes.Name):
        try:
            scope, _ = lookup(expr, expr.name)
        except (AstroidError, RecursionError):
            return None
        return LockId(expr.name, scope), expr.name
    return None


def _local_alias(name: nodes.Name) -> nodes.NodeNG | None:
    """`lock = self._lock` assigned once in the function: the expression it stands for."""
    function = enclosing_function(name)
    if function is None:
        return None
    try:
        scope, assigns = lookup(name, name.name)
    except (AstroidError, RecursionError):
        return None
    if scope is not function or len(assigns) != 1:
        return None
    assign = assigns[0]
    parent = assign.parent
    if (
        isinstance(parent, nodes.Assign)
        and parent.targets == [assign]
        and isinstance(parent.value, nodes.Attribute | nodes.Call | nodes.Name)
    ):
        return parent.value
    return None


def _call_of_statement(statement: nodes.NodeNG) -> nodes.Call | None:
    if isinstance(statement, nodes.Expr | nodes.Assign) and isinstance(statement.value, nodes.Call):
        return statement.value
    return None


def _calls_in(test: nodes.NodeNG) -> list[nodes.Call]:
    return [n for n in walk(test) if isinstance(n, nodes.Call)]


def _established(call: nodes.Call, test: nodes.NodeNG) -> bool:
    """The branch runs only when `call` returned true: it is the test, or a term of an
    `and` chain that is (not under `not`, nor one side of an `or`)."""
    node = call
    while node is not test:
        parent = node.parent
        if not (isinstance(parent, nodes.BoolOp) and parent.op == "and"):
            return False
        node = parent
    return True


def _is_docstring(statement: nodes.NodeNG) -> bool:
    return isinstance(statement, nodes.Expr) and isinstance(statement.value, nodes.Const)


def _name(function: FunctionLike) -> str:
    return getattr(function, "name", "<lambda>")


def _is_context_manager(function: FunctionLike) -> bool:
    return bool(decorator_names(function) & {"contextmanager", "asynccontextmanager"})


def _is_helper(function: FunctionLike) -> bool:
    """Private, or a public method its own class calls (`make_connection()` run under
    the pool's lock): the lock its callers in the module all hold is its contract. A
    method nobody in the module calls is an entry point: it holds nothing."""
    if _is_private(function):
        return True
    name = getattr(function, "name", "")
    return isinstance(function.parent, nodes.ClassDef) and not (
        name.startswith("__") and name.endswith("__")
    )


def _is_private(function: FunctionLike) -> bool:
    """Called only from its own module: `_helper`, `__mangled`, a nested function."""
    if isinstance(function, nodes.Lambda):
        return False
    if not isinstance(function.parent, nodes.ClassDef | nodes.Module):
        return True  # nested
    name = function.name
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _derives_from(cls: nodes.ClassDef, qname: str) -> bool:
    try:
        return any(base.qname() == qname for base in cls.ancestors())
    except (AstroidError, RecursionError):
        return False


def _mentions(test: nodes.NodeNG, names: set[str]) -> bool:
    """`test` reads one of `names` (an attribute or a global)."""
    for node in walk(test):
        if isinstance(node, nodes.Attribute) and node.attrname in names:
            return True
        if isinstance(node, nodes.Name) and node.name in names:
            return True
    return False


def _decides_on(branch: nodes.If | nodes.While, names: set[str]) -> bool:
    """`branch` tests one of `names`, directly or through a local it was read into just
    before (`ok = not self._closed and key not in self._items` then `if ok:`): the
    check is where the value is read, the branch acts on its outcome."""
    if _mentions(branch.test, names):
        return True
    read = {n.name for n in walk(branch.test) if isinstance(n, nodes.Name)}
    block = next(
        (
            getattr(branch.parent, field)
            for field in ("body", "orelse", "finalbody")
            if branch in (getattr(branch.parent, field, None) or ())
        ),
        [],
    )
    for previous in reversed(block[: block.index(branch)] if branch in block else []):
        assigned = {
            n.name for n in walk(previous) if isinstance(n, nodes.AssignName) and n.name in read
        }
        if assigned:
            return isinstance(previous, nodes.Assign) and _mentions(previous.value, names)
    return False


def _attribute_key(expr: nodes.NodeNG) -> tuple[nodes.ClassDef, str] | None:
    """(class, name) for `self.<name>` in a method: the same lock in every method."""
    if isinstance(expr, nodes.Attribute) and is_self_parameter(expr.expr):
        cls = enclosing_class(expr)
        if cls is not None:
            return cls, expr.attrname
    return None


def _token(flag: str) -> LockId:
    return LockId(f"self.{flag} (run token)")


def _self_flag(test: nodes.NodeNG) -> str | None:
    """`self._busy` as an `if` test: the attribute's name."""
    if isinstance(test, nodes.Attribute) and is_self_parameter(test.expr):
        return test.attrname
    return None


def _flag_store(statement: nodes.NodeNG, value: bool) -> str | None:
    """`self._busy = True` (`value`) or `= False`: the attribute's name."""
    if (
        isinstance(statement, nodes.Assign)
        and len(statement.targets) == 1
        and isinstance(target := statement.targets[0], nodes.AssignAttr)
        and is_self_parameter(target.expr)
        and isinstance(statement.value, nodes.Const)
        and statement.value.value is value
    ):
        return target.attrname
    return None


def _getattr_of_self(call: nodes.Call) -> nodes.Attribute | None:
    """`getattr(self, "_lock", nullcontext())` is `self._lock` where the instance has one:
    a use of that attribute elsewhere in the class, which stands for it."""
    name = self_getattr_name(call)
    cls = enclosing_class(call) if name is not None else None
    if cls is None:
        return None
    return next(
        (
            n
            for n in cls.nodes_of_class(nodes.Attribute)
            if n.attrname == name and is_self_parameter(n.expr)
        ),
        None,
    )
