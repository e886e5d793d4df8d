"""The pre-commit hook (SPEC §6), through real `pre-commit run --all-files` on a
temporary git repository whose `.pre-commit-config.yaml` points at this repository.

pre-commit clones the hook repository at a commit and installs it into a
virtualenv of its own, as it does for users. The hook repository is a snapshot of
this checkout (tracked and untracked-but-not-ignored files, committed), so the
test sees uncommitted work too; the hook environment is built once per module.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import BAD, ROOT
from .test_cli import write

pytestmark = [
    pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed"),
    pytest.mark.skipif(
        subprocess.run(
            [sys.executable, "-m", "pre_commit", "--version"], capture_output=True
        ).returncode
        != 0,
        reason="pre-commit is not installed",
    ),
]

GOOD = BAD.replace("put(page)", "put(page, timeout=1)")


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env.update(
        PRE_COMMIT_HOME=str(home),
        PRE_COMMIT_COLOR="never",
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_AUTHOR_NAME="test",
        GIT_AUTHOR_EMAIL="test@example.invalid",
        GIT_COMMITTER_NAME="test",
        GIT_COMMITTER_EMAIL="test@example.invalid",
        NO_COLOR="1",
    )
    return env


def _git(cwd: Path, env: dict[str, str], *args: str) -> str:
    proc = subprocess.run(
        ["git", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return proc.stdout.strip()


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory, home: Path) -> tuple[Path, str]:
    """A committed snapshot of this checkout: (path, commit)."""
    env = _env(home)
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        env={k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
    )
    if listed.returncode != 0:
        pytest.skip("this checkout is not a git repository")
    snapshot = tmp_path_factory.mktemp("hook-repo")
    for name in filter(None, listed.stdout.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            (snapshot / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, snapshot / name)
    _git(snapshot, env, "init", "-q")
    _git(snapshot, env, "add", "-A")
    _git(snapshot, env, "commit", "-q", "-m", "snapshot")
    return snapshot, _git(snapshot, env, "rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path: Path, home: Path, hook_repo: tuple[Path, str]) -> Path:
    """A user's repository with a buggy file and a config pointing at the hook repo."""
    path, rev = hook_repo
    config = f"repos:\n  - repo: {path.as_uri()}\n    rev: {rev}\n"
    write(tmp_path, ".pre-commit-config.yaml", config + "    hooks:\n      - id: shutdownlint\n")
    write(tmp_path, "pkg/fetcher.py", BAD)
    write(tmp_path, "README.md", "not python\n")
    _git(tmp_path, _env(home), "init", "-q")
    _git(tmp_path, _env(home), "add", "-A")
    return tmp_path


def pre_commit(repo: Path, home: Path) -> subprocess.CompletedProcess:
    _git(repo, _env(home), "add", "-A")
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files", "--color", "never"],
        cwd=repo,
        env=_env(home),
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_hook_definition() -> None:
    yaml = pytest.importorskip("yaml")
    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "shutdownlint"
    assert hook["entry"] == "shutdownlint check"  # the console script, never `python -m`
    assert hook["language"] == "python"
    assert hook["types"] == ["python"]
    assert hook["require_serial"] is False
    assert hook.get("pass_filenames", True) is True


def test_hook_fails_on_a_finding_then_passes_after_the_fix(repo: Path, home: Path) -> None:
    failed = pre_commit(repo, home)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "shutdownlint" in failed.stdout and "Failed" in failed.stdout
    expected = f"{Path('pkg', 'fetcher.py')}:11:13: SDL301 `self.results.put(page)` can block"
    assert expected in failed.stdout, failed.stdout
    assert "help: pass `timeout=5.0`" in failed.stdout

    write(repo, "pkg/fetcher.py", GOOD)
    passed = pre_commit(repo, home)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout


def test_hook_honours_the_repository_configuration(repo: Path, home: Path) -> None:
    # pre-commit names every file; `exclude` applies to named files too (SPEC §5), and
    # opt-in rules come from [tool.shutdownlint].
    write(repo, "pkg/fetcher.py", GOOD)
    write(repo, "generated/bad.py", BAD)
    write(repo, "pyproject.toml", '[tool.shutdownlint]\nextend-exclude = ["generated"]\n')
    assert pre_commit(repo, home).returncode == 0
    write(
        repo,
        "pyproject.toml",
        '[tool.shutdownlint]\nextend-exclude = ["generated"]\nextend-select = ["SDL302"]\n',
    )
    result = pre_commit(repo, home)
    assert result.returncode == 1
    assert f"{Path('pkg', 'fetcher.py')}:14:9: SDL302" in result.stdout
    assert "generated" not in result.stdout
