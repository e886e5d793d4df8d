"""The flake8 plugin (SPEC §6), driven through real flake8 in a subprocess: the same
codes, lines, columns and messages as `shutdownlint check --format concise`; our
configuration and default selection first, flake8's select/ignore/noqa on top."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import BAD
from .test_cli import write

pytestmark = [
    pytest.mark.skipif(importlib.util.find_spec("flake8") is None, reason="flake8 not installed"),
    pytest.mark.skipif(
        not any(
            ep.name == "SDL" and ep.value.startswith("shutdownlint.")
            for ep in importlib.metadata.entry_points(group="flake8.extension")
        ),
        reason="shutdownlint is not installed (its flake8 entry point is not registered)",
    ),
]

MYLIB = """\
class Channel:
    def __init__(self, maxsize=0):
        self.maxsize = maxsize

    def put(self, item, timeout=None):
        pass
"""
USES_CHANNEL = """\
import threading

from mylib import Channel


class Worker:
    def __init__(self):
        self.chan = Channel(maxsize=3)
        self.thread = threading.Thread(target=self._run)

    def _run(self):
        self.chan.put(1)

    def finish(self):
        self.thread.join()
"""
# A non-ASCII line before the put: columns count code points in both tools.
UNICODE_BAD = BAD.replace(
    "        for page", "        label = 'é😀'; self.results.put(label)\n        for page"
)
CONFIG = """\
[tool.shutdownlint]
extend-shutdown-methods = ["finish"]
{extra}

[tool.shutdownlint.types]
"mylib.Channel" = "queue"
"""


def flake8(project: Path, *args: str, input: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLAKE8")}
    return subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", *args],
        cwd=project,
        capture_output=True,
        text=True,
        input=input,
        env=env,
        timeout=120,
    )


def shutdownlint(project: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "shutdownlint", "check", "--no-cache", "--format", "concise", *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
    )


def lines(proc: subprocess.CompletedProcess) -> list[str]:
    return sorted(line.removeprefix("./") for line in proc.stdout.splitlines())


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write(tmp_path, "pyproject.toml", CONFIG.format(extra='extend-select = ["SDL302"]'))
    write(tmp_path, "mylib.py", MYLIB)
    write(tmp_path, "channel_user.py", USES_CHANNEL)
    write(tmp_path, "fetcher.py", UNICODE_BAD)
    write(
        tmp_path,
        "clean.py",
        BAD.replace("put(page)", "put(page, timeout=1)").replace("join()", "join(timeout=1)"),
    )
    return tmp_path


def test_same_findings_as_shutdownlint_check(project: Path) -> None:
    files = ["channel_user.py", "clean.py", "fetcher.py", "mylib.py"]
    ours = shutdownlint(project, *files)
    theirs = flake8(project, "--select", "SDL", "--jobs", "2", *files)
    assert ours.returncode == 1 and theirs.returncode == 1, theirs.stderr
    assert lines(theirs) == lines(ours)
    # The configuration was read: a user type as a queue, a configured shutdown method,
    # the opt-in rule selected, and the put after a non-ASCII string in code points.
    assert lines(theirs) == sorted(
        [
            "channel_user.py:12:9: SDL301 `self.chan.put(1)` can block forever: the queue "
            "is bounded (maxsize=3) and nothing times out (runs in a worker thread)",
            "channel_user.py:15:9: SDL302 `self.thread.join()` blocks with no timeout on a "
            "shutdown path (`finish()` is a shutdown method)",
            *[line for line in lines(ours) if line.startswith("fetcher.py:")],
        ]
    )
    assert [line.split(": ")[0] for line in lines(theirs) if line.startswith("fetcher.py:")] == [
        "fetcher.py:10:23",  # after 'é😀': 22 code points (26 UTF-8 bytes, 23 UTF-16 units)
        "fetcher.py:12:13",
        "fetcher.py:15:9",
    ]


def test_directory_walk_matches(project: Path) -> None:
    assert lines(flake8(project, "--select", "SDL", ".")) == lines(shutdownlint(project, "."))


def test_opt_in_rule_stays_off_unless_our_configuration_selects_it(project: Path) -> None:
    write(project, "pyproject.toml", CONFIG.format(extra=""))
    result = flake8(project, "--select", "SDL302", "channel_user.py", "fetcher.py")
    assert result.returncode == 0 and result.stdout == "", result.stdout + result.stderr
    codes = [line.split()[1] for line in lines(flake8(project, "--select", "SDL", "."))]
    assert "SDL302" not in codes and "SDL301" in codes


def test_flake8_select_and_ignore_filter_on_top(project: Path) -> None:
    only = flake8(project, "--select", "SDL302", "fetcher.py")
    assert [line.split()[1] for line in lines(only)] == ["SDL302"]
    ignored = flake8(project, "--select", "SDL", "--extend-ignore", "SDL3", "fetcher.py")
    assert ignored.returncode == 0 and ignored.stdout == ""


def test_our_ignore_and_excludes_apply(project: Path) -> None:
    write(
        project,
        "pyproject.toml",
        CONFIG.format(extra='ignore = ["SDL301"]\nextend-exclude = ["channel_user.py"]'),
    )
    result = flake8(project, "--select", "SDL", ".")
    assert lines(result) == lines(shutdownlint(project, "."))
    assert lines(result) == []


def test_noqa_is_honoured(project: Path) -> None:
    source = BAD.replace("put(page)", "put(page)  # noqa: SDL301")
    write(project, "fetcher.py", source.replace("join()", "join()  # noqa"))
    assert flake8(project, "--select", "SDL", "fetcher.py").stdout == ""


def test_stdin_with_display_name(project: Path) -> None:
    result = flake8(
        project, "--select", "SDL", "--stdin-display-name", "fetcher.py", "-", input=BAD
    )
    assert [line.split(": ")[0] for line in lines(result)] == [
        "fetcher.py:11:13",
        "fetcher.py:14:9",
    ]


def test_configuration_error_is_one_error_per_file_not_a_traceback(project: Path) -> None:
    write(project, "pyproject.toml", "[tool.shutdownlint]\nbogus = 1\n")
    write(project, "style.py", "x = 1 \n")  # W291: another check still runs
    result = flake8(project, "--select", "SDL,W291", "fetcher.py", "style.py")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr, result.stderr
    config = project / "pyproject.toml"
    assert lines(result) == [
        f"fetcher.py:1:1: SDL999 shutdownlint cannot check fetcher.py: {config}: "
        "unknown key `bogus` in [tool.shutdownlint]",
        f"style.py:1:1: SDL999 shutdownlint cannot check style.py: {config}: "
        "unknown key `bogus` in [tool.shutdownlint]",
        "style.py:1:6: W291 trailing whitespace",
    ]


def test_noqa_is_left_to_flake8(project: Path) -> None:
    write(project, "fetcher.py", BAD.replace("put(page)", "put(page)  # noqa: SDL301"))
    assert "SDL301" not in flake8(project, "--select", "SDL", "fetcher.py").stdout
    shown = flake8(project, "--select", "SDL", "--disable-noqa", "fetcher.py")
    assert [line.split()[1] for line in lines(shown)] == ["SDL301", "SDL302"]


def test_a_noqa_prefix_suppresses_alike_in_flake8_and_check(project: Path) -> None:
    write(project, "fetcher.py", BAD.replace("put(page)", "put(page)  # noqa: SDL3"))
    theirs = flake8(project, "--select", "SDL", "fetcher.py")
    ours = shutdownlint(project, "fetcher.py")
    assert lines(theirs) == lines(ours)
    assert [line.split()[1] for line in lines(ours)] == ["SDL302"]
    assert "unknown rule code" not in ours.stderr


def test_coding_cookie_is_respected(project: Path) -> None:
    source = "# -*- coding: latin-1 -*-\n" + UNICODE_BAD.replace("😀", "ü")
    (project / "fetcher.py").write_bytes(source.encode("latin-1"))
    ours = shutdownlint(project, "fetcher.py")
    theirs = flake8(project, "--select", "SDL", "fetcher.py")
    assert lines(theirs) == lines(ours)
    assert "SDL900" not in theirs.stdout
    assert [line.split(": ")[0] for line in lines(theirs)][0] == "fetcher.py:11:23"


@pytest.mark.skipif(sys.version_info >= (3, 14), reason="needs a target above the interpreter")
def test_a_target_newer_than_flake8s_python_needs_no_message_of_ours(project: Path) -> None:
    # flake8 parses each file first with its own Python: a newer grammar is its E999,
    # once per such file, and no tree plugin runs there; what parses is checked as usual.
    write(project, "pyproject.toml", '[tool.shutdownlint]\ntarget-version = "py314"\n')
    write(project, "newer.py", "type Pages = list[str]\n")  # 3.12 grammar
    result = flake8(project, "--select", "SDL,E999", "fetcher.py", "newer.py")
    codes = [line.split()[1] for line in lines(result)]
    assert "Traceback" not in result.stderr, result.stderr
    assert "SDL301" in codes and "SDL900" not in codes and "SDL999" not in codes
    if sys.version_info < (3, 12):
        assert [line.split(":")[0] for line in lines(result) if " E999 " in line] == ["newer.py"]
