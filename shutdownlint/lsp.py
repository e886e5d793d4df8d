"""The language server: `shutdownlint server` speaks LSP on stdio (pygls).

- Diagnostics on open, change and save, each with the rule's code, name,
  severity, a link to its page (`codeDescription`) and the related locations that
  explain it (`relatedInformation`).
- Changes are debounced: the first change after a quiet spell is checked at once
  (so a single edit, such as an applied fix, shows its result quickly); changes
  that follow within `debounce` seconds (300 ms unless the client's
  `initializationOptions` say `{"debounce": <ms>}`) restart the timer, and only the
  last is checked. A check that a newer change has made stale is skipped before it
  starts, or its result dropped. With `{"timings": true}` each check's wall and CPU
  time go to the client's log (`window/logMessage`).
- An edit that changes only the text of existing comments keeps the previous
  version's analysis: its findings, with the new text's `# noqa` comments applied, are
  exactly a fresh check's (`incremental`, which says why); any other edit is checked
  from scratch.
- Checks run on one worker thread, off the event loop, so the server keeps
  answering while astroid works; one thread, because astroid's manager is
  process-wide state (`runner` evicts the project's modules after each check).
- Code actions: apply the rule's fix (its libcst edits, as a WorkspaceEdit) where
  it has one, taken from `fixes.finding_edits` exactly as `--fix` takes them (in
  the file's line endings; no action when the edit would not parse), and add
  `# noqa: CODE` on the finding's noqa row.
- Configuration: `[tool.shutdownlint]` of the nearest pyproject.toml above each
  document, read on every check, exactly as `shutdownlint check` reads it
  (excludes and per-file-ignores included). A change to a pyproject.toml (a
  watched-files event, which the server registers for, or its save in the editor)
  re-checks every open document. A configuration error is shown once as a message.
- Columns: findings count code points; LSP positions use the encoding negotiated
  at initialize (UTF-16 unless the client offers UTF-8 or UTF-32).

The analysed code is never imported or run: the buffer's text goes to the runner.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import math
import os
import sys
import time
import tokenize
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol, lsp_method
from pygls.uris import to_fs_path

from shutdownlint import __version__, incremental, runner
from shutdownlint.config import ConfigError, build_settings, require_interpreter
from shutdownlint.findings import Applicability, Edit, Finding, Location, source_lines
from shutdownlint.fixes import finding_edits, noqa_edit
from shutdownlint.report.options import documentation_url

SOURCE = "shutdownlint"
DEFAULT_DEBOUNCE = 0.3  # seconds
# The collector's thresholds for the server's lifetime (a batch run uses 50,000:
# parallel._GC_THRESHOLD): a check of a 2,000-line file allocates hundreds of
# thousands of short-lived nodes, and with the default first threshold (700) the
# collector runs hundreds of times per check, now and then a full pass (a quarter of
# the check's CPU when it does). The server keeps 10,000 because it also collects
# once after each check is published, and a long-lived process should not grow.
_GC_THRESHOLD = (10_000, 50, 50)
_PYTHON_SUFFIXES = (".py", ".pyi")

# Checked once at start-up on the worker thread, so that the first real check does
# not pay for building the standard library's concurrency modules.
_WARM_UP = """\
import asyncio, concurrent.futures, multiprocessing, queue, socket, threading

class _Warm:
    def __init__(self):
        self.q = queue.Queue(maxsize=1)
        self.t = threading.Thread(target=self.run)
        self.pool = concurrent.futures.ThreadPoolExecutor()

    def run(self):
        self.q.put(1)

    async def arun(self):
        await asyncio.Queue(maxsize=1).put(1)

    def close(self):
        self.t.join()
"""


@dataclass(frozen=True)
class Checked:
    """One check of one version of a document."""

    version: int | None
    text: str
    findings: tuple[Finding, ...] = ()
    diagnostics: tuple[types.Diagnostic, ...] = ()
    error: str | None = None  # a configuration or internal error, shown as a message
    warnings: tuple[str, ...] = ()
    timing: str = ""  # "checked ... in N ms (CPU M ms)"


@dataclass
class _State:
    """What the server tracks per open document."""

    timer: asyncio.TimerHandle | None = None
    last_change: float = -math.inf
    wanted: int | None = None  # the version the latest scheduled check is for
    checked: Checked | None = None
    # The last check's findings before noqa (worker thread only), for the next version.
    analysed: incremental.Analysed | None = None
    tasks: set[asyncio.Future] = field(default_factory=set)


# What `structure_message` returns for a message it has already answered (or dropped).
_HANDLED = object()


class _Protocol(LanguageServerProtocol):
    """pygls' protocol, with two client mistakes answered rather than shown to the user
    as an error popup: a change to a document that was never opened (logged, ignored)
    and a message whose params do not fit its method (a request gets the JSON-RPC
    InvalidParams error response; a notification is logged and dropped)."""

    def structure_message(self, data: dict[str, Any]) -> Any:
        try:
            return super().structure_message(data)
        except JsonRpcException as error:
            if not isinstance(data, dict) or "method" not in data:
                raise
            method = data.get("method")
            self._log(f"{method}: invalid params: {error.message}")
            if "id" in data:
                self._send_response(data["id"], None, error.to_response_error())
            return _HANDLED

    def handle_message(self, message: Any) -> None:
        if message is not _HANDLED:
            super().handle_message(message)

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams) -> Any:
        uri = params.text_document.uri
        if unquote(uri) not in self.workspace.text_documents:  # as pygls keys them
            self._log(f"didChange for {uri}, a document never opened: ignored")
            return None
        return (yield from super().lsp_text_document__did_change(params))

    def _log(self, message: str) -> None:
        params = types.LogMessageParams(types.MessageType.Warning, f"shutdownlint: {message}")
        self.notify(types.WINDOW_LOG_MESSAGE, params)


class ShutdownlintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            SOURCE,
            __version__,
            protocol_cls=_Protocol,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
        )
        self.debounce = DEFAULT_DEBOUNCE
        self.timings = False
        self.encoding = "utf-16"
        self.documents: dict[str, _State] = {}
        self._checker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="shutdownlint-check")
        self._shown_errors: set[str] = set()

    # -- scheduling (event loop) ------------------------------------------------------
    def schedule(self, uri: str, delay: float) -> None:
        """Check `uri` after `delay` seconds; a check already pending for it is cancelled."""
        state = self.documents.get(uri)
        if state is None:
            return
        if state.timer is not None:
            state.timer.cancel()
        state.wanted = self.workspace.get_text_document(uri).version
        state.timer = asyncio.get_running_loop().call_later(delay, self._start, uri)

    def changed(self, uri: str) -> None:
        """A change: checked at once after a quiet spell, else debounced."""
        state = self.documents.get(uri)
        if state is None:
            return
        now = asyncio.get_running_loop().time()
        quiet = now - state.last_change >= self.debounce and state.timer is None
        state.last_change = now
        self.schedule(uri, 0 if quiet else self.debounce)

    def recheck_all(self, delay: float = 0) -> None:
        for uri in self.documents:
            self.schedule(uri, delay)

    def _start(self, uri: str) -> None:
        state = self.documents.get(uri)
        if state is None:
            return
        state.timer = None
        task = asyncio.ensure_future(self.check(uri, publish=True))
        state.tasks.add(task)
        task.add_done_callback(state.tasks.discard)

    async def check(self, uri: str, publish: bool, force: bool = False) -> Checked | None:
        """Check the document's current text on the worker thread; publish the result
        unless the document changed meanwhile."""
        document = self.workspace.get_text_document(uri)
        version, text = document.version, document.source
        state = self.documents.get(uri)
        if state is None:
            return None
        if force:
            state.wanted = version
        loop = asyncio.get_running_loop()
        checked = await loop.run_in_executor(
            self._checker,
            self._check,
            uri,
            document_path(uri, self.workspace.root_path),
            text,
            version,
        )
        state = self.documents.get(uri)
        if checked is None or state is None:
            return None
        if self.workspace.get_text_document(uri).version != version:
            return None  # stale: a newer check is scheduled
        state.checked = checked
        for warning in checked.warnings:
            self.window_log_message(types.LogMessageParams(types.MessageType.Warning, warning))
        if self.timings:
            self.window_log_message(types.LogMessageParams(types.MessageType.Log, checked.timing))
        if checked.error is not None and checked.error not in self._shown_errors:
            self._shown_errors.add(checked.error)
            self.window_show_message(
                types.ShowMessageParams(types.MessageType.Error, f"shutdownlint: {checked.error}")
            )
        if publish:
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri, list(checked.diagnostics), version)
            )
        with contextlib.suppress(RuntimeError):  # the server is shutting down
            self._checker.submit(_after_check, state.analysed)
        return checked

    async def current(self, uri: str) -> Checked | None:
        """The check of the document's current version (checking it now if need be)."""
        state = self.documents.get(uri)
        if state is None:
            return None
        version = self.workspace.get_text_document(uri).version
        if state.checked is not None and state.checked.version == version:
            return state.checked
        return await self.check(uri, publish=True, force=True)

    def forget(self, uri: str) -> None:
        state = self.documents.pop(uri, None)
        if state is not None and state.timer is not None:
            state.timer.cancel()

    def config_changed(self) -> None:
        self._shown_errors.clear()
        self.recheck_all()

    def warm_up(self) -> None:
        self._checker.submit(_warm_up)

    def stop_checking(self) -> None:
        for uri in list(self.documents):
            self.forget(uri)
        self._checker.shutdown(wait=False, cancel_futures=True)

    # -- checking (worker thread) --------------------------------------------------------
    def _check(self, uri: str, path: Path, text: str, version: int | None) -> Checked | None:
        state = self.documents.get(uri)
        if state is None or state.wanted != version:
            return None  # superseded before it started
        # Process CPU: the check itself runs on a thread of its own (engine headroom).
        started, cpu = time.perf_counter(), time.process_time()
        try:
            settings = build_settings([path])
            require_interpreter(settings)
            checked = incremental.check_text(text, path, settings, state.analysed)
        except ConfigError as e:
            return Checked(version, text, error=str(e))
        except Exception as e:  # noqa: BLE001 - the server must outlive any one check
            return Checked(version, text, error=f"internal error: {type(e).__name__}: {e}")
        # The basis for the next version's check (this one's, even if it goes stale).
        state.analysed = checked.analysed
        outcome = checked.run
        findings = tuple(outcome.findings)
        lines = source_lines(text)
        own = os.path.abspath(path)  # as findings name their file: links unresolved
        converter = _Positions(self.encoding, {own: (uri, lines)})
        diagnostics = tuple(diagnostic(f, converter) for f in findings)
        timing = (
            f"checked {path.name} v{version} in {(time.perf_counter() - started) * 1000:.1f} ms "
            f"(CPU {(time.process_time() - cpu) * 1000:.1f} ms)"
            + (": comments only changed, the previous analysis kept" if checked.reused else "")
        )
        return Checked(
            version, text, findings, diagnostics, warnings=tuple(outcome.warnings), timing=timing
        )


def _after_check(analysed: incremental.Analysed | None) -> None:
    """What a check leaves to do once its diagnostics are out, on the worker thread:
    tokenize the analysed text (where its comments are), so that the next comment edit
    need not (~20 ms), and collect the check's trees. With the first threshold at
    10,000 the collector seldom runs during a check, and the trees, promoted while the
    check used them, would wait for a rare full pass: the resident set grew by 50 MB
    over 40 edits of a 2,000-line file."""
    if analysed is not None:
        analysed.layout()
    gc.collect()


def _warm_up() -> None:
    try:
        settings = build_settings([], isolated=True)
        runner.check_text(_WARM_UP, settings.root / "__shutdownlint_warm_up__.py", settings)
    except Exception:  # noqa: BLE001, S110 - warming up is an optimisation only
        pass
    # The standard library's trees now stay for the server's lifetime: keep the
    # garbage collector's full passes from walking them on every later check (they
    # cost up to a quarter of a second on a 2,000-line file).
    gc.collect()
    gc.freeze()
    gc.set_threshold(*_GC_THRESHOLD)


def document_path(uri: str, root: str | None) -> Path:
    """Where the document lives (or would live: an unsaved buffer gets a name in the
    workspace, so the workspace's configuration applies to it)."""
    path = to_fs_path(uri) if uri.startswith("file:") else None
    if path:
        return Path(path)
    return Path(root or Path.cwd()) / "untitled.py"


# -- positions --------------------------------------------------------------------
def _units(text: str, encoding: str) -> int:
    """The length of `text` in the negotiated position encoding's code units."""
    if encoding == "utf-32":
        return len(text)
    if encoding == "utf-8":
        return len(text.encode("utf-8", "surrogatepass"))
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


class _Positions:
    """Code-point locations -> LSP positions, per file (other files read on demand)."""

    def __init__(self, encoding: str, known: dict[str, tuple[str, list[str]]]) -> None:
        self.encoding = encoding
        self.files = dict(known)  # filename -> (uri, lines)

    def _file(self, filename: str) -> tuple[str, list[str]]:
        if filename not in self.files:
            try:
                with tokenize.open(filename) as f:  # decoded as Python does
                    lines = source_lines(f.read())
            except (OSError, SyntaxError, UnicodeDecodeError):
                lines = []
            self.files[filename] = (Path(filename).as_uri(), lines)
        return self.files[filename]

    def uri(self, filename: str) -> str:
        return self._file(filename)[0]

    def position(self, filename: str, location: Location) -> types.Position:
        lines = self._file(filename)[1]
        row = max(location.row - 1, 0)
        if row >= len(lines):  # past the last line (an edit at the very end)
            return types.Position(len(lines), 0)
        prefix = lines[row][: max(location.column - 1, 0)]
        return types.Position(row, _units(prefix, self.encoding))

    def range(self, filename: str, start: Location, end: Location) -> types.Range:
        return types.Range(self.position(filename, start), self.position(filename, end))


def diagnostic(finding: Finding, positions: _Positions) -> types.Diagnostic:
    url = documentation_url(finding.code)
    message = f"{finding.message} ({finding.name})"
    if finding.fix is not None:
        message += f"\nhelp: {finding.fix.message}"
    related = [
        types.DiagnosticRelatedInformation(
            types.Location(
                positions.uri(r.filename), positions.range(r.filename, r.location, r.end_location)
            ),
            r.message,
        )
        for r in finding.related
    ]
    return types.Diagnostic(
        range=positions.range(finding.filename, finding.location, finding.end_location),
        message=message,
        severity=(
            types.DiagnosticSeverity.Warning
            if finding.severity == "warning"
            else types.DiagnosticSeverity.Error
        ),
        code=finding.code,
        code_description=types.CodeDescription(href=url) if url else None,
        source=SOURCE,
        related_information=related or None,
        data={"name": finding.name},
    )


# -- code actions -------------------------------------------------------------------
def _overlaps(a: types.Range, b: types.Range) -> bool:
    def key(p: types.Position) -> tuple[int, int]:
        return (p.line, p.character)

    return not (key(a.end) < key(b.start) or key(b.end) < key(a.start))


def _workspace_edit(
    ls: ShutdownlintServer, uri: str, version: int | None, edits: list[types.TextEdit]
) -> types.WorkspaceEdit:
    capabilities = ls.client_capabilities.workspace
    if (
        capabilities
        and capabilities.workspace_edit
        and capabilities.workspace_edit.document_changes
    ):
        identifier = types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version)
        return types.WorkspaceEdit(
            document_changes=[types.TextDocumentEdit(text_document=identifier, edits=edits)]
        )
    return types.WorkspaceEdit(changes={uri: edits})


def code_actions(
    ls: ShutdownlintServer, uri: str, checked: Checked, params: types.CodeActionParams
) -> list[types.CodeAction]:
    only = params.context.only
    if only and not any(
        types.CodeActionKind.QuickFix.value.startswith(str(getattr(k, "value", k))) for k in only
    ):
        return []
    positions = _Positions(ls.encoding, {})
    actions = []
    for finding, diag in zip(checked.findings, checked.diagnostics, strict=True):
        if not _overlaps(diag.range, params.range):
            continue
        # Edits are made against the text that was checked (the current version).
        positions.files[finding.filename] = (uri, source_lines(checked.text))
        fix = finding.fix
        # The edits `--fix` would write: in the file's line endings, and never code that
        # does not parse.
        fix_edits = finding_edits(checked.text, finding)
        if fix is not None and fix_edits:
            unsafe = fix.applicability is not Applicability.SAFE
            edits = _text_edits(positions, finding.filename, fix_edits)
            actions.append(
                types.CodeAction(
                    title=f"Fix {finding.code}: {fix.message}" + (" (unsafe)" if unsafe else ""),
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diag],
                    edit=_workspace_edit(ls, uri, checked.version, edits),
                    is_preferred=not unsafe,
                )
            )
        noqa = noqa_edit(checked.text, finding.noqa_row, finding.code) if finding.noqa_row else None
        if noqa is not None:
            edits = _text_edits(positions, finding.filename, [noqa])
            actions.append(
                types.CodeAction(
                    title=f"Add `# noqa: {finding.code}`",
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diag],
                    edit=_workspace_edit(ls, uri, checked.version, edits),
                )
            )
    return actions


def _text_edits(
    positions: _Positions, filename: str, edits: Sequence[Edit]
) -> list[types.TextEdit]:
    return [
        types.TextEdit(positions.range(filename, e.location, e.end_location), e.content)
        for e in edits
    ]


# -- the server ---------------------------------------------------------------------
def _is_python(document: types.TextDocumentItem) -> bool:
    return document.language_id == "python" or document.uri.endswith(_PYTHON_SUFFIXES)


def _is_pyproject(uri: str) -> bool:
    return uri.rsplit("/", 1)[-1] == "pyproject.toml"


def make_server() -> ShutdownlintServer:
    server = ShutdownlintServer()

    @server.feature(types.INITIALIZE)
    def initialize(ls: ShutdownlintServer, params: types.InitializeParams) -> None:
        encoding = ls.workspace.position_encoding or types.PositionEncodingKind.Utf16
        ls.encoding = str(getattr(encoding, "value", encoding))
        options = params.initialization_options
        if isinstance(options, dict) and isinstance(options.get("debounce"), int | float):
            ls.debounce = max(0.0, float(options["debounce"]) / 1000)
        if isinstance(options, dict):
            ls.timings = options.get("timings") is True
        ls.warm_up()

    @server.feature(types.INITIALIZED)
    def initialized(ls: ShutdownlintServer, params: types.InitializedParams) -> None:
        workspace = ls.client_capabilities.workspace
        watched = workspace.did_change_watched_files if workspace else None
        if watched is None or not watched.dynamic_registration:
            return
        options = types.DidChangeWatchedFilesRegistrationOptions(
            watchers=[types.FileSystemWatcher(glob_pattern="**/pyproject.toml")]
        )
        registration = types.Registration(
            id="shutdownlint-pyproject",
            method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
            register_options=options,
        )
        ls.client_register_capability(types.RegistrationParams([registration]), _ignore)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: ShutdownlintServer, params: types.DidOpenTextDocumentParams) -> None:
        if _is_python(params.text_document):
            ls.documents.setdefault(params.text_document.uri, _State())
            ls.schedule(params.text_document.uri, 0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: ShutdownlintServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.changed(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: ShutdownlintServer, params: types.DidSaveTextDocumentParams) -> None:
        uri = params.text_document.uri
        if _is_pyproject(uri):
            ls.config_changed()
        elif uri in ls.documents:
            ls.schedule(uri, 0)
            # Other open files may import this one (kinds cross modules): after it.
            for other in ls.documents:
                if other != uri:
                    ls.schedule(other, ls.debounce)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: ShutdownlintServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        if uri in ls.documents:
            ls.forget(uri)
            ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri, []))

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(
        ls: ShutdownlintServer, params: types.DidChangeWatchedFilesParams
    ) -> None:
        if any(_is_pyproject(change.uri) for change in params.changes):
            ls.config_changed()

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
    )
    async def code_action(
        ls: ShutdownlintServer, params: types.CodeActionParams
    ) -> list[types.CodeAction] | None:
        uri = params.text_document.uri
        checked = await ls.current(uri)
        if checked is None:
            return None
        return code_actions(ls, uri, checked, params)

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: ShutdownlintServer, params: Any) -> None:
        ls.stop_checking()

    return server


def _ignore(result: Any) -> None:
    """Callback for requests whose answer does not matter (a client that turns down
    the pyproject.toml watcher still gets re-checks on save)."""


def serve() -> None:
    """Run the server on stdin/stdout until the client says exit."""
    stdout = sys.stdout.buffer
    # Only the protocol may write to stdout: anything else printed (a library's
    # stray print) goes to stderr, where editors show it in their log.
    sys.stdout = sys.stderr
    make_server().start_io(sys.stdin.buffer, stdout)
