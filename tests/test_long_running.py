"""A long-running process (the language server) keeps no analysed tree alive after a
check: memory stays flat however many times a buffer is checked (SPEC §7)."""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path

from astroid import nodes

from shutdownlint import runner
from shutdownlint.config import Overrides, build_settings

from .conftest import BAD


def live_trees(path: Path) -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, nodes.Module) and o.file == str(path))


def test_repeated_checks_keep_no_tree_alive(tmp_path: Path) -> None:
    settings = build_settings([tmp_path], isolated=True, overrides=Overrides(select=["SDL"]))
    sources = {
        tmp_path / "fetcher.py": BAD,
        # A large concurrency-heavy module: its classes go through astroid's
        # metaclass and object-model lookups, whose caches are keyed by nodes.
        tmp_path / "base_events.py": (
            Path(asyncio.__file__).with_name("base_events.py").read_text(encoding="utf-8")
        ),
    }
    for path, text in sources.items():
        for i in range(3):
            runner.check_text(f"{text}\n# edit {i}\n", path, settings)
        # At most the last tree: astroid's object-model singletons (ClassDef's
        # `special_attributes`) remember the last node they were bound to.
        assert live_trees(path.resolve()) <= 1, path.name
