"""The language server (SPEC §6), end to end: pytest-lsp starts `python -m shutdownlint
server` as a subprocess and drives it as an editor would, over stdio."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

pytest_lsp = pytest.importorskip("pytest_lsp", reason="pytest-lsp (a test extra) is not installed")

from lsprotocol import types  # noqa: E402
from pygls.protocol import default_converter  # noqa: E402
from pytest_lsp import (  # noqa: E402
    ClientServerConfig,
    LanguageClient,
    client_capabilities,
)
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features  # noqa: E402

from shutdownlint.findings import Edit, Location  # noqa: E402
from shutdownlint.fixes import apply_edits  # noqa: E402

from .conftest import BAD, MONITOR  # noqa: E402

SERVER = [sys.executable, "-m", "shutdownlint", "server"]
PUT_ROW = 10  # 0-based LSP line of the put in BAD
FIXED = BAD.replace("put(page)", "put(page, timeout=5.0)")
# The put after an emoji on the same line: UTF-16 columns differ from code points.
EMOJI_BAD = BAD.replace(
    "            self.results.put(page)",
    "            tag = '😀'; self.results.put(page)",
)


def _published(client: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
    client.diagnostics[params.uri] = params.diagnostics
    client.published.append(params)  # type: ignore[attr-defined]


def _register(client: LanguageClient, params: types.RegistrationParams) -> None:
    client.registrations.extend(params.registrations)  # type: ignore[attr-defined]


def make_client() -> LanguageClient:
    """pytest-lsp's test client, also keeping every publishDiagnostics in order and the
    capabilities the server registers."""
    client = LanguageClient(converter_factory=default_converter)
    client.published = []  # type: ignore[attr-defined]
    client.registrations = []  # type: ignore[attr-defined]
    features = {
        **DEFAULT_CLIENT_FEATURES,
        types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS: _published,
        types.CLIENT_REGISTER_CAPABILITY: _register,
    }
    register_lsp_features(client, features)
    return client


CONFIG = ClientServerConfig(server_command=SERVER, client_factory=make_client)


async def start(client: LanguageClient, workspace: Path, editor: str, **options) -> None:
    await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities(editor),
            root_uri=workspace.as_uri(),
            workspace_folders=[types.WorkspaceFolder(workspace.as_uri(), "ws")],
            initialization_options=options or None,
        )
    )


@pytest_lsp.fixture(config=CONFIG)
async def client(lsp_client: LanguageClient, tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text("[tool.shutdownlint]\n", encoding="utf-8")
    await start(lsp_client, tmp_path, "visual-studio-code")
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=CONFIG)
async def neovim(lsp_client: LanguageClient, tmp_path: Path):
    await start(lsp_client, tmp_path, "neovim", debounce=50, timings=True)
    yield
    await lsp_client.shutdown_session()


async def diagnostics_for(
    client: LanguageClient, uri: str, version: int | None, timeout: float = 30
) -> list[types.Diagnostic]:
    """Wait for the diagnostics published for `uri` at `version`."""

    async def wait() -> list[types.Diagnostic]:
        while True:
            for params in reversed(client.published):
                if params.uri == uri and params.version == version:
                    return list(params.diagnostics)
            await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)

    return await asyncio.wait_for(wait(), timeout)


def open_file(client: LanguageClient, path: Path, text: str, version: int = 1) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "python", version, text))
    )
    return uri


def change(client: LanguageClient, uri: str, version: int, text: str) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(version, uri),
            [types.TextDocumentContentChangeWholeDocument(text)],
        )
    )


def apply_workspace_edit(text: str, edit: types.WorkspaceEdit, uri: str) -> str:
    """Apply a WorkspaceEdit the way an editor does (UTF-16 positions on one file)."""
    if edit.document_changes is not None:
        [change] = edit.document_changes
        assert isinstance(change, types.TextDocumentEdit)
        assert change.text_document.uri == uri
        text_edits = change.edits
    else:
        assert edit.changes is not None
        text_edits = edit.changes[uri]
    lines = text.splitlines(keepends=True)

    def column(row: int, units: int) -> int:  # UTF-16 units -> code points
        line = lines[row] if row < len(lines) else ""
        count = 0
        for i, char in enumerate(line):
            if count >= units:
                return i
            count += 2 if ord(char) > 0xFFFF else 1
        return len(line)

    edits = [
        Edit(
            e.new_text,
            Location(
                e.range.start.line + 1, column(e.range.start.line, e.range.start.character) + 1
            ),
            Location(e.range.end.line + 1, column(e.range.end.line, e.range.end.character) + 1),
        )
        for e in text_edits
    ]
    return apply_edits(text, edits)


async def actions_at(
    client: LanguageClient, uri: str, diagnostic: types.Diagnostic
) -> list[types.CodeAction]:
    result = await client.text_document_code_action_async(
        types.CodeActionParams(
            types.TextDocumentIdentifier(uri),
            diagnostic.range,
            types.CodeActionContext([diagnostic]),
        )
    )
    assert result is not None
    return [a for a in result if isinstance(a, types.CodeAction)]


# -- the scenario --------------------------------------------------------------
@pytest.mark.asyncio
async def test_open_diagnose_fix_and_see_it_go(client: LanguageClient, tmp_path: Path) -> None:
    uri = open_file(client, tmp_path / "fetcher.py", BAD)
    [diagnostic] = await diagnostics_for(client, uri, 1)
    assert diagnostic.code == "SDL301"
    assert diagnostic.source == "shutdownlint"
    assert diagnostic.severity == types.DiagnosticSeverity.Error
    assert "blocking-put-without-timeout" in diagnostic.message
    assert "can block forever" in diagnostic.message
    assert diagnostic.range == types.Range(
        types.Position(PUT_ROW, 12), types.Position(PUT_ROW, 12 + len("self.results.put(page)"))
    )
    assert diagnostic.code_description is not None
    assert diagnostic.code_description.href.endswith("/SDL301.md")
    related = diagnostic.related_information or []
    assert {r.location.range.start.line for r in related} == {5, 6}  # the queue, the thread
    assert all(r.location.uri == uri and r.message for r in related)

    actions = await actions_at(client, uri, diagnostic)
    titles = [a.title for a in actions]
    assert titles == [
        "Fix SDL301: pass `timeout=5.0` to `put()`: after 5.0 s it raises `queue.Full`, "
        "which the code has to handle (unsafe)",
        "Add `# noqa: SDL301`",
    ]
    fix = actions[0]
    assert fix.kind == types.CodeActionKind.QuickFix
    assert list(fix.diagnostics or []) == [diagnostic]
    assert fix.edit is not None
    fixed = apply_workspace_edit(BAD, fix.edit, uri)
    assert fixed == FIXED
    change(client, uri, 2, fixed)
    assert await diagnostics_for(client, uri, 2) == []


@pytest.mark.asyncio
async def test_quick_fix_writes_what_fix_writes_in_a_crlf_file(
    client: LanguageClient, tmp_path: Path
) -> None:
    """The quick fix and `check --fix` take their edits from one place: in a CRLF file
    both insert CRLF lines, and give the same text."""
    from shutdownlint.config import build_settings
    from shutdownlint.runner import fix_source

    source = MONITOR.replace("\n", "\r\n")
    path = tmp_path / "monitor.py"
    uri = open_file(client, path, source)
    [diagnostic] = await diagnostics_for(client, uri, 1)
    [fix] = [a for a in await actions_at(client, uri, diagnostic) if a.title.startswith("Fix")]
    assert fix.edit is not None
    quick = apply_workspace_edit(source, fix.edit, uri)
    assert "join(timeout=5.0)\r\n" in quick and "\n" not in quick.replace("\r\n", "")
    settings = build_settings([path], isolated=True)
    done = fix_source(source.encode(), path, settings, unsafe=True)
    assert done is not None and done[0].after == quick


@pytest.mark.asyncio
async def test_noqa_action_silences_the_finding(client: LanguageClient, tmp_path: Path) -> None:
    source = BAD.replace("put(page)", "put(page)  # noqa: E501")
    uri = open_file(client, tmp_path / "fetcher.py", source)
    [diagnostic] = await diagnostics_for(client, uri, 1)
    [noqa] = [a for a in await actions_at(client, uri, diagnostic) if "noqa" in a.title]
    assert noqa.edit is not None
    silenced = apply_workspace_edit(source, noqa.edit, uri)
    assert "put(page)  # noqa: E501, SDL301\n" in silenced
    change(client, uri, 2, silenced)
    assert await diagnostics_for(client, uri, 2) == []
    # A code action request away from any finding offers nothing.
    result = await client.text_document_code_action_async(
        types.CodeActionParams(
            types.TextDocumentIdentifier(uri),
            types.Range(types.Position(0, 0), types.Position(0, 1)),
            types.CodeActionContext([]),
        )
    )
    assert not result


# -- configuration ------------------------------------------------------------------
@pytest.mark.asyncio
async def test_reads_pyproject_and_picks_up_its_changes(
    client: LanguageClient, tmp_path: Path
) -> None:
    uri = open_file(client, tmp_path / "fetcher.py", BAD)
    assert [d.code for d in await diagnostics_for(client, uri, 1)] == ["SDL301"]
    # Registered on `initialized`, so before the first diagnostics arrive.
    [watcher] = [r for r in client.registrations if r.method == "workspace/didChangeWatchedFiles"]
    options = watcher.register_options
    assert "**/pyproject.toml" in str(options)

    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[tool.shutdownlint]\nextend-select = ["SDL302"]\n', encoding="utf-8")
    before = len(client.published)
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            [types.FileEvent(pyproject.as_uri(), types.FileChangeType.Changed)]
        )
    )
    while len(client.published) == before:
        await asyncio.wait_for(
            client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS), 30
        )
    codes = [(d.code, d.severity) for d in client.published[-1].diagnostics]
    assert codes == [
        ("SDL301", types.DiagnosticSeverity.Error),
        ("SDL302", types.DiagnosticSeverity.Warning),
    ]

    # A broken configuration is shown once, as a message naming the key.
    pyproject.write_text("[tool.shutdownlint]\nbogus = 1\n", encoding="utf-8")
    before = len(client.published)
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            [types.FileEvent(pyproject.as_uri(), types.FileChangeType.Changed)]
        )
    )
    while len(client.published) == before:
        await asyncio.wait_for(
            client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS), 30
        )
    assert not client.published[-1].diagnostics
    assert any("bogus" in m.message for m in client.messages)


@pytest.mark.skipif(sys.version_info >= (3, 14), reason="needs a target above the interpreter")
@pytest.mark.asyncio
async def test_a_target_newer_than_the_interpreter_is_one_message(
    client: LanguageClient, tmp_path: Path
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.shutdownlint]\ntarget-version = "py314"\n', encoding="utf-8"
    )
    first = open_file(client, tmp_path / "a.py", "type Pages = list[str]\n")
    second = open_file(client, tmp_path / "b.py", BAD)
    assert await diagnostics_for(client, first, 1) == []  # no SDL900 per file
    assert await diagnostics_for(client, second, 1) == []
    shown = [m.message for m in client.messages if "targets py314" in m.message]
    running = f"{sys.version_info[0]}.{sys.version_info[1]}"
    assert shown == [
        f"shutdownlint: {tmp_path / 'pyproject.toml'}: shutdownlint runs on Python {running}; "
        "the project targets py314: run shutdownlint with Python 3.14 or later"
    ]


@pytest.mark.asyncio
async def test_excluded_files_get_no_diagnostics(client: LanguageClient, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.shutdownlint]\nextend-exclude = ["generated"]\n', encoding="utf-8"
    )
    excluded = open_file(client, tmp_path / "generated" / "fetcher.py", BAD)
    assert await diagnostics_for(client, excluded, 1) == []
    included = open_file(client, tmp_path / "src" / "fetcher.py", BAD)
    assert [d.code for d in await diagnostics_for(client, included, 1)] == ["SDL301"]


# -- debounce, save, close ------------------------------------------------------------
@pytest.mark.asyncio
async def test_a_burst_of_changes_is_checked_once(client: LanguageClient, tmp_path: Path) -> None:
    uri = open_file(client, tmp_path / "fetcher.py", FIXED)
    assert await diagnostics_for(client, uri, 1) == []
    before = len(client.published)
    change(client, uri, 2, FIXED + "\n# 2\n")  # after a quiet spell: checked at once
    await diagnostics_for(client, uri, 2)
    for version in range(3, 8):  # typing: each change within the debounce of the last
        change(client, uri, version, BAD + f"\n# {version}\n")
        await asyncio.sleep(0.02)
    assert [d.code for d in await diagnostics_for(client, uri, 7)] == ["SDL301"]
    versions = [p.version for p in client.published[before:] if p.uri == uri]
    assert versions == [2, 7], versions  # 3 to 6 were cancelled before they ran


@pytest.mark.asyncio
async def test_save_rechecks_and_close_clears(client: LanguageClient, tmp_path: Path) -> None:
    uri = open_file(client, tmp_path / "fetcher.py", BAD)
    await diagnostics_for(client, uri, 1)
    before = len(client.published)
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(uri))
    )
    while len(client.published) == before:
        await asyncio.wait_for(
            client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS), 30
        )
    assert [d.code for d in client.published[-1].diagnostics] == ["SDL301"]
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri))
    )
    await asyncio.wait_for(
        client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS), 30
    )
    assert client.published[-1].uri == uri and not client.published[-1].diagnostics


# -- positions ----------------------------------------------------------------------
@pytest.mark.asyncio
async def test_columns_are_utf16_for_a_utf16_client(client: LanguageClient, tmp_path: Path) -> None:
    uri = open_file(client, tmp_path / "emoji.py", EMOJI_BAD)
    [diagnostic] = await diagnostics_for(client, uri, 1)
    prefix = "            tag = '😀'; "
    start = len(prefix.encode("utf-16-le")) // 2  # one more than the code points
    assert start == len(prefix) + 1
    assert diagnostic.range.start == types.Position(PUT_ROW, start)
    assert diagnostic.range.end == types.Position(PUT_ROW, start + len("self.results.put(page)"))
    [fix, _] = await actions_at(client, uri, diagnostic)
    assert fix.edit is not None
    assert apply_workspace_edit(EMOJI_BAD, fix.edit, uri) == EMOJI_BAD.replace(
        "put(page)", "put(page, timeout=5.0)"
    )


@pytest.mark.asyncio
async def test_columns_follow_the_negotiated_encoding(
    neovim: LanguageClient, tmp_path: Path
) -> None:
    # Neovim offers UTF-8 first; pygls takes it, and the columns count bytes.
    uri = open_file(neovim, tmp_path / "emoji.py", EMOJI_BAD)
    [diagnostic] = await diagnostics_for(neovim, uri, 1)
    prefix = "            tag = '😀'; "
    assert diagnostic.range.start == types.Position(PUT_ROW, len(prefix.encode("utf-8")))
    # Neovim's capabilities have no documentChanges: the edit comes as `changes`.
    [fix, _] = await actions_at(neovim, uri, diagnostic)
    assert fix.edit is not None and fix.edit.changes is not None
    # initializationOptions {"timings": true}: each check's time in the client's log.
    assert any(
        m.message.startswith("checked emoji.py v1 in ") and "CPU" in m.message
        for m in neovim.log_messages
    )


# -- incremental checks -----------------------------------------------------------------
@pytest.mark.asyncio
async def test_a_comment_edit_keeps_the_analysis_and_a_code_edit_does_not(
    neovim: LanguageClient, tmp_path: Path
) -> None:
    source = BAD.replace("    def close(self):", "    # shut down\n    def close(self):")
    uri = open_file(neovim, tmp_path / "fetcher.py", source)
    first = await diagnostics_for(neovim, uri, 1)
    assert [d.code for d in first] == ["SDL301"]
    change(neovim, uri, 2, source.replace("# shut down", "# shut it all down"))
    assert await diagnostics_for(neovim, uri, 2) == first
    change(neovim, uri, 3, source.replace("range(10)", "range(11)"))
    assert await diagnostics_for(neovim, uri, 3) == first
    # The previous version's analysis kept for the comment edit only (timings are on).
    logged = [m.message for m in neovim.log_messages if m.message.startswith("checked ")]
    kept = [m for m in logged if "comments only changed" in m]
    assert [m.split()[2] for m in kept] == ["v2"]


# -- protocol errors --------------------------------------------------------------------
@pytest.mark.asyncio
async def test_a_change_to_a_document_never_opened_is_logged_and_ignored(
    client: LanguageClient, tmp_path: Path
) -> None:
    never_opened = (tmp_path / "ghost.py").as_uri()
    change(client, never_opened, 2, BAD)
    # The server goes on: a document opened afterwards is checked as usual.
    uri = open_file(client, tmp_path / "fetcher.py", BAD)
    assert [d.code for d in await diagnostics_for(client, uri, 1)] == ["SDL301"]
    assert not [m for m in client.messages if m.type == types.MessageType.Error]
    assert any("ghost.py" in m.message and "never opened" in m.message for m in client.log_messages)


@pytest.mark.asyncio
async def test_a_request_with_invalid_params_gets_an_error_response(
    client: LanguageClient, tmp_path: Path
) -> None:
    from pygls.exceptions import JsonRpcException

    answer: asyncio.Future = asyncio.get_running_loop().create_future()
    client.protocol._request_futures["bad-params"] = answer
    client.protocol._send_data(
        {
            "jsonrpc": "2.0",
            "id": "bad-params",
            "method": "textDocument/codeAction",
            "params": {"textDocument": 5},
        }
    )
    with pytest.raises(JsonRpcException) as raised:
        await asyncio.wait_for(answer, 30)
    assert raised.value.code == -32602  # InvalidParams
    # ... and the server still answers.
    uri = open_file(client, tmp_path / "fetcher.py", BAD)
    assert [d.code for d in await diagnostics_for(client, uri, 1)] == ["SDL301"]
