#!/usr/bin/env python3
"""Language-server memory: resident set size over many edits of one file.

    python benchmarks/lsp_memory.py [--file PATH] [--edits 200] [--json PATH]

Starts the `shutdownlint server` console script with a real LSP client, opens a copy
of FILE (default: the standard library's asyncio/base_events.py, about 2,000 lines of
concurrency code) with every rule selected, and sends EDITS changes one after another,
each checked (debounce 0) before the next is sent. The changes edit code (a one-digit
constant inside a function body, up and back down, as lsp_latency's code edits), so
that every one is analysed: a comment edit keeps the previous analysis. Prints the
server's RSS after the open (edit 0) and after edits 50, 100, ... and the growth: a
server that keeps what it analysed grows by one tree per check (astroid 4.4 added a
node-keyed cache that did exactly that, about 2 MB a check). The target is under 20 MB
over 200 edits.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import sys
import tempfile
from pathlib import Path

from lsp_latency import DEFAULT_FILE, Client, code_constant, code_edit, wait_for
from lsprotocol import types


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS (Linux only)")


async def measure(args: argparse.Namespace) -> dict:
    text = args.file.read_text(encoding="utf-8").rstrip("\n") + "\n"
    row, column, value = code_constant(text)
    client = Client()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def published(params: types.PublishDiagnosticsParams) -> None:
        client.published[params.version] = (0.0, len(params.diagnostics))
        client.arrived.set()

    samples: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        workspace = Path(tmp)
        (workspace / "pyproject.toml").write_text('[tool.shutdownlint]\nselect = ["SDL"]\n')
        path = workspace / args.file.name
        path.write_text(text, encoding="utf-8")
        uri = path.as_uri()
        script = Path(sys.executable).with_name("shutdownlint")
        server = [str(script)] if script.exists() else [sys.executable, "-P", "-m", "shutdownlint"]
        await client.start_io(*server, "server")
        pid = client._server.pid  # the server subprocess pygls started
        await client.initialize_async(
            types.InitializeParams(
                capabilities=types.ClientCapabilities(),
                root_uri=workspace.as_uri(),
                initialization_options={"debounce": 0},
            )
        )
        client.initialized(types.InitializedParams())
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "python", 1, text))
        )
        await wait_for(client, 1)
        samples[0] = rss_mb(pid)
        for i in range(1, args.edits + 1):
            code_edit(client, uri, i + 1, (row, column), value + 1 if i % 2 else value)
            await wait_for(client, i + 1)
            if i % args.every == 0 or i == args.edits:
                samples[i] = rss_mb(pid)
        await client.shutdown_async(None)
        client.exit(None)
        await client.stop()
    return {
        "file": str(args.file),
        "edits": args.edits,
        "rss_mb": {str(k): round(v, 1) for k, v in samples.items()},
        "growth_mb": round(samples[args.edits] - samples[0], 1),
        "python": platform.python_version(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--edits", type=int, default=200)
    parser.add_argument("--every", type=int, default=50, help="sample RSS every N edits")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args(argv)
    figures = asyncio.run(measure(args))
    from importlib.metadata import version

    print(f"{figures['file']}: {args.edits} edits, astroid {version('astroid')}")
    print("RSS MB by edit: " + ", ".join(f"{k}: {v}" for k, v in figures["rss_mb"].items()))
    print(f"growth: {figures['growth_mb']} MB (target: under 20 MB)")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0 if figures["growth_mb"] < 20 else 1


if __name__ == "__main__":
    sys.exit(main())
