"""Configuration (SPEC §5): discovery, validation, selection, per-file-ignores,
excludes, file discovery, shutdown methods, target version and user types."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from shutdownlint import config
from shutdownlint.cli import main

from .conftest import BAD

ASYNC_BAD = """\
import asyncio


class Crawler:
    def __init__(self):
        self.links = asyncio.Queue(maxsize=50)

    async def start(self):
        self.task = asyncio.create_task(self.worker())

    async def worker(self):
        await self.links.put(1)
"""
FINISH = """\
import threading


class Worker:
    def __init__(self):
        self.thread = threading.Thread(target=print)

    def finish(self):
        self.thread.join()

    def close(self):
        self.thread.join()
"""
MYLIB = """\
class Channel:
    def __init__(self, maxsize=0):
        self.maxsize = maxsize

    def put(self, item, timeout=None):
        pass

    def drain(self, timeout=None):
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

    def close(self):
        self.chan.drain()
"""


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def pyproject(directory: Path, body: str, project: str = "") -> Path:
    return write(directory, "pyproject.toml", f"{project}[tool.shutdownlint]\n{body}\n")


def check(*args: str):
    return CliRunner().invoke(
        main, ["check", "--no-cache", "--format", "json", *args], catch_exceptions=False
    )


def found(*args: str) -> list[tuple[str, str, int]]:
    """(file name, code, row) of every finding; fails on a usage error."""
    result = check(*args)
    assert result.exit_code in (0, 1), result.output
    rows = json.loads(result.stdout)
    return [(Path(r["filename"]).name, r["code"], r["location"]["row"]) for r in rows]


def files(*args: str) -> list[str]:
    """The files with findings, relative to the working directory, as text output shows them."""
    result = CliRunner().invoke(main, ["check", "--no-cache", "--format", "concise", *args])
    assert result.exit_code in (0, 1), result.output
    return sorted({line.split(":", 1)[0] for line in result.stdout.splitlines()})


@pytest.fixture
def cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


# -- discovery of the configuration ----------------------------------------------------
def test_config_found_upwards_from_first_path(cwd: Path) -> None:
    pyproject(cwd / "proj", 'ignore = ["SDL301"]')
    write(cwd, "proj/src/pkg/bad.py", BAD)
    assert found("proj/src/pkg/bad.py") == []
    assert found("proj") == []
    # Outside proj: not covered by its configuration.
    write(cwd, "other/bad.py", BAD)
    assert found("other/bad.py") == [("bad.py", "SDL301", 11)]


def test_pyproject_without_table_is_passed_over(cwd: Path) -> None:
    pyproject(cwd / "proj", 'ignore = ["SDL301"]')
    write(cwd, "proj/sub/pyproject.toml", '[project]\nname = "sub"\n\n[tool.ruff]\n')
    write(cwd, "proj/sub/bad.py", BAD)
    assert found("proj/sub/bad.py") == []


def test_nearest_table_wins(cwd: Path) -> None:
    pyproject(cwd / "proj", 'ignore = ["SDL301"]')
    pyproject(cwd / "proj/sub", 'extend-select = ["SDL302"]')
    write(cwd, "proj/sub/bad.py", BAD)
    assert found("proj/sub/bad.py") == [("bad.py", "SDL301", 11), ("bad.py", "SDL302", 14)]


def test_config_option(cwd: Path) -> None:
    write(cwd, "bad.py", BAD)
    pyproject(cwd, 'ignore = ["SDL301"]')  # found by discovery, but --config wins
    write(cwd, "elsewhere/custom.toml", 'select = ["SDL302"]\n')
    assert found("--config", "elsewhere/custom.toml", "bad.py") == [("bad.py", "SDL302", 14)]
    pyproject(cwd / "cfg", 'extend-select = ["SDL302"]')
    assert found("--config", "cfg/pyproject.toml", "bad.py") == [
        ("bad.py", "SDL301", 11),
        ("bad.py", "SDL302", 14),
    ]
    result = check("--config", "nope.toml", "bad.py")
    assert result.exit_code == 2 and "nope.toml" in result.stderr


def test_isolated_ignores_config(cwd: Path) -> None:
    write(cwd, "bad.py", BAD)
    pyproject(cwd, 'ignore = ["SDL301"]\nbogus = 1')
    assert check("bad.py").exit_code == 2
    assert found("--isolated", "bad.py") == [("bad.py", "SDL301", 11)]


# -- validation ----------------------------------------------------------------------
def test_unknown_key_is_one_line_error(cwd: Path) -> None:
    write(cwd, "bad.py", BAD)
    config = pyproject(cwd, 'selct = ["SDL3"]')
    result = check("bad.py")
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "selct" in lines[0] and str(config) in lines[0]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ('select = ["SDL777"]', "select"),
        ('ignore = ["SDL3", "SDL777"]', "ignore"),
        ('extend-select = ["E501"]', "extend-select"),
        ('select = "SDL301"', "select"),
        ('target-version = "py39"', "target-version"),
        ("target-version = 311", "target-version"),
        ("fix-timeout = -1", "fix-timeout"),
        ("fix-timeout = 0", "fix-timeout"),
        ('fix-timeout = "5"', "fix-timeout"),
        ("fix-timeout = true", "fix-timeout"),
        ("fix-timeout = nan", "fix-timeout"),
        ("fix-timeout = inf", "fix-timeout"),
        ("fix-timeout = 1e308", "fix-timeout"),
        ('raises-on = ["bogus"]', "raises-on"),
        ('raises-on = "call"', "raises-on"),
        ('[tool.shutdownlint.types]\n"mylib.Channel" = "bogus"', "types"),
        ('[tool.shutdownlint.types]\n"mylib.Channel" = {kind = "bogus"}', "types"),
        ('[tool.shutdownlint.types]\n"mylib.Channel" = {kind = "queue", wait = ["a b"]}', "types"),
        ('[tool.shutdownlint.types]\n"mylib.Channel" = {kind = "queue", stop = []}', "types"),
        ("types = 3", "types"),
        ('[tool.shutdownlint.per-file-ignores]\n"*.py" = ["SDL777"]', "per-file-ignores"),
        ('[tool.shutdownlint.per-file-ignores]\n"*.py" = "SDL301"', "per-file-ignores"),
        ('per-file-ignores = ["SDL301"]', "per-file-ignores"),
        ('shutdown-methods = ["not a name"]', "shutdown-methods"),
        ('extend-shutdown-methods = ["not a name"]', "extend-shutdown-methods"),
        ('exclude = "build"', "exclude"),
        ("extend-exclude = [1]", "extend-exclude"),
    ],
)
def test_bad_value_names_key_and_file(cwd: Path, body: str, key: str) -> None:
    write(cwd, "bad.py", BAD)
    config = pyproject(cwd, body)
    result = check("bad.py")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert str(config) in result.stderr
    assert f"`{key}" in result.stderr or f"{key}:" in result.stderr


def test_cli_select_does_not_hide_config_error_source(cwd: Path) -> None:
    write(cwd, "bad.py", BAD)
    pyproject(cwd, 'extend-select = ["SDL777"]')
    result = check("--select", "SDL301", "bad.py")
    assert result.exit_code == 2
    assert "SDL777" in result.stderr


def test_cli_select_error_blames_the_file(cwd: Path) -> None:
    write(cwd, "bad.py", BAD)
    config = pyproject(cwd, 'extend-select = ["SDL777"]')
    result = check("--select", "SDL301", "bad.py")
    assert str(config) in result.stderr and "--select" not in result.stderr


def test_invalid_toml_is_exit_2(cwd: Path) -> None:
    write(cwd, "bad.py", BAD)
    config = write(cwd, "custom.toml", "select = [\n")
    result = check("--config", "custom.toml", "bad.py")
    assert result.exit_code == 2
    assert str(config) in result.stderr and "Traceback" not in result.stderr


# -- selection from the file ----------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("", [("SDL301", 11)]),
        ('select = ["SDL302"]', [("SDL302", 14)]),
        ('select = ["SDL3"]', [("SDL301", 11), ("SDL302", 14)]),
        ('ignore = ["SDL301"]', []),
        ('extend-select = ["SDL302"]', [("SDL301", 11), ("SDL302", 14)]),
        ('select = ["SDL"]\nignore = ["SDL301"]', [("SDL302", 14)]),
    ],
)
def test_selection_from_config(cwd: Path, body: str, expected: list) -> None:
    write(cwd, "bad.py", BAD)
    pyproject(cwd, body)
    assert [(c, r) for _, c, r in found("bad.py")] == expected


def test_command_line_wins_over_config(cwd: Path) -> None:
    write(cwd, "bad.py", BAD)
    pyproject(cwd, 'select = ["SDL302"]')
    assert [c for _, c, _ in found("--select", "SDL301", "bad.py")] == ["SDL301"]
    assert [c for _, c, _ in found("--ignore", "SDL302", "bad.py")] == []
    assert [c for _, c, _ in found("--extend-select", "SDL301", "bad.py")] == ["SDL301", "SDL302"]


def test_command_line_select_replaces_the_configured_extend_select(cwd: Path) -> None:
    # As in ruff: `--select` is the whole selection; the file's extend-select goes too.
    write(cwd, "bad.py", BAD)
    pyproject(cwd, 'extend-select = ["SDL302"]')
    assert [c for _, c, _ in found("bad.py")] == ["SDL301", "SDL302"]
    assert [c for _, c, _ in found("--select", "SDL301", "bad.py")] == ["SDL301"]
    assert [c for _, c, _ in found("--select", "SDL302", "bad.py")] == ["SDL302"]
    # --extend-select on the command line still adds to it.
    found_codes = [
        c for _, c, _ in found("--select", "SDL301", "--extend-select", "SDL302", "bad.py")
    ]
    assert found_codes == ["SDL301", "SDL302"]
    # An unknown code in the replaced key is still an error (the file is still validated).
    pyproject(cwd, 'extend-select = ["SDL777"]')
    assert check("--select", "SDL301", "bad.py").exit_code == 2


def test_command_line_select_drops_the_ignore_of_a_configured_select(cwd: Path) -> None:
    # ruff: the file's ignore goes with the file's select (astral-sh/ruff#18352); an
    # ignore written beside no select carries over to --select.
    write(cwd, "bad.py", BAD)
    pyproject(cwd, 'select = ["SDL"]\nignore = ["SDL301"]')
    assert [c for _, c, _ in found("--select", "SDL3", "bad.py")] == ["SDL301", "SDL302"]
    pyproject(cwd, 'ignore = ["SDL301"]')
    assert [c for _, c, _ in found("--select", "SDL3", "bad.py")] == ["SDL302"]


def test_per_file_ignores_relative_to_config_dir(cwd: Path) -> None:
    # Run from outside the project: globs are relative to the configuration file.
    pyproject(
        cwd / "proj",
        '[tool.shutdownlint.per-file-ignores]\n"pkg/*.py" = ["SDL301"]\n"tests/**" = ["SDL3"]',
    )
    for name in ("pkg/bad.py", "other/bad.py", "tests/deep/bad.py", "other/pkg/bad.py"):
        write(cwd, f"proj/{name}", BAD)
    assert files("--extend-select", "SDL302", "proj") == [
        "proj/other/bad.py",
        "proj/other/pkg/bad.py",
        "proj/pkg/bad.py",
    ]
    assert [(c, r) for _, c, r in found("--extend-select", "SDL302", "proj/pkg/bad.py")] == [
        ("SDL302", 14)
    ]


# -- which files are checked -------------------------------------------------------------
def test_exclude_applies_to_named_files(cwd: Path) -> None:
    pyproject(cwd, 'exclude = ["gen/"]\nextend-exclude = ["legacy_*.py"]')
    for name in ("gen/bad.py", "legacy_io.py", "src/legacy_x.py", "keep.py"):
        write(cwd, name, BAD)
    assert files(".") == ["keep.py"]
    result = check("gen/bad.py", "legacy_io.py", "src/legacy_x.py")
    assert result.exit_code == 0 and json.loads(result.stdout) == []
    assert files("gen/bad.py", "keep.py") == ["keep.py"]


def test_anchored_exclude_only_at_root(cwd: Path) -> None:
    pyproject(cwd, 'exclude = ["/bad.py"]')
    write(cwd, "bad.py", BAD)
    write(cwd, "sub/bad.py", BAD)
    assert files(".") == ["sub/bad.py"]


def test_gitignore_applies_to_discovery_only(cwd: Path) -> None:
    (cwd / ".git").mkdir()
    write(cwd, ".gitignore", "ignored/\nscratch_*.py\n")
    for name in ("ignored/bad.py", "scratch_a.py", "src/scratch_b.py", "src/bad.py"):
        write(cwd, name, BAD)
    assert files("--isolated", ".") == ["src/bad.py"]
    assert files("--isolated", "ignored/bad.py", "scratch_a.py") == [
        "ignored/bad.py",
        "scratch_a.py",
    ]
    # A folder named explicitly is checked though .gitignore lists it.
    assert files("--isolated", "ignored") == ["ignored/bad.py"]


def test_virtualenvs_skipped_during_discovery(cwd: Path) -> None:
    for name in (".venv", "venv", "env-3.11", "build", "node_modules", "src"):
        write(cwd, f"{name}/lib/bad.py", BAD)
    write(cwd, "env-3.11/pyvenv.cfg", "home = /usr/bin\n")
    assert files("--isolated", ".") == ["src/lib/bad.py"]
    # Named explicitly, a file inside one is checked.
    assert files("--isolated", "venv/lib/bad.py") == ["venv/lib/bad.py"]


# -- analysis options ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "rows"),
    [
        ("", [12]),
        ('extend-shutdown-methods = ["finish"]', [9, 12]),
        ('shutdown-methods = ["finish"]', [9]),
        ("shutdown-methods = []", []),
    ],
)
def test_shutdown_methods(cwd: Path, body: str, rows: list[int]) -> None:
    write(cwd, "w.py", FINISH)
    pyproject(cwd, f'extend-select = ["SDL302"]\n{body}')
    assert found("w.py") == [("w.py", "SDL302", row) for row in rows]


@pytest.mark.parametrize(
    ("project", "body", "expect"),
    [
        ('[project]\nname = "x"\nrequires-python = ">=3.11"\n\n', "", "asyncio.timeout"),
        # The lowest version `>3.10` admits is 3.10.1: no asyncio.timeout() there.
        ('[project]\nname = "x"\nrequires-python = ">3.10"\n\n', "", "wait_for"),
        ('[project]\nname = "x"\nrequires-python = ">3.10.99"\n\n', "", "wait_for"),
        ('[project]\nname = "x"\nrequires-python = "!=3.10.*,>=3.10"\n\n', "", "asyncio.timeout"),
        ('[project]\nname = "x"\nrequires-python = "==3.11.*"\n\n', "", "asyncio.timeout"),
        ('[project]\nname = "x"\nrequires-python = ">=3.10"\n\n', "", "wait_for"),
        ('[project]\nname = "x"\nrequires-python = ">=3.8, <4"\n\n', "", "wait_for"),
        ("", "", "wait_for"),
        (
            '[project]\nname = "x"\nrequires-python = ">=3.11"\n\n',
            'target-version = "py310"',
            "wait_for",
        ),
        ("", 'target-version = "py313"', "asyncio.timeout"),
    ],
)
def test_target_version_changes_async_fix(
    cwd: Path, project: str, body: str, expect: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As if on the newest Python: a target above the running interpreter is refused.
    monkeypatch.setattr(config, "running_version", lambda: (3, 14))
    write(cwd, "aio.py", ASYNC_BAD)
    pyproject(cwd, body, project)
    result = check("aio.py")
    rows = json.loads(result.stdout)
    assert [(r["code"], r["location"]["row"]) for r in rows] == [("SDL301", 12)]
    message = rows[0]["fix"]["message"]
    assert expect in message
    other = "wait_for" if expect == "asyncio.timeout" else "asyncio.timeout"
    assert other not in message


def test_types_string_form_makes_a_queue(cwd: Path) -> None:
    write(cwd, "mylib.py", MYLIB)
    write(cwd, "use.py", USES_CHANNEL)
    pyproject(cwd, 'select = ["SDL"]')
    assert found("use.py") == []
    pyproject(cwd, 'select = ["SDL"]\n[tool.shutdownlint.types]\n"mylib.Channel" = "queue"')
    assert found("use.py") == [("use.py", "SDL301", 12)]


def test_types_table_form_adds_wait_methods(cwd: Path) -> None:
    write(cwd, "mylib.py", MYLIB)
    write(cwd, "use.py", USES_CHANNEL)
    pyproject(
        cwd,
        'select = ["SDL"]\n[tool.shutdownlint.types]\n'
        '"mylib.Channel" = {kind = "queue", wait = ["drain"]}',
    )
    rows = json.loads(check("use.py").stdout)
    assert [(r["code"], r["location"]["row"]) for r in rows] == [("SDL301", 12), ("SDL302", 15)]
    assert "self.chan.drain()" in rows[1]["message"]
    # With a timeout the drain no longer blocks forever.
    write(cwd, "use.py", USES_CHANNEL.replace("drain()", "drain(timeout=5)"))
    assert found("use.py") == [("use.py", "SDL301", 12)]


RAISES_ON_SUBSCRIPTS = """\
import threading


class Server:
    def __init__(self, settings):
        self.settings = settings
        self._ready = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()
        self._ready.wait()

    def _serve(self):
        port = self.settings["port"]
        self._ready.set()
        print(port)
"""


def test_raises_on_adds_subscripts(cwd: Path) -> None:
    write(cwd, "server.py", RAISES_ON_SUBSCRIPTS)
    pyproject(cwd, 'select = ["SDL1"]')
    assert found("server.py") == []
    pyproject(cwd, 'select = ["SDL1"]\nraises-on = ["call", "await", "raise", "subscript"]')
    assert found("server.py") == [("server.py", "SDL102", 12)]


RELEASED_BY_USER_TYPE = """\
from mylib import Channel


class Client:
    def __init__(self):
        self.chan = None

    def open(self, setup):
        chan = Channel()
        setup.configure(chan)
        self.chan = chan

    def stop(self):
        self.chan.finish()
"""


def test_types_release_methods(cwd: Path) -> None:
    """A configured type with a `release` list: SDL104 knows what closes it."""
    write(cwd, "mylib.py", "class Channel:\n    def finish(self): ...\n")
    write(cwd, "client.py", RELEASED_BY_USER_TYPE)
    table = '"mylib.Channel" = { kind = "socket", release = ["finish"] }'
    pyproject(cwd, f'select = ["SDL1"]\n[tool.shutdownlint.types]\n{table}')
    assert found("client.py") == []
    table = '"mylib.Channel" = { kind = "socket" }'
    pyproject(cwd, f'select = ["SDL1"]\n[tool.shutdownlint.types]\n{table}')
    assert found("client.py") == [("client.py", "SDL104", 13)]


# A `type` statement (3.12 grammar): one SDL900 per file on an older interpreter.
NEW_GRAMMAR = "type Pages = list[str]\n"


@pytest.mark.parametrize(
    ("project", "body"),
    [
        ("", 'target-version = "py312"'),
        ('[project]\nname = "x"\nrequires-python = ">=3.12"\n\n', ""),
    ],
)
def test_a_target_newer_than_the_interpreter_is_said_once(
    cwd: Path, project: str, body: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(config, "running_version", lambda: (3, 11))
    for name in ("a.py", "b.py", "c.py"):
        write(cwd, name, NEW_GRAMMAR)
    pyproject(cwd, body, project)
    result = check(".")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    assert (
        "shutdownlint runs on Python 3.11; the project targets py312: "
        "run shutdownlint with Python 3.12 or later" in result.stderr
    )
    assert "SDL900" not in result.stderr
    # On the targeted version (or later) the run goes ahead.
    monkeypatch.setattr(config, "running_version", lambda: (3, 12))
    assert check(".").exit_code in (0, 1)
