"""The words a file must contain for the analysis to find anything in it.

Every finding needs an object of a known kind (a queue, a thread, an Event, a
socket...), so a file that names none of the modules, classes and factories of
the table of known types (nor a configured type, nor a rule's own words), and
has no `await`, gets only a syntax check (SPEC §7: files that mention no
concurrency API skip the deep analysis). Derived from the tables, never kept by
hand. Scheduler names (`map`, `register`, `submit`) are not needed: what they
schedule matters only next to an object of a known kind.
"""

from __future__ import annotations

from shutdownlint.analysis.kinds import KNOWN_METHODS, KNOWN_TYPES


def _type_words() -> frozenset[str]:
    words: set[str] = set()
    for qname in KNOWN_TYPES:
        parts = qname.split(".")
        words.add(parts[0].lstrip("_"))  # the module: queue, asyncio, multiprocessing...
        last = parts[-1]
        if last != last.lower() or "_" in last:
            # a class or a compound factory name (Queue, create_connection); a bare
            # lowercase word (`_thread.lock`) is spelled with its module anyway
            words.add(last.lstrip("_"))
    return frozenset(words)


#: `await` marks asyncio code even where no asyncio name is imported.
ANALYSIS_WORDS: frozenset[str] = _type_words() | frozenset(KNOWN_METHODS) | {"await"}
