"""`check --fix`, `--unsafe-fixes`, `--diff`, `--add-noqa` through the real command line:
what is written, what is not, exit codes, and that no data is lost (SPEC §3, §7)."""

from __future__ import annotations

import codecs
import json
import os
import stat
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from shutdownlint import fixes
from shutdownlint.cli import main
from shutdownlint.findings import Applicability, Edit, Finding, Fix, Location

from .conftest import MONITOR


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "pyproject.toml").write_text("[tool.shutdownlint]\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def check(*args: str, input: bytes | None = None):
    return CliRunner().invoke(main, ["check", "--no-cache", *args], input=input)


def codes(path: Path) -> Counter:
    result = check("--format", "concise", "--quiet", str(path))
    return Counter(line.split(": ")[1].split()[0] for line in result.stdout.splitlines())


def test_fix_alone_applies_safe_fixes_only(project: Path) -> None:
    path = project / "m.py"
    path.write_text(MONITOR, encoding="utf-8")
    result = check("--fix", "m.py")
    assert path.read_text(encoding="utf-8") == MONITOR  # the only fix is unsafe
    assert result.exit_code == 1
    assert "1 hidden fix can be enabled with the `--unsafe-fixes` option" in result.stdout


def test_unsafe_fixes_alone_shows_them_as_available(project: Path) -> None:
    (project / "m.py").write_text(MONITOR, encoding="utf-8")
    result = check("--unsafe-fixes", "m.py")
    assert result.exit_code == 1
    assert "SDL105 [*] `stop()` never joins" in result.stdout
    assert "[*] 1 fixable with the `--fix` option." in result.stdout
    assert (project / "m.py").read_text(encoding="utf-8") == MONITOR


def test_fix_unsafe_writes_and_exit_code_reflects_what_remains(project: Path) -> None:
    path = project / "m.py"
    path.write_text(MONITOR, encoding="utf-8")
    result = check("--fix", "--unsafe-fixes", "m.py")
    assert result.exit_code == 0, result.output
    fixed = path.read_text(encoding="utf-8")
    assert fixed != MONITOR and "self._thread.join(" in fixed
    assert "Fixed 1 problem in 1 file." in result.stderr
    assert codes(path) == Counter()
    again = check("--fix", "--unsafe-fixes", "m.py")
    assert again.exit_code == 0 and path.read_text(encoding="utf-8") == fixed


def test_fix_exit_code_is_one_when_findings_remain(project: Path) -> None:
    path = project / "m.py"
    leak = "\n\ndef run_job(job):\n    w = threading.Thread(target=job.run)\n    w.start()\n"
    path.write_text(MONITOR + leak + "    job.report()\n    w.join()\n", encoding="utf-8")
    result = check("--fix", "--unsafe-fixes", "m.py")
    assert result.exit_code == 1  # SDL103's fix is a suggestion only: it stays
    assert "SDL103" in result.stdout and "SDL105" not in result.stdout


def test_diff_writes_nothing_and_exits_one_when_it_would_change(project: Path) -> None:
    path = project / "m.py"
    path.write_text(MONITOR, encoding="utf-8")
    result = check("--diff", "--unsafe-fixes", "m.py")
    assert result.exit_code == 1
    assert result.stdout.startswith("--- m.py\n+++ m.py\n@@ ")
    assert "+            self._thread.join(" in result.stdout
    assert path.read_text(encoding="utf-8") == MONITOR
    nothing = check("--diff", "m.py")  # safe fixes only: none
    assert nothing.exit_code == 0 and nothing.stdout == ""


def test_add_noqa_merges_into_an_existing_comment(project: Path) -> None:
    path = project / "m.py"
    source = MONITOR.replace("    def stop(self):", "    def stop(self):  # noqa: E501")
    path.write_text(source, encoding="utf-8")
    result = check("--add-noqa", "m.py")
    assert result.exit_code == 0, result.output
    assert "    def stop(self):  # noqa: E501, SDL105\n" in path.read_text(encoding="utf-8")
    assert "Added 1 noqa directive in 1 file." in result.stderr
    assert check("m.py").exit_code == 0
    assert check("--add-noqa", "m.py").exit_code == 0
    assert path.read_text(encoding="utf-8").count("SDL105") == 1


def test_add_noqa_and_fix_do_not_combine(project: Path) -> None:
    (project / "m.py").write_text(MONITOR, encoding="utf-8")
    assert check("--add-noqa", "--fix", "m.py").exit_code == 2


def test_fix_keeps_crlf_bom_cookie_and_permissions(project: Path) -> None:
    path = project / "m.py"
    source = "# -*- coding: latin-1 -*-\n# caf\xe9\n" + MONITOR
    data = source.replace("\n", "\r\n").encode("latin-1")
    path.write_bytes(data)
    path.chmod(0o640)
    assert check("--fix", "--unsafe-fixes", "m.py").exit_code == 0
    written = path.read_bytes()
    assert written.startswith(b"# -*- coding: latin-1 -*-\r\n# caf\xe9\r\n")
    assert b"join(" in written and b"\n" not in written.replace(b"\r\n", b"")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    bom = project / "b.py"
    bom.write_bytes(codecs.BOM_UTF8 + MONITOR.encode())
    assert check("--fix", "--unsafe-fixes", "b.py").exit_code == 0
    assert bom.read_bytes().startswith(codecs.BOM_UTF8 + b"import threading\n")
    assert [p.name for p in project.iterdir() if p.name.endswith(".tmp")] == []


def test_the_cache_does_not_make_fix_skip_a_file(project: Path) -> None:
    path = project / "m.py"
    path.write_text(MONITOR, encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(main, ["check", "m.py"]).exit_code == 1  # cached now
    result = runner.invoke(main, ["check", "--fix", "--unsafe-fixes", "m.py"])
    assert result.exit_code == 0, result.output
    assert "join(" in path.read_text(encoding="utf-8")
    assert runner.invoke(main, ["check", "m.py"]).exit_code == 0


def test_fix_on_stdin_writes_the_fixed_source_to_stdout(project: Path) -> None:
    result = check("--fix", "--unsafe-fixes", "--stdin-filename", "m.py", input=MONITOR.encode())
    assert result.exit_code == 0
    assert result.stdout.startswith("import threading\n") and "self._thread.join(" in result.stdout
    diff = check("--diff", "--unsafe-fixes", "--stdin-filename", "m.py", input=MONITOR.encode())
    (project / "pyproject.toml").write_text(
        '[tool.shutdownlint]\nexclude = ["m.py"]\n', encoding="utf-8"
    )
    excluded = check("--fix", "--unsafe-fixes", "--stdin-filename", "m.py", input=MONITOR.encode())
    assert excluded.exit_code == 0 and excluded.stdout == MONITOR
    assert diff.exit_code == 1 and "+            self._thread.join(" in diff.stdout


def test_a_failed_rename_leaves_the_original_intact(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = project / "m.py"
    path.write_text(MONITOR, encoding="utf-8")

    def fail(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(fixes.os, "replace", fail)
    result = check("--fix", "--unsafe-fixes", "m.py")
    assert result.exit_code == 1
    assert "not fixed: cannot write" in result.stderr
    assert path.read_text(encoding="utf-8") == MONITOR
    assert sorted(p.name for p in project.iterdir()) == ["m.py", "pyproject.toml"]


KILLED = """
import os, sys
from shutdownlint import fixes
from shutdownlint.cli import main

def killed(*args):
    os._exit(9)  # the process dies between the temporary file's write and the rename

fixes.os.replace = killed
sys.argv = ["shutdownlint", "check", "--no-cache", "--fix", "--unsafe-fixes", "m.py"]
main()
"""


def test_killed_between_write_and_rename_leaves_the_original_intact(project: Path) -> None:
    path = project / "m.py"
    path.write_text(MONITOR, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", KILLED], cwd=project, capture_output=True, text=True, check=False
    )
    assert done.returncode == 9, done.stderr
    assert path.read_text(encoding="utf-8") == MONITOR
    leftovers = [p for p in project.iterdir() if p.name.startswith(".m.py.")]
    assert len(leftovers) == 1 and "join(" in leftovers[0].read_text(encoding="utf-8")


# -- the apply loop -------------------------------------------------------------------
def _finding(code: str, message: str, *edits: Edit) -> Finding:
    at = Location(1, 1)
    return Finding(
        code, code.lower(), message, "error", "m.py", at, at,
        Fix(message, Applicability.SAFE, edits), 1,
    )  # fmt: skip


def test_an_edit_that_would_not_parse_is_refused_naming_its_rule() -> None:
    source = "x = 1\ny = 2\n"
    broken = _finding("SDL104", "breaks", Edit("y = (", Location(2, 1), Location(2, 6)))
    good = _finding("SDL105", "renames", Edit("z", Location(1, 1), Location(1, 2)))
    outcome = fixes.fix_text(source, lambda text: [], findings=[broken, good])
    assert outcome.text == "z = 1\ny = 2\n"
    assert outcome.fixed == Counter({"SDL105": 1})
    assert len(outcome.refused) == 1 and "SDL104" in outcome.refused[0]


def test_overlapping_edits_wait_for_the_next_pass() -> None:
    source = "a = 1\n"
    first = _finding("SDL201", "one", Edit("b", Location(1, 1), Location(1, 2)))
    second = _finding("SDL202", "two", Edit("c = 2", Location(1, 1), Location(1, 6)))
    passes = []

    def check(text: str) -> list[Finding]:
        passes.append(text)
        return [second] if text == "b = 1\n" else []

    outcome = fixes.fix_text(source, check, findings=[first, second])
    assert passes == ["b = 1\n", "c = 2\n"]
    assert outcome.text == "c = 2\n" and outcome.fixed == Counter({"SDL201": 1, "SDL202": 1})


def test_a_fix_that_does_not_remove_its_finding_is_applied_once() -> None:
    again = _finding("SDL105", "stays", Edit("# x\n", Location(1, 1), Location(1, 1)))
    outcome = fixes.fix_text("a = 1\n", lambda text: [again])
    assert outcome.text == "# x\na = 1\n"


def test_the_editor_gets_the_edits_fix_writes() -> None:
    """`finding_edits` (what --fix and the quick fix take): in CRLF files the inserted
    lines end in CRLF, and an edit that would not parse gives none (test_lsp checks the
    quick fix through a real client)."""
    insert = _finding("SDL105", "j", Edit("t.join()\n", Location(2, 1), Location(2, 1)))
    (edit,) = fixes.finding_edits("a = 1\r\nb = 2\r\n", insert)
    assert edit.content == "t.join()\r\n"
    broken = _finding("SDL105", "j", Edit("(\n", Location(2, 1), Location(2, 1)))
    assert fixes.finding_edits("a = 1\nb = 2\n", broken) is None


def test_the_written_file_is_replaced_not_truncated(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_bytes(b"old\n")
    inode = os.stat(path).st_ino
    fixes.write_atomically(path, b"new\n", expected=b"old\n")
    assert path.read_bytes() == b"new\n" and os.stat(path).st_ino != inode
    with pytest.raises(fixes.FileChanged):
        fixes.write_atomically(path, b"newer\n", expected=b"old\n")
    assert path.read_bytes() == b"new\n"


def test_fix_refuses_an_edit_that_breaks_the_code_and_names_the_rule(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shutdownlint.rules import sdl105_worker_not_joined_on_stop as sdl105

    def broken(ctx, method, lines, message, attribute=None):
        at = Location(method.lineno + 1, 1)
        return Fix(message, Applicability.UNSAFE, (Edit("(\n", at, at),))

    monkeypatch.setattr(sdl105, "append_to_method", broken)
    path = project / "m.py"
    path.write_text(MONITOR, encoding="utf-8")
    result = check("--fix", "--unsafe-fixes", "m.py")
    assert result.exit_code == 1
    assert "SDL105 (worker-not-joined-on-stop): not fixed: its edit would leave code" in (
        result.stderr
    )
    assert path.read_text(encoding="utf-8") == MONITOR


def test_json_edits_of_a_crlf_file_insert_crlf_lines(project: Path) -> None:
    (project / "m.py").write_bytes(MONITOR.replace("\n", "\r\n").encode())
    result = check("--format", "json", "m.py")
    [row] = json.loads(result.stdout)
    [edit] = row["fix"]["edits"]
    assert edit["content"].endswith("\r\n") and "\n" not in edit["content"].replace("\r\n", "")
