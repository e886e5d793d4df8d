"""Every edit keeps the promise of its title: what it writes is what the title says,
and an edit that would break what the code relies on is not made (issue 21)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from shutdownlint.config import TARGET_VERSIONS, Overrides, build_settings
from shutdownlint.engine import check_bytes
from shutdownlint.findings import Applicability, Finding
from shutdownlint.fixes import apply_edits
from shutdownlint.rules import ALL_RULES

from .conftest import BAD, FIXTURES, MONITOR, SOCKET_LIST


def findings(source: str, *select: str, target: str | None = None) -> list[Finding]:
    overrides = Overrides(select=list(select) or None)
    settings = build_settings([Path(".")], isolated=True, overrides=overrides)
    if target is not None:
        analysis = dataclasses.replace(settings.analysis, target_version=TARGET_VERSIONS[target])
        settings = dataclasses.replace(settings, analysis=analysis)
    return check_bytes(source.encode(), Path("m.py"), settings, ALL_RULES).findings


def fixed(source: str, finding: Finding) -> str:
    assert finding.fix is not None
    return apply_edits(source, finding.fix.edits)


def test_sdl105_joins_with_a_timeout_and_checks_is_alive_without_sdl302() -> None:
    """A join with `timeout=`, then `is_alive()`; only a live worker is joined (joining
    one never started raises)."""
    (finding,) = findings(MONITOR)  # the default selection: SDL302 is off
    assert finding.code == "SDL105"
    after = fixed(MONITOR, finding)
    assert (
        "        if self._thread.is_alive():\n"
        "            self._thread.join(timeout=5.0)\n"
        "            if self._thread.is_alive():\n"
        "                raise TimeoutError("
    ) in after
    assert "timeout=5.0" in finding.fix.message and "is_alive" not in finding.fix.message
    assert "TimeoutError" in finding.fix.message
    assert findings(after, "SDL") == []


def test_sdl301_title_says_what_the_edit_does() -> None:
    (finding,) = findings(BAD)
    assert finding.fix.applicability is Applicability.UNSAFE
    title = finding.fix.message
    assert title.startswith("pass `timeout=5.0` to `put()`")
    assert "raises `queue.Full`" in title and "and handle `queue.Full`" not in title
    assert "except" not in fixed(BAD, finding)


SEMAPHORE = """\
import threading


class Pool:
    def __init__(self):
        self._sem = threading.Semaphore(2)

    def stop(self):
        self._sem.acquire()

    def close(self):
        if self._sem.acquire():
            self._sem.release()
"""


def test_acquire_whose_result_is_thrown_away_gets_no_edit() -> None:
    by_row = {f.location.row: f for f in findings(SEMAPHORE, "SDL302")}
    assert set(by_row) == {9, 12}
    assert by_row[9].fix.applicability is Applicability.DISPLAY_ONLY and not by_row[9].fix.edits
    assert "check what it returns" in by_row[9].fix.message
    assert by_row[12].fix.applicability is Applicability.UNSAFE
    assert "if self._sem.acquire(timeout=5.0):" in fixed(SEMAPHORE, by_row[12])
    assert "returns False" in by_row[12].fix.message


AWAIT_TASK = """\
import asyncio


class Service:
    async def start(self):
        self._task = asyncio.create_task(asyncio.sleep(10))

    async def close(self):
        await self._task
"""


@pytest.mark.parametrize("target", ["py310", "py311"])
def test_a_timeout_on_an_awaited_task_does_not_cancel_it(target: str) -> None:
    (finding,) = [f for f in findings(AWAIT_TASK, "SDL302", target=target) if f.code == "SDL302"]
    after = fixed(AWAIT_TASK, finding)
    assert "asyncio.shield(self._task)" in after
    assert "shielded" in finding.fix.message
    compile(after, "m.py", "exec")


def test_sdl104_gives_no_close_edit_for_a_container_of_sockets() -> None:
    source = SOCKET_LIST
    (finding,) = findings(source)
    assert finding.fix.applicability is Applicability.DISPLAY_ONLY and not finding.fix.edits
    assert "the sockets it holds stay open" in finding.message
    assert "for s in self._idle: s.close()" in finding.fix.message


@pytest.mark.parametrize("annotation", ["", ": socket.socket | None", ": Optional[socket.socket]"])
def test_sdl104_guards_an_attribute_that_may_be_none(annotation: str) -> None:
    source = f"""\
import socket
from typing import Optional


class Client:
    def __init__(self, address):
        self.address = address
        self.sock{annotation} = None

    def connect(self):
        self.sock = socket.create_connection(self.address)

    def close(self):
        self.address = None
"""
    (finding,) = findings(source)
    assert "        if self.sock is not None:\n            self.sock.close()\n" in fixed(
        source, finding
    )


@pytest.mark.parametrize(
    "fixture",
    [
        "SDL201/lock_held_while_waiting_for_the_worker.py",
        "SDL203/starter_waits_holding_the_lock.py",
    ],
)
def test_taking_a_lock_held_while_waiting_for_the_worker_is_no_edit(fixture: str) -> None:
    source = (FIXTURES / fixture).read_text(encoding="utf-8")
    (finding,) = findings(source, "SDL")
    assert finding.fix.applicability is Applicability.DISPLAY_ONLY and not finding.fix.edits
    assert "waits while holding the lock, so taking it here can deadlock" in finding.fix.message


CONDITION = """\
import threading


class Service:
    def __init__(self):
        self._cond = threading.Condition()
        self._results = []
        self._thread = threading.Thread(target=self._work)

    def start(self):
        self._thread.start()

    def _work(self):
        for r in self._results:
            print(r)

    def wait_for_results(self):
        with self._cond:
            self._results.clear()
            self._cond.wait(timeout=1)
"""


def test_a_condition_waited_on_is_released_so_the_lock_edit_stays() -> None:
    (finding,) = findings(CONDITION, "SDL")
    assert finding.code == "SDL201"
    assert finding.fix.applicability is Applicability.UNSAFE
    assert "with self._cond:" in fixed(CONDITION, finding)


def test_sdl103_help_releases_what_the_worker_waits_on_before_joining() -> None:
    source = """\
import threading


def run_job(job):
    worker = threading.Thread(target=job.run)
    worker.start()
    job.report_progress()
    worker.join()
"""
    (finding,) = findings(source)
    assert finding.code == "SDL103" and not finding.fix.edits
    assert "after releasing what it waits on" in finding.fix.message


def test_an_inserted_release_is_what_its_title_says() -> None:
    """SDL102/SDL104 before an early exit: the title names the call the edit inserts."""
    titles = 0
    for path in sorted(FIXTURES.glob("SDL10[24]/*.py")):
        if path.name.endswith(".fixed.py"):
            continue
        for finding in findings(path.read_text(encoding="utf-8"), "SDL"):
            fix = finding.fix
            if fix is None or not fix.edits or not fix.message.startswith("call `"):
                continue
            titles += 1
            call = fix.message.split("`")[1]
            exit_word = fix.message.split("`")[3]
            (edit,) = fix.edits
            assert edit.content.strip() == call
            assert exit_word in ("return", "continue", "break")
    assert titles >= 3
