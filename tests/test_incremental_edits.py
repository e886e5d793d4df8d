"""Random edits through the language server's incremental path, each compared with a
fresh check of the same text: the findings (code, position, message, fix, related
locations) and the warnings must be equal, whatever the path took over from the
previous version.

Each edit is made to the text the one before produced and checked with that check's
analysis as the basis, as the server checks a buffer being typed in: code edits (a
digit, a name, a line duplicated, removed or added, a character in a string), comment
edits (written, changed, removed; `# noqa` and `# type:` comments among them) and
edits that break the syntax for a while. The default run is a fixed sequence over a
few fixtures; `-m stress` runs longer seeded sequences over more fixtures, the
standard library's asyncio/base_events.py (the editor benchmark's file) and two files
of the unseen scan corpora where the machine has them.
"""

from __future__ import annotations

import random
import re
import sysconfig
from pathlib import Path

import pytest

from shutdownlint import incremental, runner
from shutdownlint.config import Overrides, build_settings
from shutdownlint.findings import source_lines

from .conftest import FIXTURES

_NAME = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]*\b")
_DIGIT = re.compile(r"(?<![A-Za-z0-9_.])[0-9](?![A-Za-z0-9_.])")
_COMMENTS = ("# x", "# noqa", "# noqa: SDL301", "# type: int", "# threading", "#", "")


def _settings(path: Path):
    return build_settings([path], isolated=True, overrides=Overrides(select=["SDL"]))


def _with_line(lines: list[str], index: int, body: str) -> str:
    line = lines[index]
    ending = line[len(line.rstrip("\r\n")) :] or "\n"
    return "".join([*lines[:index], body + ending, *lines[index + 1 :]])


def random_edit(text: str, rng: random.Random, near: list[int] = ()) -> tuple[str, str]:
    """(what, the edited text): one edit of `text` on a random row, half of the time
    one of the rows `near` (those of the previous findings) or next to one."""
    lines = source_lines(text, keepends=True)
    if not lines:
        return "a line written", "x = 1\n"
    index = rng.randrange(len(lines))
    if near and rng.random() < 0.5:
        index = min(max(rng.choice(near) - 1 + rng.choice((-1, 0, 0, 1)), 0), len(lines) - 1)
    body = lines[index].rstrip("\r\n")
    code_end = body.find("#") if "#" in body else len(body)  # roughly: strings may hold `#`
    what = rng.choice(
        ("digit", "name", "duplicate", "remove", "pass", "comment", "comment", "string", "join")
    )
    if what == "digit" and (digits := list(_DIGIT.finditer(body, 0, code_end))):
        m = rng.choice(digits)
        digit = str((int(m.group()) + 1) % 10)
        return f"a digit on row {index + 1}", _with_line(
            lines, index, body[: m.start()] + digit + body[m.end() :]
        )
    if what == "name" and (names := list(_NAME.finditer(body, 0, code_end))):
        m = rng.choice(names)
        return f"a name on row {index + 1}", _with_line(
            lines, index, body[: m.start()] + m.group() + "_2" + body[m.end() :]
        )
    if what == "duplicate":
        return f"row {index + 1} duplicated", "".join(
            [*lines[: index + 1], lines[index], *lines[index + 1 :]]
        )
    if what == "remove":
        return f"row {index + 1} removed", "".join([*lines[:index], *lines[index + 1 :]])
    if what == "pass":
        indent = body[: len(body) - len(body.lstrip())]
        return f"`pass` after row {index + 1}", "".join(
            [*lines[: index + 1], indent + "pass\n", *lines[index + 1 :]]
        )
    if what == "string" and (quote := body.find('"')) >= 0:
        return f"a character after a quote on row {index + 1}", _with_line(
            lines, index, body[: quote + 1] + "#" + body[quote + 1 :]
        )
    if what == "join" and index + 1 < len(lines):
        return f"rows {index + 1} and {index + 2} joined", "".join(
            [*lines[:index], body + " " + lines[index + 1].lstrip(), *lines[index + 2 :]]
        )
    code = body.split("#", 1)[0].rstrip() if "#" in body else body
    comment = rng.choice(_COMMENTS)
    return f"a comment on row {index + 1}", _with_line(
        lines, index, code + ("  " + comment if comment else "")
    )


def check_edits(source: Path, folder: Path, seed: int, count: int) -> int:
    """Edit a copy of `source` `count` times (seeded), comparing each incremental check
    with a fresh one; the number of edits whose previous analysis was taken over."""
    path = folder / source.name
    text = source.read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    settings = _settings(path)
    rng = random.Random(seed)
    outcome = incremental.check_text(text, path, settings)
    reused = 0
    for step in range(count):
        near = [f.location.row for f in outcome.run.findings]
        what, text = random_edit(text, rng, near)
        outcome = incremental.check_text(text, path, settings, outcome.analysed)
        fresh = runner.check_text(text, path, settings)
        where = f"{source.name}, seed {seed}, edit {step + 1}: {what}"
        assert outcome.run.findings == fresh.findings, where
        assert outcome.run.warnings == fresh.warnings, where
        reused += outcome.reused
    return reused


EDITED = [
    FIXTURES / "SDL301" / "aliases_and_constants.py",
    FIXTURES / "SDL201" / "clean_idioms.py",
    FIXTURES / "SDL105" / "stored_workers.py",
]


@pytest.mark.parametrize("source", EDITED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_random_edits_give_what_a_fresh_check_gives(source: Path, tmp_path: Path) -> None:
    if not source.is_file():
        pytest.skip(f"{source} is gone: pick another fixture")
    check_edits(source, tmp_path, seed=22, count=12)


# Files of the unseen scan corpora, where this machine has them (skipped elsewhere).
SCANNED = [
    Path("/work/scan/src/cheroot/cheroot/server.py"),
    Path("/work/scan/src/waitress/waitress/channel.py"),
]
STRESSED = [
    *sorted(p for p in FIXTURES.glob("SDL*/*.py") if not p.name.endswith(".fixed.py"))[::4],
    Path(sysconfig.get_paths()["stdlib"]) / "asyncio" / "base_events.py",
    *SCANNED,
]


@pytest.mark.stress
@pytest.mark.parametrize("source", STRESSED, ids=lambda p: f"{p.parent.name}/{p.name}")
@pytest.mark.parametrize("seed", [1, 2])
def test_random_edit_sequences(source: Path, seed: int, tmp_path: Path) -> None:
    if not source.is_file():
        pytest.skip(f"{source} is not on this machine")
    check_edits(source, tmp_path, seed=seed, count=40 if source.stat().st_size < 20_000 else 15)
