"""The one table of rules: codes, names and opt-in marks as plain data.

Configuration (validating `select`/`ignore`, the default selection), the cache key,
`--statistics` and noqa warnings need only each rule's code, name and whether it is
opt-in. Importing the registry (`shutdownlint.rules`) to learn them would import every
rule module, the analysis, astroid and libcst: a third of a second that a run whose
files all come from the cache would spend on nothing. So the table is here, and the
registry (`shutdownlint.rules.ALL_RULES`) is built from it: each row names its rule's
module (`module_of`), and loading checks that the class there agrees with the row.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RuleName:
    code: str
    name: str
    opt_in: bool = False


# The registry's order: what `rules`, the docs and SARIF list.
RULE_NAMES: tuple[RuleName, ...] = (
    RuleName("SDL101", "end-of-stream-skipped-on-error"),
    RuleName("SDL102", "waiter-not-released-on-error"),
    RuleName("SDL103", "worker-leaked-on-error"),
    RuleName("SDL104", "listener-not-closed"),
    RuleName("SDL105", "worker-not-joined-on-stop"),
    RuleName("SDL201", "unguarded-shared-attribute"),
    RuleName("SDL202", "check-then-act-race"),
    RuleName("SDL203", "unguarded-read-modify-write"),
    RuleName("SDL301", "blocking-put-without-timeout"),
    RuleName("SDL302", "blocking-wait-in-shutdown-path", opt_in=True),
    RuleName("SDL401", "add-after-close"),
    RuleName("SDL403", "consumer-stopped-before-producers"),
    RuleName("SDL900", "parse-error"),
    RuleName("SDL999", "internal-error"),
)

NAMES_BY_CODE: dict[str, str] = {r.code: r.name for r in RULE_NAMES}
CODES: frozenset[str] = frozenset(NAMES_BY_CODE)
DEFAULT_CODES: frozenset[str] = frozenset(r.code for r in RULE_NAMES if not r.opt_in)


def module_of(rule: RuleName) -> str:
    """The module in `shutdownlint.rules` that holds `rule`: `sdl101_end_of_stream_...`."""
    return f"{rule.code.lower()}_{rule.name.replace('-', '_')}"
