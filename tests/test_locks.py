"""Unit tests of the shared-state facts: lock sets, lock identity and evidence, the
thread map (thread identities), and what shutdown does to a class (teardown)."""

from __future__ import annotations

import textwrap

import astroid
import pytest
from astroid import nodes

from shutdownlint.analysis.facts import ModuleFacts
from shutdownlint.analysis.locks import Evidence
from shutdownlint.analysis.options import AnalysisOptions
from shutdownlint.analysis.teardown import StopHow
from shutdownlint.analysis.vocabulary import ThreadRole

HEADER = "import threading\nimport logging\n"


def facts_for(source: str) -> ModuleFacts:
    module = astroid.parse(HEADER + textwrap.dedent(source), module_name="analysed")
    return ModuleFacts(module, AnalysisOptions())


def marked(facts: ModuleFacts, marker: str = "# <-") -> nodes.NodeNG:
    """The statement on the line that ends with the marker."""
    lines = facts.module.stream().read().decode().splitlines()
    row = next(i for i, line in enumerate(lines, 1) if line.rstrip().endswith(marker))
    return next(
        n for n in facts.module.nodes_of_class(nodes.NodeNG) if n.lineno == row and n.is_statement
    )


def held(source: str) -> set[str]:
    facts = facts_for(source)
    at = facts.locks.held_at(marked(facts))
    return {"*"} if at.by_contract else {lock.key for lock in at.locks}


LOCKED = [
    # with / async with
    (
        """
        class C:
            def __init__(self):
                self._lock = threading.Lock()
            def f(self):
                with self._lock:
                    x = 1  # <-
        """,
        {"self._lock"},
    ),
    # acquire ... release with try/finally
    (
        """
        class C:
            def __init__(self):
                self._lock = threading.RLock()
            def f(self):
                self._lock.acquire()
                try:
                    x = 1  # <-
                finally:
                    self._lock.release()
        """,
        {"self._lock"},
    ),
    # after the try/finally released it
    (
        """
        class C:
            def __init__(self):
                self._lock = threading.RLock()
            def f(self):
                self._lock.acquire()
                try:
                    pass
                finally:
                    self._lock.release()
                x = 1  # <-
        """,
        set(),
    ),
    # if lock.acquire(False):
    (
        """
        class C:
            def __init__(self):
                self._lock = threading.Lock()
            def f(self):
                if self._lock.acquire(False):
                    x = 1  # <-
        """,
        {"self._lock"},
    ),
    # released and re-acquired inside `with` (kafka-python 2.1.1)
    (
        """
        class C:
            def __init__(self):
                self._lock = threading.Lock()
            def f(self, cb):
                with self._lock:
                    self._lock.release()
                    cb()  # <-
                    self._lock.acquire()
        """,
        set(),
    ),
    # Condition(lock) stands for the lock it wraps
    (
        """
        class C:
            def __init__(self):
                self.mutex = threading.Lock()
                self.not_empty = threading.Condition(self.mutex)
            def f(self):
                with self.not_empty:
                    x = 1  # <-
        """,
        {"self.mutex"},
    ),
    # a local alias
    (
        """
        class C:
            def __init__(self):
                self._lock = threading.Lock()
            def f(self):
                lock = self._lock
                with lock:
                    x = 1  # <-
        """,
        {"self._lock"},
    ),
    # a getter returning the lock
    (
        """
        class C:
            _lock = threading.RLock()
            @classmethod
            def get_lock(cls):
                return cls._lock
            @classmethod
            def f(cls):
                with cls.get_lock():
                    x = 1  # <-
        """,
        {"self._lock"},
    ),
    # a lock wrapper function (logging's _acquireLock)
    (
        """
        _lock = threading.RLock()
        def _acquire():
            if _lock:
                _lock.acquire()
        def _release():
            if _lock:
                _lock.release()
        def f():
            _acquire()
            try:
                x = 1  # <-
            finally:
                _release()
        """,
        {"_lock"},
    ),
    # a private helper every caller calls under the lock
    (
        """
        class C:
            def __init__(self):
                self._lock = threading.Lock()
            def put(self):
                with self._lock:
                    self._put()
            def get(self):
                with self._lock:
                    self._put()
            def _put(self):
                x = 1  # <-
        """,
        {"self._lock"},
    ),
    # ...but not when one caller does not hold it
    (
        """
        class C:
            def __init__(self):
                self._lock = threading.Lock()
            def put(self):
                with self._lock:
                    self._put()
            def other(self):
                self._put()
            def _put(self):
                x = 1  # <-
        """,
        set(),
    ),
    # ...nor when the helper escapes (handed to a thread)
    (
        """
        class C:
            def __init__(self):
                self._lock = threading.Lock()
                self._t = threading.Thread(target=self._put)
            def put(self):
                with self._lock:
                    self._put()
            def _put(self):
                x = 1  # <-
        """,
        set(),
    ),
    # the name says the caller holds the lock
    (
        """
        class C:
            def _drain_locked(self):
                x = 1  # <-
        """,
        {"*"},
    ),
    # so does the docstring
    (
        """
        class C:
            def _send(self):
                '''Always hold the _lock before calling.'''
                x = 1  # <-
        """,
        {"*"},
    ),
    # a framework calls it with the lock held: logging.Handler.emit
    (
        """
        class H(logging.Handler):
            def emit(self, record):
                x = 1  # <-
        """,
        {"self.lock"},
    ),
]


@pytest.mark.parametrize(("source", "expected"), LOCKED)
def test_lock_sets(source: str, expected: set[str]) -> None:
    assert held(source) == expected


def test_lock_evidence() -> None:
    facts = facts_for(
        """
        class Lockish:
            def acquire(self): pass
            def release(self): pass
            def __enter__(self): self.acquire()
            def __exit__(self, *a): self.release()

        class Pool:
            def acquire(self): pass
            def release(self, conn): pass

        class C:
            def __init__(self, registry, handed_lock):
                self._kind = threading.Lock()
                self._structure = Lockish()
                self._mutex = registry.mutex_for(self)
                self._handed_lock = handed_lock
                self._pool = Pool()
            def f(self):
                with self._kind, self._structure, self._mutex, self._handed_lock:
                    pass
        """
    )
    with_node = next(facts.module.nodes_of_class(nodes.With))
    evidence = [facts.locks.lock_of(expr).evidence for expr, _ in with_node.items]
    # A lock handed to the constructor is a lock (SPEC "Concurrent callers"); a name alone
    # is no evidence.
    assert evidence == [Evidence.KIND, Evidence.STRUCTURE, Evidence.NAME, Evidence.STRUCTURE]
    assert not facts.locks.is_strong(facts.locks.lock_of(with_node.items[2][0]).lock)
    # A pool's `release(conn)` hands a resource back: the pool is no lock.
    pool = next(c for c in facts.module.nodes_of_class(nodes.ClassDef) if c.name == "Pool")
    assert not facts.locks.is_lock_implementation(pool)


def roles(facts: ModuleFacts, name: str) -> set[ThreadRole]:
    function = next(f for f in facts.module.nodes_of_class(nodes.FunctionDef) if f.name == name)
    return {t.role for t in facts.threads.threads_of(function)}


def test_thread_map() -> None:
    facts = facts_for(
        """
        import asyncio

        class Client:
            def loop_start(self):
                self._thread = threading.Thread(target=self._thread_main)
                self._thread.start()
            def _thread_main(self):
                while True:
                    self.loop_forever()
            def loop_forever(self):
                self._handle()
            def _handle(self):
                self.on_message(self, b"")
            def publish(self):
                self._next_id()
            def _next_id(self):
                pass
            async def run(self):
                await asyncio.to_thread(self._blocking)
            def _blocking(self):
                pass
        """
    )
    assert roles(facts, "_thread_main") == {ThreadRole.THREAD}
    # A public method the worker calls, and no caller in the module: the worker's body.
    assert roles(facts, "loop_forever") == {ThreadRole.THREAD}
    # User callbacks run on the worker with the client: public methods run there too.
    assert roles(facts, "_next_id") == {ThreadRole.CALLER, ThreadRole.CALLBACK}
    assert roles(facts, "run") == {ThreadRole.LOOP}
    assert roles(facts, "_blocking") == {ThreadRole.POOL}


def test_teardown_facts() -> None:
    facts = facts_for(
        """
        import queue

        class Pool:
            def __init__(self):
                self._lock = threading.Lock()
                self._closed = False
                self._idle = []
                self._q = queue.Queue(10)
                self._reader = threading.Thread(target=self._read)
                self._writer = threading.Thread(target=self._write)
            def _read(self):
                self._q.put(1)
            def _write(self):
                self._q.get()
            def close(self):
                with self._lock:
                    self._closed = True
                    idle, self._idle = self._idle, []
                for conn in idle:
                    conn.close()
                self._writer.join()
                self._reader.join()
        """
    )
    cls = next(c for c in facts.module.nodes_of_class(nodes.ClassDef) if c.name == "Pool")
    container = facts.teardown.closed_containers(cls)["_idle"]
    assert container.lock.key == "self._lock"
    assert [name for name, _ in container.flags] == ["_closed"]
    workers = {w.function.name: w for w in facts.teardown.workers(cls)}
    assert workers["_read"].produces == {"_q"} and workers["_write"].consumes == {"_q"}
    assert (workers["_read"].handle, workers["_write"].handle) == ("_reader", "_writer")
    close = cls.locals["close"][0]
    order = [(s.worker.function.name, s.how) for s in facts.teardown.stop_order(close)]
    assert order == [("_write", StopHow.JOIN), ("_read", StopHow.JOIN)]
