#!/usr/bin/env python3
"""Language-server latency: time from didChange to publishDiagnostics.

    python benchmarks/lsp_latency.py [--file PATH] [--edits N] [--code-edits N]
                                     [--debounce MS] [--json PATH]

Starts the `shutdownlint server` console script over stdio with a real LSP client (pygls),
opens a copy of FILE (default: the standard library's asyncio/base_events.py,
about 2,000 lines of concurrency code) in a temporary workspace whose
pyproject.toml selects every rule, and measures:

- cold: didOpen -> first publishDiagnostics (the server warms up at initialize);
- single edit (warm): one incremental change after a quiet spell, as when a fix is
  applied or a line pasted -> its publishDiagnostics. The server checks the first
  change after a quiet spell at once, so this is the check itself plus protocol;
- single code edit (warm): the same, for an edit of the code itself: a small integer
  constant inside a function body (the first one in the file) goes up by one and back
  down, alternately, so the analysis has something new to look at every time (a
  comment edit leaves the code as it was, which the server may notice);
- typing burst: five changes 50 ms apart -> publishDiagnostics of the last one,
  which is debounce + check (the earlier four are never checked);
- the server's own CPU time per check (it logs timings when asked), which other
  load on the machine does not inflate the way it inflates wall times.

Prints min / median / p90 / max in milliseconds. Comment edits (the single edits and
the bursts) alternate between adding and removing a character in a comment, so the
findings stay the same.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import json
import math
import os
import platform
import re
import statistics
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

DEFAULT_FILE = Path(sysconfig.get_paths()["stdlib"]) / "asyncio" / "base_events.py"


class Client(LanguageClient):
    def __init__(self) -> None:
        super().__init__("shutdownlint-latency", "1")
        self.published: dict[int | None, tuple[float, int]] = {}
        self.arrived = asyncio.Event()
        self.cpu: dict[int, float] = {}  # version -> the server's CPU time for its check


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples) or [math.nan]
    return {
        "n": len(samples),
        "min_ms": round(ordered[0], 1),
        "median_ms": round(statistics.median(ordered), 1),
        "p90_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))], 1),
        "max_ms": round(ordered[-1], 1),
    }


async def wait_for(client: Client, version: int, timeout: float = 120) -> float:
    async def wait() -> float:
        while version not in client.published:
            client.arrived.clear()
            await client.arrived.wait()
        return client.published[version][0]

    return await asyncio.wait_for(wait(), timeout)


def edit(client: Client, uri: str, version: int, row: int, add: bool) -> float:
    """Add or remove one character at the end of comment line `row`; returns when sent."""
    start = types.Position(row, 1)
    change = types.TextDocumentContentChangePartial(
        range=types.Range(start, start if add else types.Position(row, 2)),
        text="x" if add else "",
    )
    sent = time.perf_counter()
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(version, uri), [change]
        )
    )
    return sent


def code_constant(text: str) -> tuple[int, int, int]:
    """(0-based row, column, value) of the first integer constant 1-8 written as one digit
    inside a function body: going up by one keeps the text's length and positions."""
    lines = text.splitlines()
    for function in ast.walk(ast.parse(text)):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if (
                isinstance(node, ast.Constant)
                and type(node.value) is int
                and 1 <= node.value <= 8
                and node.end_lineno == node.lineno
                and node.end_col_offset == node.col_offset + 1
                and lines[node.lineno - 1].isascii()
            ):
                return node.lineno - 1, node.col_offset, node.value
    raise SystemExit("no small integer constant inside a function body to edit")


def code_edit(client: Client, uri: str, version: int, where: tuple[int, int], digit: int) -> float:
    """Write `digit` over the one-digit constant at `where`; returns when sent."""
    row, column = where
    change = types.TextDocumentContentChangePartial(
        range=types.Range(types.Position(row, column), types.Position(row, column + 1)),
        text=str(digit),
    )
    sent = time.perf_counter()
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(version, uri), [change]
        )
    )
    return sent


async def measure(args: argparse.Namespace) -> dict:
    source = args.file.read_text(encoding="utf-8")
    # A comment line to edit: appended, so the analysed code is the file's own.
    text = source.rstrip("\n") + "\n#\n"
    row = text.count("\n") - 1
    client = Client()

    @client.feature(types.WINDOW_LOG_MESSAGE)
    def logged(params: types.LogMessageParams) -> None:
        match = re.search(r" v(\d+) in [\d.]+ ms \(CPU ([\d.]+) ms\)", params.message)
        if match:
            client.cpu[int(match.group(1))] = float(match.group(2))

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def published(params: types.PublishDiagnosticsParams) -> None:
        client.published[params.version] = (time.perf_counter(), len(params.diagnostics))
        client.arrived.set()

    with tempfile.TemporaryDirectory() as tmp:
        workspace = Path(tmp)
        (workspace / "pyproject.toml").write_text('[tool.shutdownlint]\nselect = ["SDL"]\n')
        path = workspace / args.file.name
        path.write_text(text, encoding="utf-8")
        uri = path.as_uri()
        # The console script, never plain `python -m` (it imports from the working folder).
        script = Path(sys.executable).with_name("shutdownlint")
        server = [str(script)] if script.exists() else [sys.executable, "-P", "-m", "shutdownlint"]
        await client.start_io(*server, "server")
        await client.initialize_async(
            types.InitializeParams(
                capabilities=types.ClientCapabilities(),
                root_uri=workspace.as_uri(),
                initialization_options={"debounce": args.debounce, "timings": True},
            )
        )
        client.initialized(types.InitializedParams())
        await asyncio.sleep(args.quiet)  # let the warm-up finish, as an editor's start-up would
        opened = time.perf_counter()
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "python", 1, text))
        )
        cold = (await wait_for(client, 1) - opened) * 1000
        findings = client.published[1][1]

        version, single, single_cpu = 1, [], []
        for i in range(args.edits):
            await asyncio.sleep(args.quiet)
            version += 1
            sent = edit(client, uri, version, row, add=i % 2 == 0)
            single.append((await wait_for(client, version) - sent) * 1000)
            single_cpu.append(client.cpu.get(version, math.nan))

        row_c, column_c, value = code_constant(text)
        code, code_cpu = [], []
        for i in range(args.code_edits):
            await asyncio.sleep(args.quiet)
            version += 1
            digit = value + 1 if i % 2 == 0 else value
            sent = code_edit(client, uri, version, (row_c, column_c), digit)
            code.append((await wait_for(client, version) - sent) * 1000)
            code_cpu.append(client.cpu.get(version, math.nan))
        if args.code_edits % 2:  # back to the file's own text for the bursts
            await asyncio.sleep(args.quiet)
            version += 1
            code_edit(client, uri, version, (row_c, column_c), value)
            await wait_for(client, version)

        burst = []
        for _ in range(args.bursts):
            await asyncio.sleep(args.quiet)
            for j in range(5):
                version += 1
                sent = edit(client, uri, version, row, add=j % 2 == 0)
                if j < 4:
                    await asyncio.sleep(0.05)
            burst.append((await wait_for(client, version) - sent) * 1000)
        checked = [v for v in client.published if v is not None]

        await client.shutdown_async(None)
        client.exit(None)
        await client.stop()

    return {
        "file": str(args.file),
        "lines": source.count("\n"),
        "findings": findings,
        "debounce_ms": args.debounce,
        "cold_open_ms": round(cold, 1),
        "single_edit_warm": summary(single),
        "single_edit_server_cpu": summary([c for c in single_cpu if not math.isnan(c)]),
        "code_edit": f"line {row_c + 1}: {value} -> {value + 1} and back",
        "single_code_edit_warm": summary(code),
        "single_code_edit_server_cpu": summary([c for c in code_cpu if not math.isnan(c)]),
        "typing_burst_last_change": summary(burst),
        "versions_checked": len(checked),
        "versions_sent": version,
        "python": platform.python_version(),
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--edits", type=int, default=30, help="single edits to time")
    parser.add_argument(
        "--code-edits", type=int, help="single code edits to time (default: as --edits)"
    )
    parser.add_argument("--bursts", type=int, default=5, help="typing bursts to time")
    parser.add_argument("--debounce", type=int, default=300, help="server debounce in ms")
    parser.add_argument("--quiet", type=float, default=1.0, help="seconds between edits")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args(argv)
    if args.code_edits is None:
        args.code_edits = args.edits
    figures = asyncio.run(measure(args))
    single, burst = figures["single_edit_warm"], figures["typing_burst_last_change"]
    print(f"{figures['file']}: {figures['lines']} lines, {figures['findings']} findings")
    print(f"cold open -> diagnostics: {figures['cold_open_ms']} ms")
    cpu = figures["single_edit_server_cpu"]
    for label, s in (
        ("single comment edit (warm)", single),
        ("  server CPU time per check", cpu),
        ("single code edit (warm)", figures["single_code_edit_warm"]),
        ("  server CPU time per check", figures["single_code_edit_server_cpu"]),
        ("typing burst, last change", burst),
    ):
        print(
            f"{label}: median {s['median_ms']} ms, p90 {s['p90_ms']} ms, "
            f"min {s['min_ms']} ms, max {s['max_ms']} ms (n={s['n']})"
        )
    print(f"code edit: {figures['code_edit']}")
    print(f"versions checked: {figures['versions_checked']} of {figures['versions_sent']} sent")
    load = ", ".join(f"{x:.2f}" for x in figures["load_average"])
    print(f"{figures['cpus']} CPUs, load average {load} (other processes inflate wall times)")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
