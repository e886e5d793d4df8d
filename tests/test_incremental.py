"""The language server's incremental path (`shutdownlint.incremental`) against checks from
scratch: after every edit of a sequence, its findings (fixes, related locations,
columns) and warnings must be exactly those of a fresh check of the new text."""

from __future__ import annotations

import io
import shutil
import tokenize
from pathlib import Path

import pytest

from shutdownlint import incremental, runner
from shutdownlint.config import Overrides, build_settings
from shutdownlint.findings import source_lines

from .conftest import FIXTURES

# A worker with a bounded queue, a lock and a shutdown path: findings with fixes in
# several functions, and comments to edit far from them and on their rows.
SOURCE = """\
import queue
import threading

# module comment


class Pipeline:
    def __init__(self):
        self.results = queue.Queue(maxsize=10)  # bounded
        self.lock = threading.Lock()
        self.count = 0
        self.worker = threading.Thread(target=self.run)
        self.worker.start()

    def run(self):
        # the worker loop
        for page in range(3):
            self.results.put(page)  # can block
            self.count += 1

    def reset(self):
        with self.lock:
            self.count = 0  # guarded

    def close(self):
        '''Stop the worker.

        It has no way to stop yet.
        '''
        # stop
        total = self.count + \\
            1
        self.worker.join()
        return total
"""


def _settings(path: Path):
    return build_settings([path], isolated=True, overrides=Overrides(select=["SDL"]))


def _fresh(text: str, path: Path):
    run = runner.check_text(text, path, _settings(path))
    return run.findings, run.warnings


def _edits(text: str) -> list[tuple[str, str, bool]]:
    """(what, new text, whether the previous analysis may be kept) in order: each text is
    an edit of the one before."""
    steps = []

    def step(what: str, old: str, new: str, reusable: bool) -> None:
        nonlocal text
        assert old in text, what
        text = text.replace(old, new, 1)
        steps.append((what, text, reusable))

    step("a comment far from any finding", "# module comment", "# module comment!", True)
    step("and back", "# module comment!", "# module comment", True)
    step("a comment inside a function", "# the worker loop", "# the worker loop x", True)
    step("a comment on a finding's row", "# can block", "# can block forever", False)
    step("a comment naming a noqa code", "# the worker loop x", "# noqa: SDL301", True)
    step("a noqa on the finding's row", "# can block forever", "# noqa: SDL301", False)
    step("the noqa taken out again", "(page)  # noqa: SDL301", "(page)  # could block", False)
    step("a type comment", "# guarded", "# type: int", False)
    step("a comment again", "# type: int", "# guarded", False)
    step("code in one function's body", "range(3)", "range(4)", False)
    step("a comment after a code edit", "# stop", "# stop it", True)
    step("a line added, shifting the rest", "    def reset", "\n    def reset", False)
    step("a comment below the shift", "# stop it", "# stop", True)
    step(
        "a method added",
        "    def close(self):",
        "    def drain(self):\n        return self.results.get()\n\n    def close(self):",
        False,
    )
    step("a line removed", "\n\n    def reset", "\n    def reset", False)
    step("a syntax error", "def close(self):", "def close(self:", False)
    step("a comment while it does not parse", "# stop", "# stop!", False)
    step("the syntax error fixed", "def close(self:", "def close(self):", False)
    step("a comment after the fix", "# stop!", "# stop", True)
    step("a comment written after code", "self.count = 0\n", "self.count = 0  # zero\n", True)
    step("that comment taken out", "self.count = 0  # zero\n", "self.count = 0\n", True)
    step(
        "blanks after code", "self.lock = threading.Lock()", "self.lock = threading.Lock()  ", True
    )
    step(
        "a blank line becomes a comment",
        "\n\nclass Pipeline",
        "\n# the class\nclass Pipeline",
        True,
    )
    step("a `#` inside the docstring", "no way to stop yet.", "no way to stop yet.  # x", False)
    step("a `#` after a backslash", "self.count + \\", "self.count + \\  # x", False)
    step("and taken out", "self.count + \\  # x", "self.count + \\", False)
    step("a comment at the end of the file", "return total\n", "return total  # end\n", True)
    step("its line ending changed", "# end\n", "# end\r\n", False)
    return steps


def test_a_sequence_of_edits_gives_what_a_fresh_check_gives(tmp_path: Path) -> None:
    path = tmp_path / "pipeline.py"
    outcome = incremental.check_text(SOURCE, path, _settings(path))
    assert (outcome.run.findings, outcome.run.warnings) == _fresh(SOURCE, path)
    assert outcome.run.findings, "the example must have findings to carry over"
    for what, text, reusable in _edits(SOURCE):
        outcome = incremental.check_text(text, path, _settings(path), outcome.analysed)
        assert (outcome.run.findings, outcome.run.warnings) == _fresh(text, path), what
        assert outcome.reused is reusable, what


def test_a_noqa_comment_written_in_place_of_another_comment_applies(tmp_path: Path) -> None:
    path = tmp_path / "pipeline.py"
    text = SOURCE.replace("# can block", "# noqa: SDL301")
    first = incremental.check_text(text, path, _settings(path))
    codes = [f.code for f in first.run.findings]
    assert "SDL301" not in codes
    # The finding's row is one a rule read, so this edit is analysed again; another
    # row's noqa is not, and warns the same either way.
    unknown = text.replace("# module comment", "# noqa: SDL777")
    second = incremental.check_text(unknown, path, _settings(path), first.analysed)
    assert second.reused
    assert (second.run.findings, second.run.warnings) == _fresh(unknown, path)
    assert any("SDL777" in w for w in second.run.warnings)


def test_a_comment_that_brings_in_the_deep_analysis_is_analysed(tmp_path: Path) -> None:
    # No API the analysis knows: only a syntax check, so nothing is kept from it.
    path = tmp_path / "plain.py"
    text = "x = 1\ny = 2\n# plain\n"
    first = incremental.check_text(text, path, _settings(path))
    assert first.analysed is None
    edited = text.replace("# plain", "# threading.Thread(target=f).start()")
    second = incremental.check_text(edited, path, _settings(path), first.analysed)
    assert not second.reused


def test_a_changed_project_module_is_analysed_again(tmp_path: Path) -> None:
    helper = tmp_path / "a.py"
    helper.write_text("import queue\n\n\nclass MyQ(queue.Queue):\n    pass\n")
    path = tmp_path / "b.py"
    text = (
        "import threading\n\nfrom a import MyQ\n\nQ = MyQ(3)\n\n# note\n\ndef work():\n"
        "    Q.put(1)\n\n\nthreading.Thread(target=work).start()\n"
    )
    first = incremental.check_text(text, path, _settings(path))
    assert [f.code for f in first.run.findings] == ["SDL301"]  # MyQ is a Queue, from a.py
    assert str(helper) in first.analysed.result.dependencies
    helper.write_text("class MyQ:\n    def put(self, item):\n        pass\n")
    edited = text.replace("# note", "# note!")
    second = incremental.check_text(edited, path, _settings(path), first.analysed)
    assert not second.reused
    assert second.run.findings == [] == _fresh(edited, path)[0]


def _comment_rows(text: str) -> dict[int, int]:
    tokens = tokenize.generate_tokens(io.StringIO(text, newline=None).readline)
    return {t.start[0]: t.start[1] for t in tokens if t.type == tokenize.COMMENT}


def _with_row(lines: list[str], row: int, body: str) -> str:
    line = lines[row - 1]
    ending = line[len(line.rstrip("\r\n")) :]
    return "".join([*lines[: row - 1], body + ending, *lines[row:]])


FIXED_FIXTURES = sorted(
    p.with_name(p.name[: -len(".fixed.py")] + ".py") for p in FIXTURES.rglob("*.fixed.py")
)
APPENDED_PER_FIXTURE = 6  # comments written after code, compared with fresh checks


@pytest.mark.parametrize("fixture", FIXED_FIXTURES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_comment_edits_of_fixtures_with_fixes(fixture: Path, tmp_path: Path) -> None:
    """Whatever a rule reads of the text to write a fix, a comment edit that the
    incremental path takes over must give the findings (and fixes) a fresh check gives:
    every comment of the fixture edited and removed, and comments written after the
    code of rows spread over the file. Each ends in `;` and `\\`: what a rule asks of a
    line before it indents its statement."""
    text = fixture.read_text(encoding="utf-8")
    path = tmp_path / fixture.name
    settings = _settings(path)
    first = incremental.check_text(text, path, settings).analysed
    assert first is not None
    lines = source_lines(text, keepends=True)
    comments = _comment_rows(text)
    edits = []
    for row, column in comments.items():
        body = lines[row - 1].rstrip("\r\n")
        edits += [_with_row(lines, row, body + " x;\\"), _with_row(lines, row, body[:column])]
    appended = [
        edited
        for row in range(1, len(lines) + 1)
        if row not in comments
        and incremental.carried_over(
            first,
            edited := _with_row(lines, row, lines[row - 1].rstrip("\r\n") + "  # x;\\"),
            path,
            settings,
        )
    ]
    step = max(1, len(appended) // APPENDED_PER_FIXTURE)
    kept = 0
    for edited in edits + appended[::step]:
        outcome = incremental.check_text(edited, path, settings, first)
        if outcome.reused:
            kept += 1
            assert (outcome.run.findings, outcome.run.warnings) == _fresh(edited, path)
    assert kept or not appended


ALL_FIXTURES = sorted(p for p in FIXTURES.rglob("*.py") if not p.name.endswith(".fixed.py"))


@pytest.mark.stress
@pytest.mark.parametrize("fixture", ALL_FIXTURES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_comment_edits_of_every_fixture(fixture: Path, tmp_path: Path) -> None:
    """Every fixture (its folder copied: sibling modules are consulted), every comment
    edited (naming an API word, as the cheap look reads) and removed, and a comment written
    after every row's code: each edit the incremental path keeps is compared with a fresh
    check (`-m stress`)."""
    folder = tmp_path / "pkg"
    shutil.copytree(fixture.parent, folder)
    path = folder / fixture.name
    text = fixture.read_text(encoding="utf-8")
    settings = _settings(path)
    first = incremental.check_text(text, path, settings).analysed
    if first is None:
        return
    lines = source_lines(text, keepends=True)
    comments = _comment_rows(text)
    edits = []
    for row, column in comments.items():
        body = lines[row - 1].rstrip("\r\n")
        edits += [
            _with_row(lines, row, body + " threading;\\"),
            _with_row(lines, row, body[:column]),
        ]
    edits += [
        _with_row(lines, row, lines[row - 1].rstrip("\r\n") + "  # noqa: SDL3 x;\\")
        for row in range(1, len(lines) + 1)
        if row not in comments
    ]
    for edited in edits:
        if incremental.carried_over(first, edited, path, settings):
            outcome = incremental.check_text(edited, path, settings, first)
            assert (outcome.run.findings, outcome.run.warnings) == _fresh(edited, path)
