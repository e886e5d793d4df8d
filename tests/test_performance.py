"""What keeps a run fast, checked through the real command line (not timed: speed
itself is measured by `benchmarks/peers.py`)."""

from __future__ import annotations

import gc
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from shutdownlint.catalogue import NAMES_BY_CODE
from shutdownlint.cli import main
from shutdownlint.profile import FILE_PHASES, RUN_PHASES

from .conftest import BAD, ROOT

# Run `shutdownlint check` in a fresh interpreter and print, at exit, the modules the
# run imported that a run served entirely from the cache must not need.
_WATCH = """\
import atexit, json, sys

_OUT = sys.argv.pop(1)

def _heavy():
    with open(_OUT, "w") as out:
        json.dump(sorted(sys.modules), out)

atexit.register(_heavy)
from shutdownlint.cli import main
main(sys.argv[1:], prog_name="shutdownlint")
"""

# The configuration's own data types (enums and a dataclass, no astroid) live beside
# the analysis that reads them; nothing else of `shutdownlint.analysis` may be imported.
_CONFIG_TYPES = {
    "shutdownlint.analysis",
    "shutdownlint.analysis.options",
    "shutdownlint.analysis.vocabulary",
}


def _heavy(modules: list[str]) -> list[str]:
    return [
        name
        for name in modules
        if name.split(".")[0] in ("astroid", "libcst", "pygls", "lsprotocol")
        or name.startswith(
            (
                "shutdownlint.rules",
                "shutdownlint.engine",
                "shutdownlint.fixes",
                "shutdownlint.parallel",
                "shutdownlint.source",
            )
        )
        or (name.startswith("shutdownlint.analysis") and name not in _CONFIG_TYPES)
    ]


def _tree(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    (project / "pkg").mkdir(parents=True)
    (project / "pyproject.toml").write_text(
        '[project]\nrequires-python = ">=3.10"\n[tool.shutdownlint]\nextend-select = ["SDL302"]\n'
    )
    (project / "pkg" / "fetcher.py").write_text(BAD)
    (project / "pkg" / "plain.py").write_text("def add(a, b):\n    return a + b\n")
    (project / "pkg" / "broken.py").write_text("def broken(:\n")
    (project / "pkg" / "suppressed.py").write_text(
        BAD.replace("self.results.put(page)", "self.results.put(page)  # noqa: SDL301")
    )
    return project


def _run(project: Path, tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess, list]:
    modules = tmp_path / "modules.json"
    proc = subprocess.run(
        [sys.executable, "-c", _WATCH, str(modules), "check", *args, "."],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return proc, json.loads(modules.read_text())


def test_a_run_served_from_the_cache_imports_no_analysis(tmp_path: Path) -> None:
    """Every file of the second run comes from the cache: it imports neither astroid,
    libcst, pygls, the engine nor a rule module, and prints what the first run printed.
    Also with the formats and options a warm run can take (statistics, JSON)."""
    project = _tree(tmp_path)
    first, modules = _run(project, tmp_path, "--jobs", "1")  # fills the cache
    assert first.returncode == 1, first.stderr
    assert "SDL301" in first.stdout and "SDL900" in first.stdout
    assert _heavy(modules), "the first run analyses the files"
    for args in ((), ("--format", "json"), ("--statistics",), ("--format", "github")):
        cold, _ = _run(project, tmp_path, "--no-cache", *args)
        warm, modules = _run(project, tmp_path, *args)
        assert (warm.returncode, warm.stdout, warm.stderr) == (
            cold.returncode,
            cold.stdout,
            cold.stderr,
        )
        assert _heavy(modules) == [], args


def test_version_imports_no_analysis(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", _WATCH, str(tmp_path / "m.json"), "--version"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    assert _heavy(json.loads((tmp_path / "m.json").read_text())) == []


def test_a_check_that_rewrites_nothing_imports_no_libcst(tmp_path: Path) -> None:
    """libcst is imported for the first fix that rewrites code, not by the analysis: one
    changed file in a warm tree whose findings carry no rewrite does without it."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "plain.py").write_text("import threading\n\ndef add(a, b):\n    return a + b\n")
    (project / "fetcher.py").write_text(BAD)
    proc, modules = _run(project, tmp_path, "--no-cache", "--jobs", "1", "--select", "SDL201")
    assert proc.returncode == 0, proc.stderr
    assert "shutdownlint.engine" in modules, "the files were analysed"
    assert not [name for name in modules if name.split(".")[0] == "libcst"]
    proc, modules = _run(project, tmp_path, "--no-cache", "--jobs", "1")
    assert "SDL301" in proc.stdout  # its fix rewrites the call: libcst is needed
    assert "libcst" in modules


# -- --profile ----------------------------------------------------------------------
def _profile_table(stderr: str) -> dict[str, float]:
    """{phase: seconds} from the table `--profile` prints."""
    rows = re.findall(r"^ +(\d+\.\d{3}) +\d+\.\d% +(\d+)  (.+)$", stderr, re.MULTILINE)
    return {phase: float(seconds) for seconds, _, phase in rows}


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_profile_names_each_phase_and_changes_no_finding(
    tmp_path: Path, jobs: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _tree(tmp_path)
    monkeypatch.chdir(project)
    runner = CliRunner()
    plain = runner.invoke(main, ["check", "--no-cache", "-j", jobs, "--format", "json", "."])
    profiled = runner.invoke(
        main, ["check", "--no-cache", "-j", jobs, "--format", "json", "--profile", "."]
    )
    assert plain.exit_code == profiled.exit_code == 1, profiled.stderr
    assert profiled.stdout == plain.stdout
    assert "shutdownlint --profile: 4 files (0 from the cache, 4 checked" in profiled.stderr
    assert f"{jobs} process" in profiled.stderr
    table = _profile_table(profiled.stderr)
    for phase in (*FILE_PHASES, *RUN_PHASES, "other (engine)", "facts.kinds", "facts.contexts"):
        assert phase in table, phase
    rules = {code for code in NAMES_BY_CODE if code not in ("SDL900", "SDL999")}
    assert {f"rule {code}" for code in rules} <= set(table)
    assert all(seconds >= 0 for seconds in table.values())
    assert "slowest 4 files" in profiled.stderr
    assert str(project / "pkg" / "fetcher.py") in profiled.stderr
    # The wrapping is undone: astroid's manager is its own again, the collector untimed.
    from astroid.manager import AstroidManager

    assert AstroidManager.ast_from_module_name.__module__ == "astroid.manager"
    assert not [c for c in gc.callbacks if c.__module__ == "shutdownlint.profile"]


def test_profile_of_a_warm_run_counts_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(_tree(tmp_path))
    runner = CliRunner()
    runner.invoke(main, ["check", "."])
    warm = runner.invoke(main, ["check", "--profile", "."])
    assert warm.exit_code == 1
    assert "4 files (4 from the cache, 0 checked, 0 with deep analysis)" in warm.stderr
    table = _profile_table(warm.stderr)
    assert table["parse"] == 0 and "cache read" in table
