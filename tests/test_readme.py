"""The README's integration snippets stay true: every config block parses, the
pre-commit snippet names our hook, and every `shutdownlint ...` command line it
shows uses only commands and options the CLI has."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys

import pytest

from shutdownlint.cli import main

from .conftest import ROOT

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```(\w+)\n(.*?)```", README, re.S)


def blocks(language: str) -> list[str]:
    return [body for lang, body in BLOCKS if lang == language]


def test_json_and_toml_blocks_parse() -> None:
    assert blocks("json") and blocks("toml")
    for body in blocks("json"):
        json.loads(body)
    for body in blocks("toml"):
        tomllib.loads(body)


def test_yaml_blocks_parse_and_pre_commit_names_our_hook() -> None:
    yaml = pytest.importorskip("yaml")
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    ids = {hook["id"] for hook in hooks}
    documents = [yaml.safe_load(body) for body in blocks("yaml")]
    configs = [d for d in documents if isinstance(d, dict) and "repos" in d]
    assert configs
    for config in configs:
        for repo in config["repos"]:
            assert {hook["id"] for hook in repo["hooks"]} <= ids


def _command_lines() -> list[list[str]]:
    found = []
    for language, body in BLOCKS:
        if language not in ("sh", "yaml"):
            continue
        for line in body.splitlines():
            line = line.split(" #")[0].strip().removeprefix("- ").removeprefix("run: ")
            if line.startswith("shutdownlint "):
                found.append(shlex.split(line))
    return found


def test_command_lines_use_real_commands_and_options() -> None:
    lines = _command_lines()
    assert any(args[1] == "server" for args in lines)
    assert any("--baseline" in args for args in lines)
    for args in lines:
        command = main.commands.get(args[1])
        assert command is not None, args
        options = {name for p in command.params for name in p.opts}
        for arg in args[2:]:
            if arg.startswith("-"):
                assert arg.split("=")[0] in options, (arg, args)
        if "--format" in args:
            assert (
                args[args.index("--format") + 1]
                in command.params[
                    [p.name for p in command.params].index("output_format")
                ].type.choices
            )


def test_readme_lists_every_check_option() -> None:
    """The option list under Use names every `check` option the CLI has."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", readme))
    options = {
        name
        for p in main.commands["check"].params
        for name in p.opts
        if name.startswith("--") and name != "--format"
    }
    assert options - {"--help"} <= listed, sorted(options - listed)


def test_pre_commit_rev_is_a_commit_of_this_repository() -> None:
    """No release is tagged: `rev:` is a full commit hash (pre-commit needs one that
    exists), the hook's own example says the same, and install lines do not name a
    PyPI package that is not published."""
    revs = re.findall(r"^\s*rev: (\S+)", README, re.M)
    assert revs
    hooks_file = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    assert re.findall(r"rev: (\S+)", hooks_file) == revs[:1]
    assert "pre-commit autoupdate" in README and "language_version: python3" in README
    assert not re.search(r"pip install shutdownlint\b", README)
    for rev in revs:
        assert re.fullmatch(r"[0-9a-f]{40}", rev), rev
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        return
    shallow = subprocess.run(
        ["git", "rev-parse", "--is-shallow-repository"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout.strip()
    if shallow == "true":
        return  # the pinned commit may lie below the clone's depth
    for rev in revs:
        exists = subprocess.run(
            ["git", "cat-file", "-e", f"{rev}^{{commit}}"], cwd=ROOT, timeout=60
        )
        assert exists.returncode == 0, f"{rev} is not a commit of this repository"
        has_hook = subprocess.run(
            ["git", "cat-file", "-e", f"{rev}:.pre-commit-hooks.yaml"], cwd=ROOT, timeout=60
        )
        assert has_hook.returncode == 0, f"{rev} has no .pre-commit-hooks.yaml"
