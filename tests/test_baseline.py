"""`--write-baseline` / `--baseline` (SPEC §5): only new findings are reported, and a
baseline survives edits that shift lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shutdownlint import baseline
from shutdownlint.findings import Finding, Location

from .conftest import BAD
from .test_cli import check, run, write

PUT = "            self.results.put(page)\n"
OTHER_BUG = """
import queue
import threading

LOG = queue.Queue(maxsize=5)


def _ship():
    while True:
        LOG.put("line")


threading.Thread(target=_ship).start()
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "bad.py", BAD)
    result = check("--write-baseline", "baseline.json", ".")
    assert result.exit_code == 0, result.output
    assert "wrote 1 findings to baseline.json" in result.stderr
    return tmp_path


def reported(*args: str) -> tuple[list[tuple[str, str, int]], int]:
    result = check("--baseline", "baseline.json", "--format", "json", *args)
    rows = json.loads(result.stdout) if result.stdout else []
    return [(Path(r["filename"]).name, r["code"], r["location"]["row"]) for r in rows], (
        result.exit_code
    )


def test_write_baseline_records_findings_readably(project: Path) -> None:
    document = json.loads((project / "baseline.json").read_text(encoding="utf-8"))
    assert document["shutdownlint-baseline"] == 1
    [entry] = document["findings"]
    assert entry["path"] == "bad.py"
    assert entry["code"] == "SDL301"
    assert entry["count"] == 1
    assert entry["scope"] == "Fetcher._run"
    assert entry["line"] == "self.results.put(page)"
    assert "row" not in entry and "line_number" not in entry


def test_baselined_finding_is_not_reported(project: Path) -> None:
    assert reported(".") == ([], 0)
    assert reported("bad.py") == ([], 0)


def test_inserted_lines_above_keep_it_suppressed(project: Path) -> None:
    shifted = '"""A module."""\nimport os\n\n\n' + BAD.replace(PUT, "            # fetch\n" + PUT)
    write(project, "bad.py", shifted)
    assert check("--format", "json", "bad.py").exit_code == 1  # still a finding
    assert reported(".") == ([], 0)


def test_reindented_line_keeps_it_suppressed(project: Path) -> None:
    write(project, "bad.py", BAD.replace(PUT, "            if page:\n    " + PUT))
    assert reported(".") == ([], 0)


def test_second_identical_bug_is_reported(project: Path) -> None:
    write(project, "bad.py", BAD.replace(PUT, PUT + PUT))
    assert reported(".") == ([("bad.py", "SDL301", 12)], 1)


def test_same_line_in_another_function_is_new(project: Path) -> None:
    again = BAD.replace(
        "target=self._run)", "target=self._run)\n        threading.Thread(target=self._again)"
    )
    write(project, "bad.py", again + "\n    def _again(self):\n        self.results.put(page)\n")
    rows, code = reported(".")
    assert code == 1
    assert [(name, c) for name, c, _ in rows] == [("bad.py", "SDL301")]
    assert rows[0][2] > 14


def test_new_file_and_other_rule_are_reported(project: Path) -> None:
    write(project, "new.py", OTHER_BUG)
    assert reported(".") == ([("new.py", "SDL301", 10)], 1)
    rows, code = reported(".", "--extend-select", "SDL302")
    assert ("bad.py", "SDL302", 14) in rows and code == 1


def test_fixed_finding_leaves_nothing_and_renamed_file_is_new(project: Path) -> None:
    write(project, "bad.py", BAD.replace("put(page)", "put(page, timeout=1)"))
    assert reported(".") == ([], 0)
    (project / "bad.py").rename(project / "renamed.py")
    write(project, "renamed.py", BAD)
    assert reported(".") == ([("renamed.py", "SDL301", 11)], 1)


def test_baseline_paths_are_relative_to_the_baseline_file(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "sub").mkdir()
    monkeypatch.chdir(project / "sub")
    result = check("--baseline", "../baseline.json", "..")
    assert result.exit_code == 0, result.output
    result = check("--baseline", str(project / "baseline.json"), str(project / "bad.py"))
    assert result.exit_code == 0, result.output


def test_baseline_from_stdin(project: Path) -> None:
    args = ("--baseline", "baseline.json", "--stdin-filename", "bad.py", "-")
    assert check(*args, input=BAD.encode()).exit_code == 0
    assert check(*args, input=BAD.replace(PUT, PUT + PUT).encode()).exit_code == 1


def test_statistics_count_only_new_findings(project: Path) -> None:
    write(project, "new.py", OTHER_BUG)
    result = check("--baseline", "baseline.json", "--statistics", ".")
    rows = [line.split("\t") for line in result.stdout.splitlines() if "\t" in line]
    assert rows == [["    1", "SDL301", "blocking-put-without-timeout"]]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "baseline file not found"),
        ("{not json", "invalid JSON"),
        ('{"findings": []}', "not a shutdownlint baseline"),
        ('{"shutdownlint-baseline": 1, "findings": [{"path": "a.py"}]}', "entry 0 needs"),
    ],
)
def test_bad_baseline_exits_2(project: Path, content: str | None, message: str) -> None:
    if content is not None:
        write(project, "other.json", content)
    result = check("--baseline", "other.json", ".")
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_baseline_and_write_baseline_together_exit_2(project: Path) -> None:
    result = check("--baseline", "baseline.json", "--write-baseline", "b2.json", ".")
    assert result.exit_code == 2
    assert "either" in result.stderr


def test_write_baseline_quiet_prints_nothing(project: Path) -> None:
    result = run("check", "--isolated", "--no-cache", "--write-baseline", "b.json", "-q", ".")
    assert result.exit_code == 0
    assert result.output == ""


def test_internal_errors_are_never_baselined(tmp_path: Path) -> None:
    location = Location(1, 1)
    internal = Finding(
        "SDL999",
        "internal-error",
        "boom",
        "error",
        str(tmp_path / "a.py"),
        location,
        location,
        None,
        None,
    )
    path = tmp_path / "b.json"
    assert baseline.write(path, [internal], {}) == 0
    assert baseline.new_findings([internal], baseline.load(path), path, {}) == [internal]
