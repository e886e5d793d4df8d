"""How the shared-state rules (SDL201-SDL203) word the evidence `analysis.races` returns:
which threads race, and why two threads run a check at once."""

from __future__ import annotations

import re

from astroid import nodes

from shutdownlint.analysis.infer import call_argument, enclosing_function
from shutdownlint.analysis.races import Concurrency, Overlap, Reason
from shutdownlint.analysis.threadmap import ThreadId
from shutdownlint.analysis.vocabulary import ThreadRole

_THREAD_NAME = re.compile(r"[\w.:-]{1,40}")
_ROLE_NAMES = {
    ThreadRole.CALLER: "caller",
    ThreadRole.LOOP: "event loop",
    ThreadRole.SIGNAL: "a signal handler",
}


def thread_label(thread: ThreadId) -> str:
    """How a message names a thread identity: "thread `config-sync`", "caller"."""
    site, role = thread.site, thread.role
    if role is ThreadRole.CALLBACK and thread.on is not None:
        return f"user callback on {thread_label(thread.on)}"
    if isinstance(site, nodes.ClassDef):
        return f"thread `{site.name}.run`"
    if isinstance(site, nodes.Call):
        name = call_argument(site, None, "name")
        if (
            isinstance(name, nodes.Const)
            and isinstance(name.value, str)
            and _THREAD_NAME.fullmatch(name.value)
        ):
            return f"thread `{name.value}`"
        where = enclosing_function(site)
        started_in = f" started in `{where.name}`" if isinstance(where, nodes.FunctionDef) else ""
        if isinstance(site.func, nodes.Attribute) and site.func.attrname == "add_done_callback":
            return f"done callback of `{site.func.expr.as_string()}`"
        if role is ThreadRole.POOL:
            return f"worker of `{site.func.as_string()}`{started_in}"
        return f"thread{started_in}"
    if role is ThreadRole.CALLER and thread.several:
        return "callers"
    return _ROLE_NAMES.get(role, role.value)


def thread_phrase(thread: ThreadId) -> str:
    """How a message says "runs on {phrase}"."""
    role = thread.role
    if role is ThreadRole.CALLER:
        return "concurrent callers' threads" if thread.several else "the caller's thread"
    if role is ThreadRole.LOOP:
        return "the event loop's thread"
    if role is ThreadRole.SIGNAL:
        return "a signal handler"
    if role is ThreadRole.CALLBACK and thread.on is not None:
        return f"{thread_label(thread.on)} (in a user callback)"
    label = thread_label(thread)
    if role is ThreadRole.POOL and label.startswith("worker of"):
        return f"the {label.replace('worker of', 'workers of', 1)}"
    if role is ThreadRole.POOL and label.startswith("done callback"):
        return f"the {label.replace('done callback', 'done callbacks', 1)}"
    return label


def overlap_words(where: str, overlap: Overlap) -> str:
    """`f` runs on X and on Y (or on several threads at once)."""
    if overlap.mine == overlap.theirs:
        return f"`{where}` runs on several threads at once: {thread_phrase(overlap.mine)}"
    return f"`{where}` runs on {thread_phrase(overlap.mine)} and on {thread_phrase(overlap.theirs)}"


def concurrency_words(why: Concurrency) -> str:
    """Why the check and the act can run on two threads at once."""
    where = why.where
    if why.reason is Reason.OVERLAP and why.overlap is not None:
        return overlap_words(where, why.overlap)
    if why.reason is Reason.CLASS_STATE:
        return (
            "it is class-level state shared by every instance, and "
            f"`{where}` takes a lock for its other state"
        )
    if why.reason is Reason.MODULE_GLOBAL:
        return f"it is a module global, and `{where}` takes a lock for its other state"
    if why.reason is Reason.GUARDED_ELSEWHERE and why.guard is not None:
        return (
            f"`{why.guard.shown}` guards its other writes (in `{why.guard.first_write.where}`), "
            "so it is shared between threads"
        )
    if why.reason is Reason.HANDED_OFF and why.handed_to is not None and why.cleared_by:
        return (
            f"`{where}` checks it before handing the callback to "
            f"`{why.handed_to.func.as_string()}`; `{why.cleared_by.where}` can clear it in between"
        )
    return f"`{where}` is public and the module runs threads"


def thread_origins(*threads: ThreadId) -> list[tuple[nodes.NodeNG | None, str]]:
    """Where each thread identity comes from, as related locations (one per site)."""
    found: list[tuple[nodes.NodeNG | None, str]] = []
    for thread in threads:
        if thread.site is None or any(node is thread.site for node, _ in found):
            continue
        if thread.role is ThreadRole.CALLBACK and thread.on is not None:
            note = f"user callbacks run here on {thread_label(thread.on)}, and may call back"
        else:
            note = f"{thread_label(thread)} starts here"
        found.append((thread.site, note))
    return found
