"""How messages say where code runs: the words for the evidence `analysis.contexts` gives
(how a worker was started, why code runs while the program stops)."""

from __future__ import annotations

from astroid import nodes

from shutdownlint.analysis.contexts import Entry, ShutdownPath, ShutdownWhy
from shutdownlint.analysis.infer import last_name


def how_started(entry: Entry) -> str:
    """`started as a thread by `threading.Thread(...)``, from the scheduler's wording."""
    if entry.scheduler is None:
        return f"run in its own {entry.context.value} as `run()` of a `{entry.base}` subclass"
    call = entry.site
    assert isinstance(call, nodes.Call)
    return entry.scheduler.wording.format(call=call.func.as_string(), name=last_name(call.func))


def shutdown_reason(path: ShutdownPath) -> str:
    """Why the code runs while stopping, as a message says it."""
    if path.why is ShutdownWhy.NAMED:
        reason = f"`{path.name}()` is a shutdown method"
    elif path.why is ShutdownWhy.TEARDOWN:
        reason = f"`{path.name}()` runs at test teardown"
    elif path.why is ShutdownWhy.SCHEDULED:
        assert path.scheduler is not None and isinstance(path.node, nodes.Call)
        func = path.node.func
        reason = path.scheduler.wording.format(call=func.as_string(), name=last_name(func))
    elif path.why is ShutdownWhy.CLEANUP:
        reason = f"in an `except {path.name}` handler" if path.name else "in a `finally:` block"
    else:
        reason = "after `yield` in a context manager or fixture"
    return f"called from `{path.via}()`: {reason}" if path.via is not None else reason
