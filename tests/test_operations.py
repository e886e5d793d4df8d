"""The kind table (analysis/operations.py) is read everywhere: take one operation out of
a row and a fixture fails."""

from __future__ import annotations

import dataclasses
from collections import Counter

import pytest

from shutdownlint.analysis import operations
from shutdownlint.analysis.operations import OPERATIONS, Holder
from shutdownlint.analysis.vocabulary import Kind

from .conftest import FIXTURES
from .test_fixtures import expectations, findings_of

# (row, column, operation, a fixture that needs it)
REMOVALS = [
    (Holder.CONTAINER, "add", "extendleft", "SDL401/bulk_adds.py"),
    (Holder.CONTAINER, "add", "update", "SDL401/bulk_adds.py"),
    (Holder.CONTAINER, "take", "popleft", "SDL401/deque_pool_drained_item_by_item.py"),
    (Kind.QUEUE, "put", "put", "SDL403/queue_stop_order.py"),
    (Kind.QUEUE, "get", "get", "SDL101/producer_worker.py"),
    (Kind.QUEUE, "done", "task_done", "SDL102/task_done.py"),
    (Kind.EVENT, "release", "set", "SDL102/asyncio_waiters.py"),
    (Kind.THREAD, "release", "join", "SDL103/started_in_a_function.py"),
    (Kind.THREAD, "start", "start", "SDL103/started_in_a_function.py"),
    (Kind.SOCKET, "release", "close", "SDL104/sockets_in_functions.py"),
    (Kind.TASK, "ended", "result", "SDL103/what_asyncio_waits_raise.py"),
    (Kind.TASK, "ended", "exception", "SDL103/what_asyncio_waits_raise.py"),
]


def _passes(path) -> bool:
    findings = findings_of(path)
    got = Counter((f.location.row, f.code) for f in findings)
    if got != Counter((row, code) for row, code, _ in expectations(path)):
        return False
    return all(
        any(
            fragment in f"{f.message}\n{f.fix.message if f.fix else ''}"
            for f in findings
            if (f.location.row, f.code) == (row, code)
        )
        for row, code, fragment in expectations(path)
        if fragment is not None
    )


@pytest.fixture
def table(monkeypatch):
    """OPERATIONS, restored (with its cached unions) after the test."""
    yield lambda key, column, name: monkeypatch.setitem(
        OPERATIONS,
        key,
        dataclasses.replace(OPERATIONS[key], **{column: getattr(OPERATIONS[key], column) - {name}}),
    )
    monkeypatch.undo()
    operations.clear_caches()


@pytest.mark.parametrize(
    ("key", "column", "name", "fixture"),
    REMOVALS,
    ids=[f"{r[0].value}.{r[1]}.{r[2]}" for r in REMOVALS],
)
def test_removing_an_operation_fails_its_fixture(table, key, column, name, fixture) -> None:
    path = FIXTURES / fixture
    assert _passes(path)
    table(key, column, name)
    operations.clear_caches()
    assert not _passes(path), f"{fixture} does not need `{name}` in the {key} row"


def test_release_statement_and_words_come_from_the_rows() -> None:
    assert operations.release_statement(Kind.EVENT, "self._ready") == "self._ready.set()"
    assert operations.release_statement(Kind.CONDITION, "cv") is None  # needs its lock
    assert operations.release_statement(Kind.THREAD, "self._t", 5.0) == "self._t.join(timeout=5.0)"
    assert operations.release_statement(Kind.THREAD, "self._t") == "self._t.join()"
    assert operations.release_statement(Kind.TASK, "self._task") is None  # must be awaited
    assert operations.operations(Kind.EXECUTOR).releases == "shuts down"
    assert operations.adding_methods() >= {"extendleft", "update", "put_nowait", "insert"}
