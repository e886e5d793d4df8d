"""Issue #9: no input, file, configuration or cache state may hang, abort or silently
change a run. One test (at least) per class of hostile input, through the real entry
points: the console script in a subprocess where a hang or runaway memory is the
failure (bounded by a timeout and an address-space limit), CliRunner elsewhere."""

from __future__ import annotations

import json
import os
import pty
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from shutdownlint import engine
from shutdownlint.cli import main

from .conftest import BAD, ROOT

PUT_LINE = "            self.results.put(page)"
SCRIPT = Path(sys.executable).with_name("shutdownlint")


def write(directory: Path, name: str, text: str | bytes) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def check(*args: str, input: str | bytes | None = None):
    return CliRunner().invoke(
        main, ["check", "--isolated", "--no-cache", *args], input=input, catch_exceptions=False
    )


def rows(result) -> list[tuple[str, str, int]]:
    return [
        (Path(f["filename"]).name, f["code"], f["location"]["row"])
        for f in json.loads(result.stdout)
    ]


def _limit_memory() -> None:
    # 3 GiB of address space: a linter reading /dev/zero fails fast instead of
    # taking the machine down.
    resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))


def console(*args: str, cwd: Path, timeout: float = 60, **kw) -> subprocess.CompletedProcess:
    """The installed console script, as pre-commit and CI run it."""
    script = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-P", "-m", "shutdownlint"]
    return subprocess.run(
        [*script, *args],
        cwd=cwd,
        capture_output=True,
        timeout=timeout,
        preexec_fn=_limit_memory,
        **kw,
    )


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


# -- hangs and runaway memory ------------------------------------------------------------
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifos_and_devices_never_hang(tmp_path: Path) -> None:
    write(tmp_path, "pkg/bad.py", BAD)
    os.mkfifo(tmp_path / "pkg" / "x.py")
    os.symlink("/dev/zero", tmp_path / "pkg" / "z.py")
    os.mkfifo(tmp_path / "named.py")
    args = ("check", "--isolated", "--no-cache", "--format", "json")
    # pkg/x.py (a FIFO) is found while walking: skipped. named.py (a FIFO) and pkg/z.py
    # (/dev/zero) are named: SDL900. One run, so that the test stays quick.
    named = console(*args, "named.py", "pkg/z.py", "pkg", cwd=tmp_path)
    assert named.returncode == 1, named.stderr
    found = json.loads(named.stdout)
    assert [(Path(f["filename"]).name, f["code"]) for f in found] == [
        ("named.py", "SDL900"),
        ("bad.py", "SDL301"),
        ("z.py", "SDL900"),
    ]
    assert all("not a regular file" in f["message"] for f in found if f["code"] == "SDL900")


def test_file_above_max_file_size_is_skipped_with_a_warning(project: Path) -> None:
    write(project, "bad.py", BAD)
    write(project, "pyproject.toml", "[tool.shutdownlint]\nmax-file-size = 200\n")
    result = CliRunner().invoke(main, ["check", "--no-cache", "--statistics", "bad.py"])
    assert result.exit_code == 0, result.output
    assert "max-file-size" in result.stderr and "bad.py" in result.stderr
    assert "1 files above max-file-size skipped" in result.stdout
    stdin = CliRunner().invoke(main, ["check", "--no-cache", "--stdin-filename", "x.py"], BAD)
    assert stdin.exit_code == 0 and "max-file-size" in stdin.stderr
    write(project, "pyproject.toml", "[tool.shutdownlint]\nmax-file-size = -1\n")
    bad_value = CliRunner().invoke(main, ["check", "--no-cache", "bad.py"])
    assert bad_value.exit_code == 2 and "max-file-size" in bad_value.stderr


def test_a_generated_file_above_the_default_limit_is_skipped_fast(project: Path) -> None:
    block = "def f{n}(q):\n    q.put({n})\n    threading.Thread(target=f{n}).start()\n\n"
    text = "import threading\n" + "".join(block.format(n=n) for n in range(17_000))
    assert len(text) > 1024 * 1024
    write(project, "generated.py", text)
    start = time.perf_counter()
    result = check("generated.py")
    assert time.perf_counter() - start < 5
    assert result.exit_code == 0
    assert "generated.py: skipped" in result.stderr and "max-file-size" in result.stderr


# -- one bad file aborts every file -------------------------------------------------------
@pytest.mark.parametrize(
    "content",
    [
        b"# coding: punycode\nimport queue\nx = 1\n",  # ASCII: UnicodeError, not ...DecodeError
        b"# coding: idna\nimport queue\nx.xn--zz9.\n",
        b"# coding: raw_unicode_escape\nimport queue\nx = '\\udc80'\n",  # a lone surrogate
        b"# coding: rot13\nimport queue\n",
        b"# coding: uu_codec\nimport queue\n",
        b"# coding: utf-16\nimport queue\nx",  # an odd number of bytes
    ],
    ids=["punycode", "idna", "surrogate", "rot13", "bytes-codec", "utf-16"],
)
def test_any_codec_failure_is_sdl900_for_that_file(project: Path, content: bytes) -> None:
    write(project, "odd.py", content)
    write(project, "bad.py", BAD)
    result = check("--format", "json", ".")
    assert result.exit_code == 1, result.output
    assert "internal error" not in result.stderr
    assert rows(result) == [("bad.py", "SDL301", 11), ("odd.py", "SDL900", 1)]
    assert "cannot decode" in json.loads(result.stdout)[1]["message"]


@pytest.mark.parametrize(
    "content",
    [
        b"#\x80 a comment CPython never decodes\n" + BAD.encode(),
        BAD.encode() + b"# \xff\xfe\n",
    ],
    ids=["first-line", "last-line"],
)
def test_undecodable_bytes_in_comments_are_valid_code(project: Path, content: bytes) -> None:
    compile(content, "c.py", "exec")  # CPython compiles it
    write(project, "c.py", content)
    row = 11 + content[: content.index(b"import queue")].count(b"\n")
    assert rows(check("--format", "json", "c.py")) == [("c.py", "SDL301", row)]


def test_links_loops_and_errors_concern_one_path(project: Path) -> None:
    write(project, "real/bad.py", BAD)
    os.symlink("loop.py", project / "pkg_loop.py")
    (project / "pkg").mkdir()
    os.symlink("loop.py", project / "pkg" / "loop.py")  # a link to itself
    os.symlink("missing.py", project / "pkg" / "dangling.py")
    os.symlink(project / "real" / "bad.py", project / "pkg" / "alias.py")
    os.symlink(project / "pkg", project / "pkg" / "again")  # a folder loop: not followed
    result = check("--format", "json", "pkg", "pkg_loop.py")
    assert result.exit_code == 1, result.output
    assert "internal error" not in result.stderr
    found = json.loads(result.stdout)
    assert [(f["filename"], f["code"]) for f in found] == [
        (str(project / "pkg" / "alias.py"), "SDL301"),  # under the path it was found by
        (str(project / "pkg" / "dangling.py"), "SDL900"),
        (str(project / "pkg" / "loop.py"), "SDL900"),
        (str(project / "pkg_loop.py"), "SDL900"),
    ]
    related = {r["filename"] for r in found[0]["related"]}
    assert related == {str(project / "pkg" / "alias.py")}


def test_unlistable_folder_and_unreadable_files(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(project, "ok/bad.py", BAD)
    write(project, "locked/hidden.py", BAD)
    write(project, "ok/secret.py", BAD)
    write(project, "named.py", BAD)
    # Simulated: the tests may run as root, who can read anything.
    denied = {str(project / "locked"), str(project / "ok" / "secret.py"), str(project / "named.py")}
    real_scandir, real_open, real_access = os.scandir, os.open, os.access

    def refuse(path) -> None:
        if os.fsdecode(path) in denied:
            raise PermissionError(13, "Permission denied", os.fsdecode(path))

    def scandir(path="."):
        refuse(path)
        return real_scandir(path)

    def open_(path, *args, **kwargs):
        refuse(path)
        return real_open(path, *args, **kwargs)

    def access(path, mode, *args, **kwargs):
        return os.fsdecode(path) not in denied and real_access(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(os, "open", open_)
    monkeypatch.setattr(os, "access", access)
    result = check("--format", "json", ".", "named.py")
    assert result.exit_code == 1, result.output  # not a usage error for named.py
    assert rows(result) == [
        ("named.py", "SDL900", 1),
        ("bad.py", "SDL301", 11),
        ("secret.py", "SDL900", 1),
    ]
    assert "Permission denied" in json.loads(result.stdout)[0]["message"]
    assert "locked: cannot list folder: Permission denied" in result.stderr


def test_dangling_link_named_on_the_command_line_is_sdl900(project: Path) -> None:
    write(project, "bad.py", BAD)
    os.symlink("gone.py", project / "link.py")
    result = check("--format", "json", "link.py", "bad.py")
    assert result.exit_code == 1, result.output
    assert rows(result) == [("bad.py", "SDL301", 11), ("link.py", "SDL900", 1)]
    assert check("missing.py").exit_code == 2  # nothing there at all: a usage error


@pytest.mark.parametrize(
    "body",
    [
        "x = 0\nif x == 0:\n    pass\n"
        + "".join(f"elif x == {i}:\n    pass\n" for i in range(1, 400)),
        "s = " + " + ".join(['"s"'] * 500) + "\n",
        "x = a" + ".b()" * 600 + "\n",
        "x = " + "-" * 900 + "1\n",
    ],
    ids=["elif-400", "plus-500", "calls-600", "unary-900"],
)
def test_valid_deep_code_is_never_a_parse_error(project: Path, body: str) -> None:
    source = BAD + body
    compile(source, "deep.py", "exec")  # CPython compiles it
    write(project, "deep.py", source)
    result = check("--format", "json", "deep.py")
    assert rows(result) == [("deep.py", "SDL301", 11)], result.output
    write(project, "plain.py", body)  # no concurrency words: the syntax check only
    assert rows(check("--format", "json", "plain.py")) == []


def test_analysis_out_of_depth_gives_up_quietly_and_is_counted(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "RECURSION_LIMIT", 1)  # headroom as before the fix
    chain = "x = 0\nif x == 0:\n    pass\n" + "".join(
        f"elif x == {i}:\n    pass\n" for i in range(1, 700)
    )
    write(project, "deep.py", BAD + chain)
    result = check("--format", "json", "deep.py")
    assert result.exit_code == 0, result.output  # no SDL900, no SDL999
    assert json.loads(result.stdout) == []
    stats = check("--statistics", "deep.py")
    assert re.search(r"^[1-9]\d* nodes where inference gave up", stats.stdout, re.M)


def test_a_worker_process_that_dies_loses_only_its_file(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shutdownlint.rules.sdl301_blocking_put_without_timeout import (
        BlockingPutWithoutTimeout,
    )

    visit = BlockingPutWithoutTimeout.visit_call

    def die_on_marker(self, node, ctx):
        if "KILL_THE_WORKER" in ctx.source.text:
            os._exit(70)  # as the kernel's OOM killer would end it
        return visit(self, node, ctx)

    monkeypatch.setattr(BlockingPutWithoutTimeout, "visit_call", die_on_marker)
    for i in range(4):
        write(project, f"m{i}.py", BAD)
    write(project, "m2.py", BAD + "KILL_THE_WORKER = 1\n")
    result = check("--format", "json", "--jobs", "2", ".")
    assert result.exit_code == 2  # SDL999: a shutdownlint bug, the run still finishes
    assert "internal error" not in result.stderr
    assert rows(result) == [
        ("m0.py", "SDL301", 11),
        ("m1.py", "SDL301", 11),
        ("m2.py", "SDL999", 1),
        ("m3.py", "SDL301", 11),
    ]


# -- silently wrong answers -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('[tool.shutdownlint]\nignore = ["SDL301" "x"]\n', "pyproject.toml:2:20: invalid TOML"),
        ('[tool.shutdownlint]\nignore = ["SDL301",\n', "pyproject.toml:3:1: invalid TOML"),
        ('[project]\nname = "x"\nname = "y"\n', "pyproject.toml:3:"),
        ("tool = 1\n", "pyproject.toml: `tool` must be a table"),
        ("[tool.shutdownlint]\nmax-file-size = 1\n\xff", "invalid TOML: not UTF-8"),
    ],
    ids=["missing-comma", "unclosed", "duplicate-key", "tool-not-a-table", "not-utf8"],
)
def test_invalid_pyproject_is_a_configuration_error(project: Path, text: str, where: str) -> None:
    write(project, "sub/bad.py", BAD)
    write(project, "pyproject.toml", text.encode("latin-1"))
    result = CliRunner().invoke(main, ["check", "--no-cache", "sub/bad.py"])
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert "internal error" not in result.stderr
    assert where in result.stderr, result.stderr
    assert str(project / "pyproject.toml") in result.stderr


def test_cache_sees_a_module_created_later(project: Path) -> None:
    write(
        project,
        "b.py",
        "import threading\n\nfrom helpers import MyQ\n\nQ = MyQ(3)\n\n\ndef work():\n"
        "    Q.put(1)\n\n\nthreading.Thread(target=work).start()\n",
    )
    args = ("check", "--isolated", "--format", "json", "b.py")
    first = CliRunner().invoke(main, args)
    assert json.loads(first.stdout) == []  # helpers.py does not exist (yet)
    write(project, "helpers.py", "import queue\n\n\nclass MyQ(queue.Queue):\n    pass\n")
    assert rows(CliRunner().invoke(main, args)) == [("b.py", "SDL301", 9)]


@pytest.mark.parametrize(
    "entry",
    [
        b"[]",
        b'{"schema": 2, "findings": {}, "warnings": [], "stats": {}, "dependencies": []}',
        b'{"schema": 2, "findings": [[1, 2]], "warnings": [], "stats": {}, "dependencies": {}}',
        b'{"schema": 2, "findings": [], "warnings": [], "stats": {"a": "b"}, "dependencies": {}}',
        b"[" * 100_000 + b"]" * 100_000,
        b"\xff\xfe",
    ],
    ids=["list", "dependencies-list", "short-finding", "bad-stats", "deep", "not-utf8"],
)
def test_bad_cache_entries_are_ignored_and_rewritten(project: Path, entry: bytes) -> None:
    write(project, "bad.py", BAD)
    args = ("check", "--isolated", "--format", "json", "bad.py")
    first = CliRunner().invoke(main, args)
    [stored] = list((project / ".shutdownlint_cache").rglob("*.json"))
    stored.write_bytes(entry)
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 1, again.output
    assert again.stdout == first.stdout
    assert json.loads(stored.read_bytes())["schema"] >= 2  # rewritten


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_in_the_cache_never_hangs(tmp_path: Path) -> None:
    write(tmp_path, "bad.py", BAD)
    args = ("check", "--isolated", "--format", "json", "bad.py")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path)
        assert CliRunner().invoke(main, list(args)).exit_code == 1  # fills the cache
    [stored] = list((tmp_path / ".shutdownlint_cache").rglob("*.json"))
    stored.unlink()
    os.mkfifo(stored)
    again = console(*args, cwd=tmp_path, timeout=30)
    assert again.returncode == 1 and rows(again) == [("bad.py", "SDL301", 11)]


@pytest.mark.parametrize("newline", ["\r", "\r\n", "\n"], ids=["cr", "crlf", "lf"])
def test_noqa_rows_follow_python_line_breaks(project: Path, newline: str) -> None:
    source = BAD.replace(PUT_LINE, f"{PUT_LINE}  # noqa: SDL301")
    source = "# a form feed \x0c and a line separator \u2028 in a comment\n" + source
    write(project, "t.py", source.replace("\n", newline).encode())
    assert rows(check("--format", "json", "t.py")) == []
    prefix = "            x = '\u2028\x0c'; "
    plain = BAD.replace(PUT_LINE, prefix + "self.results.put(page)").replace("\n", newline)
    write(project, "u.py", plain.encode())
    [finding] = json.loads(check("--format", "json", "u.py").stdout)
    assert finding["location"] == {"row": 11, "column": len(prefix) + 1}
    assert "`self.results.put(page)`" in finding["message"]


@pytest.mark.parametrize("comment", ["# noqa:", "# noqa: because", "# NOQA : -"])
def test_noqa_without_a_valid_code_warns_and_suppresses_nothing(
    project: Path, comment: str
) -> None:
    write(project, "t.py", BAD.replace(PUT_LINE, f"{PUT_LINE}  {comment}"))
    result = check("--format", "json", "t.py")
    assert rows(result) == [("t.py", "SDL301", 11)]
    assert "t.py:11:" in result.stderr and "suppresses nothing" in result.stderr


# -- output and arguments -------------------------------------------------------------------
@pytest.mark.skipif(sys.platform == "darwin", reason="macOS file systems want UTF-8 names")
def test_non_utf8_file_names_give_valid_output(project: Path) -> None:
    with open(os.fsencode(project) + b"/caf\xe9.py", "wb") as f:
        f.write(BAD.encode())
    write(project, "line\nbreak.py", BAD)

    def run(*args: str):
        result = CliRunner().invoke(main, ["check", "--isolated", *args, "."])
        assert result.exit_code == 1, result.output
        return result.stdout_bytes.decode("utf-8")  # valid UTF-8, or this raises

    for cache in ([], ["--no-cache"]):
        found = json.loads(run(*cache, "--format", "json"))
        assert sorted(Path(f["filename"]).name for f in found) == [
            "caf\\xe9.py",
            "line\nbreak.py",
        ]
    for fmt in ("concise", "pylint", "text", "github"):
        text = run("--format", fmt)
        assert "caf\\xe9.py" in text
        if fmt != "text":
            assert len(text.splitlines()) == 2, text  # one line per finding
    run("-o", "report.json", "--format", "json")
    assert len(json.loads((project / "report.json").read_text(encoding="utf-8"))) == 2


@pytest.mark.parametrize("target", ["missing/report.json", "folder/"])
def test_unwritable_output_file_is_a_usage_error(project: Path, target: str) -> None:
    write(project, "bad.py", BAD)
    (project / "folder").mkdir()
    result = check("--output-file", target, "bad.py")
    assert result.exit_code == 2
    assert "internal error" not in result.output
    assert target.rstrip("/") in result.stderr and "--output-file" in result.stderr


@pytest.mark.parametrize(
    "args",
    [["--config", "pyproject.toml"], ["--stdin-filename", "x.py", "bad.py"]],
    ids=["isolated-with-config", "stdin-with-paths"],
)
def test_conflicting_options_are_usage_errors(project: Path, args: list[str]) -> None:
    write(project, "bad.py", BAD)
    write(project, "pyproject.toml", "[tool.shutdownlint]\n")
    result = check(*args, input="x = 1\n")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Usage:" in result.stderr
    dash = check("--stdin-filename", "x.py", "-", input=BAD)  # `-` is stdin itself
    assert dash.exit_code == 1 and dash.stdout.startswith("x.py:11:13: SDL301")


def test_statistics_as_json(project: Path) -> None:
    write(project, "a.py", BAD)
    write(project, "plain.py", "x = 1\n")
    result = check("--statistics", "--format", "json", ".")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "statistics": [
            {"code": "SDL301", "name": "blocking-put-without-timeout", "count": 1, "fixable": False}
        ],
        "files": 2,
        "skipped": 1,
        "gave_up": 0,
        "too_large": 0,
    }


@pytest.mark.parametrize("output_format", ["sarif", "junit", "github"])
def test_statistics_in_a_format_that_cannot_carry_them_is_a_usage_error(
    project: Path, output_format: str
) -> None:
    write(project, "a.py", BAD)
    result = check("--statistics", "--format", output_format, ".")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "--statistics cannot be written as " + output_format in result.stderr


def test_statistics_fixable_follows_the_fixes_that_would_apply(project: Path) -> None:
    # SDL301's fix carries edits but is unsafe: fixable with --unsafe-fixes, as in ruff.
    write(project, "a.py", BAD)
    for args, fixable in (([], False), (["--unsafe-fixes"], True)):
        result = check("--statistics", "--format", "json", *args, ".")
        [row] = json.loads(result.stdout)["statistics"]
        assert (row["code"], row["fixable"]) == ("SDL301", fixable)


def _on_terminal(args: list[str], cwd: Path, stdout_tty: bool) -> tuple[str, str]:
    """Run the console script with stderr (and maybe stdout) on a pseudo-terminal."""
    main_fd, child_fd = pty.openpty()
    try:
        proc = subprocess.run(
            [str(SCRIPT), *args],
            cwd=cwd,
            stdout=child_fd if stdout_tty else subprocess.PIPE,
            stderr=child_fd,
            env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1", "TERM": "xterm"},
            timeout=60,
        )
        os.close(child_fd)
        chunks = []
        while True:
            try:
                chunk = os.read(main_fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(main_fd)
    terminal = b"".join(chunks).decode("utf-8", "replace")
    return (proc.stdout or b"").decode("utf-8"), terminal


@pytest.mark.skipif(not SCRIPT.exists(), reason="the console script is not installed")
def test_progress_bar_and_caret_on_a_terminal(tmp_path: Path) -> None:
    """The bar only for format text on a terminal; the caret under wide characters."""
    for i in range(25):
        write(tmp_path, f"m{i:02}.py", "x = 1\n")
    prefix = '            x = "日本語é\u0301"; '
    write(tmp_path, "w.py", BAD.replace(PUT_LINE, prefix + "self.results.put(page)"))
    base = ["check", "--isolated", "--no-cache", "--jobs", "1", "."]
    _, terminal = _on_terminal([*base, "--format", "concise"], tmp_path, stdout_tty=False)
    assert "Checking" not in terminal
    _, terminal = _on_terminal(base, tmp_path, stdout_tty=True)
    assert "Checking" in terminal
    lines = terminal.replace("\r\n", "\n").splitlines()
    code = next(i for i, line in enumerate(lines) if line.startswith("11 | "))
    caret = lines[code + 1]
    # 日本語 take two cells each, é + combining acute one: 3 more cells than code points.
    assert caret.index("^") == len("11 | ") + len(prefix) - 1 + 3
    assert caret.count("^") == len("self.results.put(page)")


def test_related_notes_read_as_english(project: Path) -> None:
    source = (
        "import queue, signal, threading\nQ = queue.Queue(2)\n\n\n"
        "class W(threading.Thread):\n    def run(self):\n        Q.put(1)\n\n\n"
        "def handler(signum, frame):\n    Q.put(2)\n\n\nsignal.signal(signal.SIGTERM, handler)\n"
    )
    write(project, "w.py", source)
    result = check("w.py")
    notes = [line for line in result.stdout.splitlines() if "the worker is" in line]
    assert len(notes) == 2, result.stdout
    for note in notes:
        assert not re.search(r"the worker is (runs|is)\b", note), note


# -- python -m inside an untrusted checkout ------------------------------------------------
HOSTILE = "import pathlib\npathlib.Path({marker!r}).write_text('executed')\n"


@pytest.mark.skipif(not SCRIPT.exists(), reason="the console script is not installed")
def test_console_script_never_runs_modules_of_the_checkout(tmp_path: Path) -> None:
    marker = tmp_path / "MARKER"
    for name in ("collections.py", "types.py", "shutdownlint.py", "enum.py", "re.py"):
        write(tmp_path, name, HOSTILE.format(marker=str(marker)))
    write(tmp_path, "bad.py", BAD)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONSAFEPATH")}
    commands = [[str(SCRIPT)]]
    if sys.version_info >= (3, 11):
        commands.append([sys.executable, "-P", "-m", "shutdownlint"])
    for command in commands:
        result = subprocess.run(
            [*command, "check", "--isolated", "--no-cache", "--format", "concise", "."],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert result.returncode == 1, result.stderr
        assert "bad.py:11:13: SDL301" in result.stdout
        assert not marker.exists(), command


def test_documented_commands_never_use_plain_python_m() -> None:
    """The README's commands, the benchmarks, CI and the pre-commit hook's entry run the
    console script or `python -P -m shutdownlint`: plain `python -m` imports from the
    working directory before our code runs. Prose may warn against it; code may not."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = [
        line
        for block in re.findall(r"```[a-z]*\n(.*?)```", readme, re.S)
        for line in block.splitlines()
    ]
    code = ""
    for path in [ROOT / ".ci" / "run", *sorted((ROOT / "benchmarks").glob("*.py"))]:
        lines = path.read_text(encoding="utf-8").splitlines()
        code += "\n".join(line for line in lines if not line.lstrip().startswith("#")) + "\n"
    # An argument list may span lines: `[python, "-m", "shutdownlint", ...]`.
    listed = re.findall(r"""(?<!-P["'], )["']-m["'],\s*["']shutdownlint["']""", code)
    assert not listed, listed
    hook = ROOT / ".pre-commit-hooks.yaml"
    if hook.exists():
        entries = re.findall(r"^\s*entry:\s*(.+)$", hook.read_text(encoding="utf-8"), re.M)
        assert entries and all(e.split()[0] == "shutdownlint" for e in entries), entries
    plain = re.compile(r"python3?\s+-m\s+shutdownlint(?![.\w])")
    offenders = [line.strip() for line in commands if plain.search(line) and "-P" not in line]
    offenders += [line.strip() for line in code.splitlines() if plain.search(line)]
    assert not offenders, offenders
