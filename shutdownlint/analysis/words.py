"""The words a file must contain for the analysis to find anything in it.

Derived from the tables (known types, schedulers), never kept by hand: a file
that mentions none of them, nor a rule's own words, nor a configured type, gets
only a syntax check (SPEC §7: files that mention no concurrency API skip the deep
analysis).
"""

from __future__ import annotations

from shutdownlint.analysis.kinds import KNOWN_TYPES
from shutdownlint.analysis.schedulers import SCHEDULER_NAMES


def _type_words() -> frozenset[str]:
    words: set[str] = set()
    for qname in KNOWN_TYPES:
        parts = qname.split(".")
        words.add(parts[0].lstrip("_"))  # the module: queue, asyncio, multiprocessing...
        words.add(parts[-1])  # the class or factory: Queue, Event, create_connection...
    return frozenset(words)


#: `await` marks asyncio code even where no asyncio name is imported.
ANALYSIS_WORDS: frozenset[str] = _type_words() | SCHEDULER_NAMES | {"await"}
