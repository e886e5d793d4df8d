"""The command line (SPEC §3, §4): exit codes, selection, every output format,
the cache, stdin, noqa, SDL900 and never running the analysed code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from shutdownlint import __version__
from shutdownlint.cli import main

from .conftest import BAD

PUT_LINE = "            self.results.put(page)"
GOOD = BAD.replace("put(page)", "put(page, timeout=1)")
PLAIN = "x = 1\n"
JSON_KEYS = {
    "code",
    "name",
    "message",
    "severity",
    "filename",
    "location",
    "end_location",
    "fix",
    "noqa_row",
    "url",
    "related",
}


def write(directory: Path, name: str, text: str | bytes) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def run(*args: str, input: str | bytes | None = None):
    """`shutdownlint <args>` in-process; stdout and stderr kept apart."""
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def check(*args: str, input: str | bytes | None = None):
    return run("check", "--isolated", "--no-cache", *args, input=input)


def codes(result) -> list[tuple[str, int]]:
    return [(f["code"], f["location"]["row"]) for f in json.loads(result.stdout)]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


# -- commands ---------------------------------------------------------------------
def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"shutdownlint {__version__}"


def test_rules_lists_codes_and_marks_opt_in() -> None:
    result = run("rules")
    assert result.exit_code == 0
    lines = {line.split()[0]: line for line in result.stdout.splitlines()}
    assert "blocking-put-without-timeout" in lines["SDL301"]
    assert "opt-in" in lines["SDL302"] and "blocking-wait-in-shutdown-path" in lines["SDL302"]
    assert "opt-in" not in lines["SDL301"]


def test_rule_prints_documentation() -> None:
    result = run("rule", "SDL301")
    assert result.exit_code == 0
    assert "## What it does" in result.stdout
    assert "SDL301" in result.stdout


def test_unknown_rule_exits_2() -> None:
    result = run("rule", "SDL000")
    assert result.exit_code == 2
    assert "SDL000" in result.stderr
    assert result.stdout == ""


# -- exit codes ---------------------------------------------------------------------
def test_exit_0_when_clean(project: Path) -> None:
    write(project, "good.py", GOOD)
    result = check("good.py")
    assert result.exit_code == 0
    assert result.stdout == "All checks passed!\n"


def test_exit_1_on_findings_and_exit_zero(project: Path) -> None:
    write(project, "bad.py", BAD)
    assert check("bad.py").exit_code == 1
    result = check("--exit-zero", "bad.py")
    assert result.exit_code == 0
    assert "SDL301" in result.stdout


def test_default_path_is_cwd(project: Path) -> None:
    write(project, "pkg/bad.py", BAD)
    result = check("--format", "concise")
    assert result.exit_code == 1
    assert result.stdout.startswith(os.path.join("pkg", "bad.py") + ":11:13: SDL301 ")


@pytest.mark.parametrize(
    "args",
    [
        ["--bogus-flag"],
        ["--select", "SDL777"],
        ["--select", "E501"],
        ["--ignore", "SDL777"],
        ["--extend-select", "XYZ"],
        ["--format", "xml"],
        ["--jobs", "0"],
        ["missing.py"],
    ],
)
def test_usage_errors_exit_2(project: Path, args: list[str]) -> None:
    write(project, "bad.py", BAD)
    result = check(*args, *(["bad.py"] if "missing.py" not in args else []))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_unknown_cli_selector_names_the_flag(project: Path) -> None:
    write(project, "bad.py", BAD)
    write(project, "pyproject.toml", "[tool.shutdownlint]\n")
    result = run("check", "--no-cache", "--ignore", "SDL777", "bad.py")
    assert result.exit_code == 2
    assert "SDL777" in result.stderr
    assert "--ignore" in result.stderr and "pyproject.toml" not in result.stderr


# -- selection ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], [("SDL301", 11)]),
        (["--extend-select", "SDL302"], [("SDL301", 11), ("SDL302", 14)]),
        (["--select", "SDL3"], [("SDL301", 11), ("SDL302", 14)]),
        (["--select", "SDL"], [("SDL301", 11), ("SDL302", 14)]),
        (["--select", "SDL302"], [("SDL302", 14)]),
        (["--select", "SDL301,SDL302"], [("SDL301", 11), ("SDL302", 14)]),
        (["--select", "SDL301", "--select", "SDL302"], [("SDL301", 11), ("SDL302", 14)]),
        (["--select", "sdl3"], [("SDL301", 11), ("SDL302", 14)]),
        (["--ignore", "SDL301"], []),
        (["--select", "SDL3", "--ignore", "SDL301"], [("SDL302", 14)]),
        (["--extend-select", "SDL302", "--ignore", "SDL3"], []),
    ],
)
def test_selection(project: Path, args: list[str], expected: list[tuple[str, int]]) -> None:
    write(project, "bad.py", BAD)
    result = check("--format", "json", *args, "bad.py")
    assert codes(result) == expected
    assert result.exit_code == (1 if expected else 0)


# -- formats -------------------------------------------------------------------------
def test_text_format(project: Path) -> None:
    write(project, "bad.py", BAD)
    result = check("bad.py")
    lines = result.stdout.splitlines()
    assert lines[0].startswith("bad.py:11:13: SDL301 `self.results.put(page)` can block forever")
    assert lines[1].startswith("  help: ") and "timeout=" in lines[1]
    notes = [line for line in lines if line.startswith("  note: ")]
    assert any(line.startswith("  note: bad.py:6:") for line in notes)  # the bounded queue
    assert any(line.startswith("  note: bad.py:7:") for line in notes)  # the thread
    assert lines[-2:] == [
        "Found 1 problem in 1 file.",
        "No fixes available (1 hidden fix can be enabled with the `--unsafe-fixes` option).",
    ]
    assert "\x1b[" not in result.output


def test_text_summary_plural(project: Path) -> None:
    write(project, "a.py", BAD)
    write(project, "b.py", BAD)
    result = check("--extend-select", "SDL302", ".")
    assert result.stdout.splitlines()[-2] == "Found 4 problems in 2 files."


def test_quiet_drops_summary(project: Path) -> None:
    write(project, "bad.py", BAD)
    write(project, "good.py", GOOD)
    result = check("--quiet", "bad.py")
    assert result.exit_code == 1
    assert "SDL301" in result.stdout and "Found" not in result.stdout
    result = check("-q", "good.py")
    assert result.exit_code == 0 and result.stdout == ""


def test_concise_format(project: Path) -> None:
    write(project, "bad.py", BAD)
    result = check("--format", "concise", "--extend-select", "SDL302", "bad.py")
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("bad.py:11:13: SDL301 `self.results.put(page)`")
    assert lines[1].startswith("bad.py:14:9: SDL302 `self.thread.join()`")


def test_pylint_format(project: Path) -> None:
    write(project, "bad.py", BAD)
    result = check("--format", "pylint", "bad.py")
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("bad.py:11: [SDL301] `self.results.put(page)` can block forever")


def test_json_format(project: Path) -> None:
    bad = write(project, "bad.py", BAD)
    result = check("--format", "json", "--extend-select", "SDL302", "bad.py")
    assert result.exit_code == 1
    rows = json.loads(result.stdout)
    assert [r["code"] for r in rows] == ["SDL301", "SDL302"]
    for row in rows:
        assert set(row) == JSON_KEYS
        assert row["filename"] == str(bad.resolve())
        assert Path(row["filename"]).is_absolute()
        assert set(row["location"]) == set(row["end_location"]) == {"row", "column"}
        assert row["noqa_row"] == row["location"]["row"]
        assert row["url"] is None or row["url"].endswith(f"{row['code']}.md")
        assert set(row["fix"]) == {"message", "applicability", "edits"}
        assert row["fix"]["applicability"] in ("safe", "unsafe", "display-only")
        if row["fix"]["applicability"] == "display-only":
            assert row["fix"]["edits"] == []
        assert row["related"]
        for related in row["related"]:
            assert set(related) == {"message", "filename", "location", "end_location"}
            assert related["filename"] == str(bad.resolve())
    put, join = rows
    assert put["name"] == "blocking-put-without-timeout"
    assert put["severity"] == "error"
    assert put["location"] == {"row": 11, "column": 13}
    assert put["end_location"] == {"row": 11, "column": 13 + len("self.results.put(page)")}
    assert "timeout=" in put["fix"]["message"]
    assert {r["location"]["row"] for r in put["related"]} == {6, 7}
    assert join["severity"] == "warning"
    assert join["name"] == "blocking-wait-in-shutdown-path"
    assert join["location"] == {"row": 14, "column": 9}
    # Both carry an edit (SPEC §4): timeout= from `fix-timeout`, labelled unsafe.
    assert put["fix"]["applicability"] == join["fix"]["applicability"] == "unsafe"
    assert put["fix"]["edits"] == [
        {
            "content": "self.results.put(page, timeout=5.0)",
            "location": put["location"],
            "end_location": put["end_location"],
        }
    ]
    assert join["fix"]["edits"][0]["content"] == "self.thread.join(timeout=5.0)"


def test_json_clean_is_empty_array(project: Path) -> None:
    write(project, "good.py", GOOD)
    result = check("--format", "json", "good.py")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []


def test_github_format(project: Path) -> None:
    write(project, "bad.py", BAD)
    result = check("--format", "github", "--extend-select", "SDL302", "bad.py")
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(
        "::error file=bad.py,line=11,col=13,endLine=11,endColumn=35,title=SDL301::"
    )
    assert "`self.results.put(page)` can block forever" in lines[0]
    assert lines[1].startswith(
        "::warning file=bad.py,line=14,col=9,endLine=14,endColumn=27,title=SDL302::"
    )


def test_output_file(project: Path) -> None:
    write(project, "bad.py", BAD)
    result = check("--format", "json", "--output-file", "report.json", "bad.py")
    assert result.exit_code == 1
    assert result.stdout == ""
    rows = json.loads((project / "report.json").read_text(encoding="utf-8"))
    assert [r["code"] for r in rows] == ["SDL301"]
    result = check("-o", "report.txt", "bad.py")
    assert result.stdout == ""
    assert (project / "report.txt").read_text().splitlines()[-2] == "Found 1 problem in 1 file."


def test_statistics(project: Path) -> None:
    write(project, "a.py", BAD)
    write(project, "b.py", BAD)
    write(project, "plain.py", PLAIN)
    result = check("--statistics", "--select", "SDL3", ".")
    assert result.exit_code == 1
    rows = [line.split("\t") for line in result.stdout.splitlines() if "\t" in line]
    assert rows == [
        ["    2", "SDL301", "blocking-put-without-timeout"],
        ["    2", "SDL302", "blocking-wait-in-shutdown-path"],
    ]
    assert "3 files checked" in result.stdout
    assert "bad.py:" not in result.stdout


def test_statistics_same_with_cache(project: Path) -> None:
    write(project, "bad.py", BAD)
    write(project, "plain.py", PLAIN)
    first = run("check", "--isolated", "--statistics", ".")
    second = run("check", "--isolated", "--statistics", ".")
    assert "1 without concurrency code skipped" in first.stdout
    assert second.stdout == first.stdout


def test_no_ansi_when_piped(project: Path) -> None:
    write(project, "bad.py", BAD)
    for fmt in ("text", "concise", "pylint", "github", "json"):
        assert "\x1b[" not in check("--format", fmt, "bad.py").output
    proc = subprocess.run(
        [sys.executable, "-m", "shutdownlint", "check", "--isolated", "--no-cache", "bad.py"],
        cwd=project,
        capture_output=True,
        text=True,
        env={**os.environ, "FORCE_COLOR": "1"},
    )
    assert proc.returncode == 1
    assert "SDL301" in proc.stdout and "\x1b[" not in proc.stdout + proc.stderr


# -- parallelism and the cache ------------------------------------------------------------
def test_jobs_give_same_findings(project: Path) -> None:
    for i in range(5):
        write(project, f"m{i}.py", BAD if i % 2 == 0 else GOOD)
    write(project, "broken.py", "def f(:\n")
    serial = check("--format", "json", "--jobs", "1", ".")
    parallel = check("--format", "json", "--jobs", "2", ".")
    assert serial.exit_code == parallel.exit_code == 1
    assert json.loads(parallel.stdout) == json.loads(serial.stdout)
    assert [(Path(f["filename"]).name, f["code"]) for f in json.loads(serial.stdout)] == [
        ("broken.py", "SDL900"),
        ("m0.py", "SDL301"),
        ("m2.py", "SDL301"),
        ("m4.py", "SDL301"),
    ]


def test_cache_gives_same_json(project: Path) -> None:
    write(project, "bad.py", BAD)
    write(project, "good.py", GOOD)
    write(project, "broken.py", "def f(:\n")
    args = ("check", "--isolated", "--format", "json", "--extend-select", "SDL302", ".")
    first = run(*args)
    assert list((project / ".shutdownlint_cache").rglob("*.json"))
    second = run(*args)
    assert first.exit_code == second.exit_code == 1
    assert json.loads(second.stdout) == json.loads(first.stdout)
    assert second.stdout == first.stdout


def test_cache_dir_option(project: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    write(project, "bad.py", BAD)
    cache_dir = tmp_path_factory.mktemp("cache") / "here"
    result = run("check", "--isolated", "--cache-dir", str(cache_dir), "bad.py")
    assert result.exit_code == 1
    assert list(cache_dir.rglob("*.json"))
    assert not (project / ".shutdownlint_cache").exists()
    again = run("check", "--isolated", "--cache-dir", str(cache_dir), "bad.py")
    assert again.stdout == result.stdout


def test_no_cache_creates_nothing(project: Path) -> None:
    write(project, "bad.py", BAD)
    assert check("bad.py").exit_code == 1
    assert sorted(p.name for p in project.iterdir()) == ["bad.py"]


def test_cache_entry_stale_when_consulted_module_changes(project: Path) -> None:
    write(project, "a.py", "import queue\n\n\nclass MyQ(queue.Queue):\n    pass\n")
    write(
        project,
        "b.py",
        (
            "import threading\n\nfrom a import MyQ\n\nQ = MyQ(3)\n\n\ndef work():\n"
            "    Q.put(1)\n\n\nthreading.Thread(target=work).start()\n"
        ),
    )
    args = ("check", "--isolated", "--format", "json", "b.py")
    assert codes(run(*args)) == [("SDL301", 9)]  # MyQ is a Queue, built from a.py's source
    write(
        project,
        "a.py",
        (
            "class MyQ:\n    def __init__(self, n):\n        pass\n\n"
            "    def put(self, item):\n        pass\n"
        ),
    )
    assert codes(run(*args)) == []  # the cached entry for b.py is stale now
    write(project, "a.py", "import queue\n\n\nclass MyQ(queue.Queue):\n    pass\n")
    assert codes(run(*args)) == [("SDL301", 9)]


# -- stdin, noqa -------------------------------------------------------------------------
def test_stdin_filename(project: Path) -> None:
    result = check("--stdin-filename", "x.py", input=BAD)
    assert result.exit_code == 1
    assert result.stdout.startswith("x.py:11:13: SDL301 ")
    rows = json.loads(check("--format", "json", "--stdin-filename", "x.py", input=BAD).stdout)
    assert rows[0]["filename"] == str(project / "x.py")
    clean = check("--stdin-filename", "x.py", input=GOOD)
    assert clean.exit_code == 0 and clean.stdout == "All checks passed!\n"
    assert not (project / "x.py").exists()


@pytest.mark.parametrize(
    ("comment", "suppressed"),
    [
        ("# noqa: SDL301", True),
        ("# noqa", True),
        ("# NOQA:SDL301", True),
        ("# noqa: E501, SDL301", True),
        ("# noqa: SDL302, SDL301", True),
        ("# noqa: E501", False),
        ("# noqa: SDL302", False),
    ],
)
def test_noqa(project: Path, comment: str, suppressed: bool) -> None:
    write(project, "t.py", BAD.replace(PUT_LINE, f"{PUT_LINE}  {comment}"))
    result = check("--format", "concise", "t.py")
    assert result.exit_code == (0 if suppressed else 1)
    assert ("SDL301" in result.stdout) is not suppressed
    assert result.stderr == ""


def test_noqa_unknown_sdl_code_warns(project: Path) -> None:
    write(project, "t.py", BAD.replace(PUT_LINE, f"{PUT_LINE}  # noqa: SDL777"))
    result = check("--format", "concise", "t.py")
    assert result.exit_code == 1  # a warning, not an error; SDL301 is not suppressed
    assert "SDL301" in result.stdout
    assert "SDL777" in result.stderr and "warning" in result.stderr
    assert "SDL777" not in result.stdout


# -- SDL900 and odd input ------------------------------------------------------------------
def test_syntax_error_is_sdl900_and_others_still_checked(project: Path) -> None:
    write(project, "a_broken.py", "import queue\n\ndef f(:\n    pass\n")
    write(project, "bad.py", BAD)
    result = check("--format", "json", ".")
    assert result.exit_code == 1
    rows = json.loads(result.stdout)
    assert [(Path(r["filename"]).name, r["code"]) for r in rows] == [
        ("a_broken.py", "SDL900"),
        ("bad.py", "SDL301"),
    ]
    parse_error = rows[0]
    assert parse_error["location"]["row"] == 3
    assert parse_error["fix"] is None
    assert f"Python {sys.version_info.major}.{sys.version_info.minor}" in parse_error["message"]


@pytest.mark.parametrize(
    "content",
    [
        b"import queue\nx = '\xff\xfe\xfa'\n",  # not UTF-8
        b"import queue\nx = 1\x00\n",  # null byte
        b"x = 1\x00\n",  # null byte, no concurrency words
        b"# -*- coding: bogus -*-\nimport queue\n",  # unknown encoding
        b"\xef\xbb\xbf# coding: latin-1\nimport queue\n",  # BOM and a conflicting cookie
    ],
    ids=["undecodable", "null-byte", "null-byte-plain", "bad-cookie", "bom-cookie-clash"],
)
def test_unreadable_source_is_sdl900(project: Path, content: bytes) -> None:
    write(project, "odd.py", content)
    write(project, "bad.py", BAD)
    result = check("--format", "concise", ".")
    assert result.exit_code == 1
    assert "Traceback" not in result.output and "internal error" not in result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("bad.py:11:13: SDL301")
    assert lines[1].startswith("odd.py:") and " SDL900 " in lines[1]


def test_columns_count_code_points(project: Path) -> None:
    write(project, "u.py", BAD.replace(PUT_LINE, '            x = "héllo"; self.results.put(page)'))
    rows = json.loads(check("--format", "json", "u.py").stdout)
    assert [r["code"] for r in rows] == ["SDL301"]
    prefix = '            x = "héllo"; '
    assert len(prefix.encode("utf-8")) == len(prefix) + 1  # a byte offset would be one more
    assert rows[0]["location"] == {"row": 11, "column": len(prefix) + 1}
    assert rows[0]["end_location"] == {
        "row": 11,
        "column": len(prefix) + 1 + len("self.results.put(page)"),
    }
    concise = check("--format", "concise", "u.py").stdout
    assert concise.startswith(f"u.py:11:{len(prefix) + 1}: SDL301")


# -- never run the analysed code ----------------------------------------------------------
def test_python_m_never_imports_the_analysed_project(tmp_path: Path) -> None:
    marker = tmp_path / "MARKER"
    hostile = (
        "import pathlib\n"
        f"pathlib.Path({str(marker)!r}).write_text('executed')\n"
        "raise SystemExit(99)\n"
    )
    for name in ("queue.py", "threading.py", "asyncio.py"):
        write(tmp_path, name, hostile)
    write(tmp_path, "bad.py", BAD)

    def linter(*args: str) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        return subprocess.run(
            [sys.executable, "-m", "shutdownlint", *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )

    assert linter("--version").stdout.strip() == f"shutdownlint {__version__}"
    result = linter("check", "--isolated", "--no-cache", "--format", "concise", "bad.py")
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith("bad.py:11:13: SDL301 ")
    result = linter("check", "--isolated", "--no-cache", "--format", "json", ".")
    assert result.returncode == 1, result.stderr
    assert ("SDL301", 11) in codes(result)
    assert not marker.exists()


# -- more edges -----------------------------------------------------------------------------
def test_file_named_twice_is_checked_once(project: Path) -> None:
    write(project, "bad.py", BAD)
    result = check("--format", "json", ".", "bad.py", "./bad.py")
    assert codes(result) == [("SDL301", 11)]


def test_noqa_inside_a_string_does_not_suppress(project: Path) -> None:
    line = '            x = "# noqa"; self.results.put(page)'
    write(project, "t.py", BAD.replace(PUT_LINE, line))
    assert codes(check("--format", "json", "t.py")) == [("SDL301", 11)]


def test_rule_exception_becomes_sdl999_and_exits_2(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shutdownlint.rules.sdl302_blocking_wait_in_shutdown_path import (
        BlockingWaitInShutdownPath,
    )

    def boom(self, node, ctx):
        raise RuntimeError("boom")

    monkeypatch.setattr(BlockingWaitInShutdownPath, "visit_call", boom)
    # A bare noqa on every line but the put's: SDL999 cannot be noqa'd.
    noqa = "".join(
        line if line.strip() in ("", PUT_LINE.strip()) else line.rstrip("\n") + "  # noqa\n"
        for line in BAD.splitlines(keepends=True)
    )
    write(project, "bad.py", noqa)
    for extra in ([], ["--exit-zero"], ["--ignore", "SDL999"]):
        result = check("--format", "json", "--extend-select", "SDL302", *extra, "bad.py")
        assert result.exit_code == 2, extra
        rows = json.loads(result.stdout)
        assert [r["code"] for r in rows] == ["SDL999", "SDL301"]  # the other rule still ran
        assert "SDL302" in rows[0]["message"] and "boom" in rows[0]["message"]
        assert rows[0]["fix"] is None
    assert "Traceback" not in result.output
    debug = check("--format", "json", "--extend-select", "SDL302", "--debug", "bad.py")
    assert debug.exit_code == 2
    assert "Traceback" in debug.stderr and "RuntimeError: boom" in debug.stderr


def test_the_demo_shows_every_default_family(root: Path) -> None:
    """The README's first command: the demo reports bugs of each family it covers."""
    result = CliRunner().invoke(
        main, ["check", "--no-cache", "--format", "json", str(root / "demo")]
    )
    assert result.exit_code == 1, result.output
    codes = {row["code"] for row in json.loads(result.stdout)}
    assert {"SDL102", "SDL104", "SDL105", "SDL201", "SDL301", "SDL302", "SDL401", "SDL403"} <= codes
