"""Long-lived state and every access to it: which method touches `self.x` (or a module
global assigned through `global`), how (read, write, in-place mutation, iteration...),
under which locks, and on which threads.

Only classes (and modules) where locks or threads appear are analysed: the lock
sets and the thread map are the expensive part, and state no thread and no lock
touches cannot be shared state worth a finding. Accesses that cannot race are left
out or marked here, so that every rule agrees on them:
- the locks themselves;
- method calls on objects that synchronise themselves (queues, events, futures,
  threads, executors...: every kind `kinds` knows) and the GIL-atomic operations of
  `collections.deque` (table `ATOMIC_METHODS`): `atomic` accesses;
- code that runs before the object is shared (`__init__` and the helpers only it
  calls) or with no other thread (`__del__`, fork handlers, the body of `if self._pid
  != os.getpid():` in a forked child): `quiet` accesses.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from functools import cached_property

from astroid import nodes
from astroid.exceptions import AstroidError

from shutdownlint.analysis.access_kinds import (
    AccessKind,
    classify,
    state_text,
)
from shutdownlint.analysis.contexts import Contexts, runs_after_fork
from shutdownlint.analysis.infer import (
    FunctionLike,
    StateKey,
    enclosing_function,
    infer_values,
    is_self_parameter,
    last_name,
    lookup,
    qname_of,
    walk,
)
from shutdownlint.analysis.kinds import Kinds, attribute_values
from shutdownlint.analysis.locks import Held, LockId, Locks
from shutdownlint.analysis.threadmap import ThreadId, ThreadMap

#: Operations one C call makes atomically under the GIL, by the class that has them.
ATOMIC_METHODS: dict[str, frozenset[str]] = {
    "collections.deque": frozenset(
        {"append", "appendleft", "pop", "popleft", "extend", "extendleft"}
    ),
}
# In-place changes that only add at the end of a list.
_APPENDS = frozenset({"append", "extend"})
_IMMUTABLE_TYPES = frozenset({"tuple", "frozenset", "str", "bytes", "int", "float"})


@dataclass(frozen=True)
class Access:
    """One access to long-lived state."""

    key: StateKey
    node: nodes.NodeNG  # the `self.x` / global name expression
    statement: nodes.NodeNG
    function: FunctionLike
    kind: AccessKind
    held: Held
    threads: frozenset[ThreadId]
    value: nodes.NodeNG | None = None  # what a WRITE assigns
    atomic: bool = False  # a self-synchronising object's method, a GIL-atomic operation
    quiet: bool = False  # before the object is shared, or with no other thread running
    in_test: bool = False  # read inside an `if`/`while`/`assert` test
    in_place: bool = False  # changes the object itself (not a rebind): breaks iterations
    # Adds at the end of a list (`append`, `extend`, `+=`): an iteration running beside
    # it sees the list as it was before or after the add, lock or not.
    appends: bool = False

    @property
    def name(self) -> str:
        """`self.x` / `cls.x` / `x` as a message shows it."""
        if isinstance(self.node, nodes.Attribute | nodes.AssignAttr | nodes.DelAttr):
            if "." in self.key.name:  # a collaborator's field: `self._vat.litres`
                return self.node.as_string()
            return f"{self.node.expr.as_string()}.{self.key.name}"
        if isinstance(self.node, nodes.Call) and isinstance(self.node.func, nodes.Attribute):
            # `self.is_free(bay)` checks `self._assigned` through the method.
            return f"{self.node.func.expr.as_string()}.{self.key.name}"
        if isinstance(self.node.parent, nodes.Call) and self.node in self.node.parent.args:
            # `hasattr(cls, "_instances")` checks `cls._instances`.
            return f"{self.node.parent.args[0].as_string()}.{self.key.name}"
        return self.key.name

    @property
    def where(self) -> str:
        return getattr(self.function, "name", "<lambda>")

    @property
    def clears(self) -> bool:
        """Deletes the state or sets it to None."""
        return self.kind is AccessKind.DELETE or (
            self.kind is AccessKind.WRITE
            and isinstance(self.value, nodes.Const)
            and self.value.value is None
        )

    @property
    def writes_constant(self) -> bool:
        return self.kind is AccessKind.WRITE and is_constant(self.value)


class SharedState:
    """The state of one module's classes and globals, with every access (per-module fact,
    per class computed on first use)."""

    def __init__(
        self,
        module: nodes.Module,
        kinds: Kinds,
        contexts: Contexts,
        locks: Locks,
        threads: ThreadMap,
        stats: Counter[str],
    ) -> None:
        self._module = module
        self._kinds = kinds
        self._contexts = contexts
        self._locks = locks
        self._threads = threads
        self._stats = stats
        self._by_owner: dict[nodes.NodeNG, dict[str, list[Access]]] = {}
        self._safe_cache: dict[StateKey, tuple[bool, frozenset[str]]] = {}
        self._immutable_cache: dict[StateKey, bool] = {}
        self._list_cache: dict[StateKey, bool] = {}
        self._collaborators: dict[nodes.ClassDef, frozenset[str]] = {}
        # Fields of a class object, shared by every instance (`_class_state`).
        self.class_fields: set[StateKey] = set()

    # -- which owners ---------------------------------------------------------------
    @cached_property
    def owners(self) -> list[nodes.ClassDef | nodes.Module]:
        """Classes (and the module, for its `global` state) worth analysing: where a lock
        is taken or a function runs on a thread of its own."""
        found: list[nodes.ClassDef | nodes.Module] = []
        for node in self._contexts.class_defs:
            if self._is_interesting(node):
                found.append(node)
        if self._global_names and self._is_interesting(self._module):
            found.append(self._module)
        return found

    def _is_interesting(self, owner: nodes.ClassDef | nodes.Module) -> bool:
        if isinstance(owner, nodes.ClassDef) and self._locks.is_lock_implementation(owner):
            return False
        functions = self.functions_of(owner)
        if any(self._locks.takes_lock(f) for f in functions):
            return True
        # No lock: only code the owner itself runs apart from its caller (a thread target,
        # a callback, a coroutine handed to another thread) can make its state shared.
        # Checked by containment, so that lock-free classes never need the thread map.
        if not self._threads.module_has_threads():
            return False  # asyncio alone, or nothing scheduled: no other OS thread
        sites = self._threads.thread_sites
        return (
            any(f in sites for f in functions)
            or (isinstance(owner, nodes.ClassDef) and self._threads.is_thread_class(owner))
            or any(isinstance(f, nodes.AsyncFunctionDef) for f in functions)
        )

    def functions_of(self, owner: nodes.ClassDef | nodes.Module) -> list[FunctionLike]:
        """The functions (methods, nested functions, lambdas) whose `self` (or, for the
        module, whose globals) is the owner's state."""
        target = None if isinstance(owner, nodes.Module) else owner
        return self._contexts.functions_by_class.get(target, [])

    # -- accesses -------------------------------------------------------------------
    def accesses(self, owner: nodes.ClassDef | nodes.Module) -> dict[str, list[Access]]:
        """{attribute or global name: its accesses in source order}."""
        if owner not in self._by_owner:
            self._by_owner[owner] = self._collect(owner)
        return self._by_owner[owner]

    @cached_property
    def _global_names(self) -> frozenset[str]:
        """Module globals some function rebinds through `global`."""
        return frozenset(
            name
            for node in self._contexts.all_nodes
            if isinstance(node, nodes.Global)
            for name in node.names
        )

    def _collect(self, owner: nodes.ClassDef | nodes.Module) -> dict[str, list[Access]]:
        found: dict[str, list[Access]] = {}
        for function in self.functions_of(owner):
            for node in self._contexts.nodes_of(function):
                key = self._key(node, owner)
                if key is None:
                    continue
                access = self._access(node, key, function)
                if access is not None:
                    found.setdefault(key.name, []).append(access)
        for name, accesses in list(found.items()):
            if self._is_lock_state(accesses):
                del found[name]
                continue
            accesses.sort(key=lambda a: (a.node.lineno or 0, a.node.col_offset or 0))
            if isinstance(owner, nodes.ClassDef) and self._class_state(owner, accesses):
                # Every instance has its own lock and all share the class's field: a lock
                # per instance excludes nothing from it (another instance's caller holds
                # another lock), so it guards none of the field's accesses.
                found[name] = [
                    replace(
                        a,
                        held=Held(
                            frozenset(
                                lock for lock in a.held.locks if not self.instance_lock(owner, lock)
                            ),
                            a.held.by_contract,
                        ),
                    )
                    for a in accesses
                ]
                self.class_fields.add(StateKey(owner, name))
        return found

    def _key(self, node: nodes.NodeNG, owner: nodes.ClassDef | nodes.Module) -> StateKey | None:
        if isinstance(owner, nodes.Module):
            if (
                isinstance(node, nodes.Name | nodes.AssignName | nodes.DelName)
                and node.name in self._global_names
                and _is_module_global(node)
            ):
                return StateKey(owner, node.name)
            return None
        if isinstance(node, nodes.Attribute | nodes.AssignAttr | nodes.DelAttr):
            receiver = node.expr
            if (
                is_self_parameter(receiver)
                or (isinstance(receiver, nodes.Name) and receiver.name == owner.name)
                or _class_of_self(receiver)
            ):
                return StateKey(owner, node.attrname)
            if (
                isinstance(receiver, nodes.Attribute)
                and is_self_parameter(receiver.expr)
                and receiver.attrname in self._locking_collaborators(owner)
                and not isinstance(node.parent, nodes.Call)
            ):
                # `self._vat.litres`, where the class locks `self._vat.lock`: a field of
                # a collaborator that carries the lock guarding it
                return StateKey(owner, f"{receiver.attrname}.{node.attrname}")
        return None

    def _locking_collaborators(self, owner: nodes.ClassDef) -> frozenset[str]:
        """The fields of `owner` whose own lock its methods take (`with self._vat.lock:`
        makes `_vat` one): their fields are shared state the class guards with it."""
        found = self._collaborators.get(owner)
        if found is None:
            found = frozenset(
                expr.expr.attrname
                for function in self.functions_of(owner)
                for node in self._contexts.nodes_of(function)
                if isinstance(node, nodes.With)
                for expr, _ in node.items
                if isinstance(expr, nodes.Attribute)
                and isinstance(expr.expr, nodes.Attribute)
                and is_self_parameter(expr.expr.expr)
                and self._locks.lock_of(expr) is not None
            )
            self._collaborators[owner] = found
        return found

    def _class_state(self, owner: nodes.ClassDef, accesses: list[Access]) -> bool:
        """The state is a field of the class object, one for every instance (P7): some
        access names the class (`Cls._x`, `cls._x` in a class method, `type(self)._x`)
        and no method rebinds it through `self` (which would give an instance its own)."""
        return any(_names_the_class(a, owner) for a in accesses) and not any(
            a.kind is AccessKind.WRITE
            and isinstance(a.node, nodes.AssignAttr)
            and is_self_parameter(a.node.expr)
            and not _names_the_class(a, owner)
            for a in accesses
        )

    def instance_lock(self, owner: nodes.ClassDef, lock: LockId) -> bool:
        """A lock each instance makes for itself (`self._lock = Lock()`): taking it
        excludes only the callers of the same instance."""
        if lock.owner is not None or not lock.key.startswith("self."):
            return False
        name = lock.key.removeprefix("self.")
        try:
            classes = [owner, *owner.ancestors()]
        except (AstroidError, RecursionError):
            classes = [owner]
        return any(name in c.instance_attrs for c in classes) and not any(
            _class_body_value(c, name) for c in classes
        )

    def _access(self, node: nodes.NodeNG, key: StateKey, function: FunctionLike) -> Access | None:
        kind, value = classify(node)
        statement = node.statement()
        held = self._locks.held_at(node)
        threads = self._threads.threads_of(function)
        quiet = (
            self._threads.is_exempt(function)
            or (
                isinstance(key.owner, nodes.ClassDef)
                and self._threads.is_init_only(function)
                # the class object's field is shared by every constructor running at once
                and not _names_class_object(node, key.owner)
            )
            or _special_read(function)
            or runs_after_fork(node, function)
        )
        atomic = False
        if kind in (AccessKind.MUTATE, AccessKind.USE) and isinstance(node.parent, nodes.Attribute):
            synchronised, atomic_methods = self._self_synchronised(key, node)
            atomic = synchronised or node.parent.attrname in atomic_methods
        # `x += y` changes a list in place; `x = x + y` always builds a new object.
        in_place = kind is AccessKind.MUTATE or (
            kind is AccessKind.RMW
            and (
                isinstance(node.parent, nodes.Subscript)
                or (
                    not isinstance(node.parent, nodes.Assign)
                    and not self.holds_immutable(key, node)
                )
            )
        )
        appends = (
            in_place
            and (
                kind is AccessKind.RMW
                or (isinstance(node.parent, nodes.Attribute) and node.parent.attrname in _APPENDS)
            )
            and not isinstance(node.parent, nodes.Subscript)
            and self.holds_list(key, node)
        )
        return Access(
            key,
            node,
            statement,
            function,
            kind,
            held,
            threads,
            value,
            atomic,
            quiet,
            _in_test(node),
            in_place,
            appends,
        )

    def holds_immutable(self, key: StateKey, node: nodes.NodeNG) -> bool:
        """The state holds a tuple, string or number: `x += ...` makes a new object (the
        copy-on-write idiom: readers iterate the old one safely)."""
        if key not in self._immutable_cache:
            if isinstance(key.owner, nodes.ClassDef):
                assigned = attribute_values(key.owner, key.name)
            else:
                assigned = self._kinds.creation_sites(node)
            values = [v for v in assigned if not (isinstance(v, nodes.Const) and v.value is None)]
            self._immutable_cache[key] = bool(values) and all(_immutable_value(v) for v in values)
        return self._immutable_cache[key]

    def holds_list(self, key: StateKey, node: nodes.NodeNG) -> bool:
        """Every value the state is given (None aside) is a list."""
        if key not in self._list_cache:
            if isinstance(key.owner, nodes.ClassDef):
                assigned = attribute_values(key.owner, key.name)
            else:
                assigned = self._kinds.creation_sites(node)
            values = [v for v in assigned if not (isinstance(v, nodes.Const) and v.value is None)]
            self._list_cache[key] = bool(values) and all(_list_value(v) for v in values)
        return self._list_cache[key]

    def _self_synchronised(self, key: StateKey, node: nodes.NodeNG) -> tuple[bool, frozenset[str]]:
        """(the state holds an object that synchronises itself, its GIL-atomic methods)."""
        if key not in self._safe_cache:
            info = self._kinds.kind_of(node)
            atomic: frozenset[str] = frozenset()
            if info is None:
                for site in self._kinds.creation_sites(node):
                    callee = site.func if isinstance(site, nodes.Call) else site
                    for value in infer_values(callee, self._stats):
                        atomic |= ATOMIC_METHODS.get(qname_of(value) or "", frozenset())
            self._safe_cache[key] = (info is not None, atomic)
        return self._safe_cache[key]

    def _is_lock_state(self, accesses: list[Access]) -> bool:
        """The attribute holds a lock: its accesses are the locking itself."""
        for access in accesses:
            if access.kind in (AccessKind.USE, AccessKind.READ):
                parent = access.node.parent
                if isinstance(parent, nodes.With | nodes.AsyncWith) or (
                    isinstance(parent, nodes.Attribute)
                    and parent.attrname in ("acquire", "release", "locked")
                ):
                    return self._locks.lock_of(access.node) is not None
        return False

    def precedes_thread_start(self, access: Access, threads: frozenset[ThreadId]) -> bool:
        """The access runs before the statement that starts (or schedules) one of
        `threads`, in the same function, or in a private helper that every caller calls
        before such a start (`start()` runs `self._configure()`, then starts the
        thread): the value is published before they run."""
        sites = [t.site for t in threads if t.site is not None]
        return bool(sites) and self._before_start(
            access.function, access.node.lineno or 0, sites, 0
        )

    def _before_start(
        self, function: FunctionLike, line: int, sites: list[nodes.NodeNG], depth: int
    ) -> bool:
        for site in sites:
            if enclosing_function(site) is function and (site.lineno or 0) > line:
                return True
            start = _start_of(site)
            if (
                start is not None
                and enclosing_function(start) is function
                and (start.lineno or 0) > line
            ):
                return True
        name = getattr(function, "name", "")
        if (
            depth >= 3
            or not name.startswith("_")
            or name.startswith("__")
            or function in self._contexts.entry_points()
            or self._locks.escapes(function)
        ):
            return False
        callers = self._contexts.direct_callers.get(function, ())
        return bool(callers) and all(
            self._before_start(caller, call.lineno or 0, sites, depth + 1)
            for caller, call in callers
        )


# -- classification --------------------------------------------------------------
def is_constant(value: nodes.NodeNG | None) -> bool:
    """A literal, `None`, an enum-like constant (`State.CLOSED`), or a negation of one."""
    if isinstance(value, nodes.Const):
        return True
    if isinstance(value, nodes.UnaryOp):
        return is_constant(value.operand)
    if isinstance(value, nodes.Attribute) and isinstance(value.expr, nodes.Name):
        return value.attrname.isupper() or value.expr.name[:1].isupper()
    if isinstance(value, nodes.Name):
        return value.name.isupper()
    return False


def _names_class_object(node: nodes.NodeNG, owner: nodes.ClassDef) -> bool:
    """`Cls._x`, `type(self)._x`, `self.__class__._x`: a field of the class object."""
    receiver = getattr(node, "expr", None)
    if isinstance(receiver, nodes.Name) and receiver.name == owner.name:
        return True
    return receiver is not None and _class_of_self(receiver)


def _immutable_value(value: nodes.NodeNG) -> bool:
    """A tuple, string or number (or an annotation saying so: `Tuple[int, ...]`)."""
    parent = value.parent
    if isinstance(parent, nodes.AnnAssign) and value is parent.annotation:
        base = value.value if isinstance(value, nodes.Subscript) else value
        return (last_name(base) or "").lower() in _IMMUTABLE_TYPES
    if isinstance(value, nodes.Tuple | nodes.Const):
        return True
    if isinstance(value, nodes.BinOp):  # `self._subs + (callback,)` builds a new tuple
        return _immutable_value(value.left) or _immutable_value(value.right)
    return isinstance(value, nodes.Call) and last_name(value.func) in _IMMUTABLE_TYPES


def _list_value(value: nodes.NodeNG) -> bool:
    """A list display, a list comprehension, `list(...)` (or an annotation saying so)."""
    parent = value.parent
    if isinstance(parent, nodes.AnnAssign) and value is parent.annotation:
        base = value.value if isinstance(value, nodes.Subscript) else value
        return (last_name(base) or "").lower() == "list"
    if isinstance(value, nodes.List | nodes.ListComp):
        return True
    return (
        isinstance(value, nodes.Call)
        and isinstance(value.func, nodes.Name)
        and (value.func.name == "list")
    )


def _class_of_self(receiver: nodes.NodeNG) -> bool:
    """`type(self)` / `self.__class__`: the class of the instance at hand."""
    if isinstance(receiver, nodes.Call):
        return (
            isinstance(receiver.func, nodes.Name)
            and receiver.func.name == "type"
            and len(receiver.args) == 1
            and is_self_parameter(receiver.args[0])
        )
    return (
        isinstance(receiver, nodes.Attribute)
        and receiver.attrname == "__class__"
        and is_self_parameter(receiver.expr)
    )


def _class_body_value(cls: nodes.ClassDef, name: str) -> bool:
    """The class body gives `name` a value (`_lock = Lock()`); an annotation alone
    (`_lock: threading.Lock`) declares what each instance will hold."""
    return any(
        isinstance(node, nodes.AssignName)
        and node.scope() is cls
        and not (isinstance(node.parent, nodes.AnnAssign) and node.parent.value is None)
        for node in cls.locals.get(name, ())
    )


def _names_the_class(access: Access, owner: nodes.ClassDef) -> bool:
    """The access reaches the field through the class object, not an instance."""
    receiver = getattr(access.node, "expr", None)
    if isinstance(receiver, nodes.Name) and receiver.name == owner.name:
        return True
    if _class_of_self(receiver):
        return True
    function = access.function
    return (
        is_self_parameter(receiver)
        and isinstance(function, nodes.FunctionDef)
        and function.type == "classmethod"
    )


def _in_test(node: nodes.NodeNG) -> bool:
    """Read inside an `if`/`while`/`assert` test (or a conditional expression's)."""
    child, parent = node, node.parent
    while parent is not None and not isinstance(parent, FunctionLike):
        if isinstance(parent, nodes.If | nodes.While | nodes.IfExp) and child is parent.test:
            return True
        if isinstance(parent, nodes.Assert) and child is parent.test:
            return True
        if parent.is_statement:
            return False
        child, parent = parent, parent.parent
    return False


def _is_module_global(node: nodes.NodeNG) -> bool:
    try:
        scope, _ = lookup(node, node.name)
    except (AstroidError, RecursionError):
        return False
    return isinstance(scope, nodes.Module)


_SPECIAL_READERS = frozenset({"__repr__", "__str__", "__len__", "__bool__", "__format__"})


def _special_read(function: FunctionLike) -> bool:
    """`__repr__` and friends only report on the state."""
    return getattr(function, "name", "") in _SPECIAL_READERS


def _start_of(site: nodes.NodeNG) -> nodes.NodeNG | None:
    """`t.start()` for a thread constructed at `site` and bound to `t` / `self._t`."""
    statement = site.parent
    if isinstance(statement, nodes.Attribute) and statement.attrname == "start":
        return statement
    if not isinstance(statement, nodes.Assign) or len(statement.targets) != 1:
        return None
    target = statement.targets[0]
    text = state_text(target)
    function = enclosing_function(site)
    if text is None or function is None:
        return None
    for node in walk(function):
        if (
            isinstance(node, nodes.Attribute)
            and node.attrname == "start"
            and state_text(node.expr) == text
        ):
            return node
    return None
