#!/usr/bin/env python3
"""Where the language server's check of one edit goes, phase by phase, in CPU time.

    python benchmarks/lsp_profile.py [--file PATH] [--checks N] [--edit code|comment]

Runs the server's own check path in this process (`lsp._warm_up`, then for each
version `build_settings` and `incremental.check_text` with the previous version's
analysis, as `ShutdownlintServer._check` does) on a copy of FILE (default: the standard
library's asyncio/base_events.py) in a temporary workspace that selects every rule.
Versions alternate a one-digit constant inside a function body (`--edit code`) or a
character in a comment (`--edit comment`), as `lsp_latency.py` does. Prints the CPU
time per check and `check --profile`'s table, with times taken on the checking
thread's CPU clock (wall times are inflated by other load on the machine).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsp_latency import DEFAULT_FILE, code_constant

from shutdownlint import incremental, lsp, profile
from shutdownlint.config import build_settings


def versions(text: str, edit: str) -> tuple[str, str]:
    """Two texts to alternate between."""
    if edit == "comment":
        return text + "#\n", text + "#x\n"
    row, column, value = code_constant(text)
    lines = text.splitlines(keepends=True)
    line = lines[row]
    other = line[:column] + str(value + 1) + line[column + 1 :]
    return text, "".join([*lines[:row], other, *lines[row + 1 :]])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--checks", type=int, default=10)
    parser.add_argument("--edit", choices=("code", "comment"), default="code")
    args = parser.parse_args(argv)
    source = args.file.read_text(encoding="utf-8").rstrip("\n") + "\n"
    texts = versions(source, args.edit)
    with tempfile.TemporaryDirectory() as tmp:
        workspace = Path(tmp)
        (workspace / "pyproject.toml").write_text('[tool.shutdownlint]\nselect = ["SDL"]\n')
        path = workspace / args.file.name
        path.write_text(texts[0], encoding="utf-8")
        lsp._warm_up()  # as the server does at initialize
        analysed = None
        for i in range(2):  # the document opened and edited once: a warm server
            analysed = incremental.check_text(texts[i], path, build_settings([path]), analysed)
            analysed = analysed.analysed
        profile._clock = time.thread_time  # the checking thread's CPU, not wall time
        timing = profile.Profile()
        cpu = []
        with profile.activated(timing):
            for i in range(args.checks):
                started = time.process_time()
                with timing.file(path):
                    outcome = incremental.check_text(
                        texts[i % 2], path, build_settings([path]), analysed
                    )
                cpu.append((time.process_time() - started) * 1000)
                analysed = outcome.analysed
                if analysed is not None:
                    analysed.layout()  # done after publishing, off the measured check
    print(
        f"{args.file}: {args.checks} {args.edit} edits, CPU per check: median "
        f"{statistics.median(cpu):.1f} ms, min {min(cpu):.1f} ms, max {max(cpu):.1f} ms"
    )
    table = timing.report(sum(cpu) / 1000).split("slowest")[0].rstrip()
    print(table.replace("s wall time", "s CPU time"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
