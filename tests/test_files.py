"""File discovery (shutdownlint/files.py) compared with git's own answer."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from shutdownlint.config import build_settings
from shutdownlint.files import discover

# -- .gitignore as git reads it -------------------------------------------------------
GITIGNORES = {
    ".gitignore": "z.py\ngen_*.py\n",
    "sub/.gitignore": "!z.py\n!gen_keep.py\n",
    "sub/deeper/.gitignore": "z.py\n",
    "other/.gitignore": "local.py\n!gen_other.py\n",
}
PY_FILES = [
    "z.py",
    "a.py",
    "gen_x.py",
    "sub/z.py",
    "sub/inner/z.py",
    "sub/gen_keep.py",
    "sub/gen_drop.py",
    "sub/deeper/z.py",
    "sub/deeper/y.py",
    "other/z.py",
    "other/local.py",
    "other/gen_other.py",
    "other/nested/local.py",
]


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_nested_gitignore_negations_follow_git(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True, timeout=60)
    for name, text in GITIGNORES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    for name in PY_FILES:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x = 1\n", encoding="utf-8")
    listed = subprocess.run(
        ["git", "ls-files", "--others", "--exclude-standard"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.split()
    expected = sorted(name for name in listed if name.endswith(".py"))
    assert "sub/z.py" in expected and "z.py" not in expected  # the case of the issue
    settings = build_settings([tmp_path], isolated=True)
    found = [p.relative_to(tmp_path).as_posix() for p in discover([tmp_path], settings)]
    assert found == expected
