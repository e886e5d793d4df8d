"""How the shared-state rules (SDL201-SDL203) word the evidence `analysis.races` returns:
which threads race, and why two threads run a check at once."""

from __future__ import annotations

from astroid import nodes

from shutdownlint.analysis.races import Concurrency, Overlap, Reason
from shutdownlint.analysis.threadmap import ThreadId
from shutdownlint.analysis.vocabulary import ThreadRole


def overlap_words(where: str, overlap: Overlap) -> str:
    """`f` runs on X and on Y (or on several threads at once)."""
    if overlap.mine == overlap.theirs:
        return f"`{where}` runs on several threads at once: {overlap.mine.phrase}"
    return f"`{where}` runs on {overlap.mine.phrase} and on {overlap.theirs.phrase}"


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
            note = f"user callbacks run here on {thread.on.label}, and may call back"
        else:
            note = f"{thread.label} starts here"
        found.append((thread.site, note))
    return found
