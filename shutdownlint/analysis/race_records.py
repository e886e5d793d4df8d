"""The typed evidence `races` returns: who races, under which lock, and why two
threads run a check at once (rules word it)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from astroid import nodes

from shutdownlint.analysis.infer import FunctionLike
from shutdownlint.analysis.locks import LockId
from shutdownlint.analysis.race_shapes import Branch
from shutdownlint.analysis.shared import Access
from shutdownlint.analysis.threadmap import ThreadId


@dataclass(frozen=True)
class Guard:
    """The lock that guards some state elsewhere, and the accesses that hold it."""

    lock: LockId
    shown: str
    accesses: tuple[Access, ...]
    only: bool  # it is the one lock guarding those accesses (a fix can take it)
    owns: bool  # at least half the writes of the state hold a real lock: it guards it

    @property
    def first_write(self) -> Access:
        """The first guarded access that writes (else the first): what messages cite."""
        return next((a for a in self.accesses if a.kind.writes), self.accesses[0])


@dataclass(frozen=True)
class Overlap:
    """Two threads that can run the accesses at once."""

    mine: ThreadId
    theirs: ThreadId
    other: Access | None  # the access on the other thread (None: the same code twice)


class Reason(str, Enum):
    """What makes two threads run a piece of code at once (typed evidence; rules word it)."""

    OVERLAP = "overlap"  # two thread identities, `Concurrency.overlap`
    CLASS_STATE = "class-state"  # class-level state; the function takes a lock for other state
    MODULE_GLOBAL = "module-global"  # a module global; the function takes a lock
    GUARDED_ELSEWHERE = "guarded-elsewhere"  # `Concurrency.guard` guards its other writes
    HANDED_OFF = "handed-off"  # checked, then a callback handed to another thread uses it
    PUBLIC = "public"  # a public function of a module that runs threads


@dataclass(frozen=True)
class Concurrency:
    """Why a check runs concurrently with the act it relies on."""

    reason: Reason
    function: FunctionLike  # the function the check is in
    overlap: Overlap | None = None
    guard: Guard | None = None
    handed_to: nodes.Call | None = None  # HANDED_OFF: the call that schedules the callback
    cleared_by: Access | None = None  # HANDED_OFF: the write that clears the state

    @property
    def where(self) -> str:
        return getattr(self.function, "name", "<lambda>")


class Protocol(str, Enum):
    """Which locking protocol an unguarded access breaks."""

    LOCKSET = "lockset"  # the state's own accesses follow a lock; this one does not
    CLASS = "class"  # the class guards its other state with a lock, this state with none


@dataclass(frozen=True)
class UnguardedAccess:
    """SDL201: an access that holds no lock where the state's other accesses do."""

    access: Access
    guard: Guard  # LOCKSET: the state's lock; CLASS: the lock of the class's other state
    overlap: Overlap | None  # None: reported on the lock-owner evidence
    on_shutdown_path: bool  # the evidence is the shutdown path (no overlap is known)
    others: tuple[Access, ...]  # the attribute's other unguarded accesses that could break
    protocol: Protocol = Protocol.LOCKSET


@dataclass(frozen=True)
class ReadModifyWrite:
    """SDL203: `x += 1` on shared state with no lock."""

    access: Access
    overlap: Overlap
    guard: Guard | None  # the lock that guards the state's other writes, if any


class CheckShape(str, Enum):
    CLASSIC = "classic"  # `if not x: x = ...` in one function
    DEFERRED = "deferred"  # checked, then a callback handed to another thread acts
    SAVE_RESTORE = "save-restore"  # `old = G; G = new; ...; G = old` on a global


@dataclass(frozen=True)
class CheckThenAct:
    """SDL202: a check of shared state and an act relying on it, not under one lock."""

    shape: CheckShape
    check: nodes.NodeNG  # where it is reported (the test, the callback's assert, the save)
    access: Access  # the checked (or saved) state
    acts: tuple[Access, ...]
    why: Concurrency  # what runs it concurrently
    region: Branch | None = None  # CLASSIC: the statements the check decides
    checked: Access | None = None  # DEFERRED: the test the callback's hand-off depends on
