"""The rule catalogue: ALL_RULES is the one registry."""

from shutdownlint.rules.base import Rule
from shutdownlint.rules.sdl301_blocking_put_without_timeout import BlockingPutWithoutTimeout
from shutdownlint.rules.sdl302_blocking_wait_in_shutdown_path import BlockingWaitInShutdownPath
from shutdownlint.rules.sdl900_parse_error import ParseError
from shutdownlint.rules.sdl999_internal_error import InternalError

ALL_RULES: list[type[Rule]] = [
    BlockingPutWithoutTimeout,
    BlockingWaitInShutdownPath,
    ParseError,
    InternalError,
]

RULES_BY_CODE: dict[str, type[Rule]] = {rule.code: rule for rule in ALL_RULES}

__all__ = ["ALL_RULES", "RULES_BY_CODE", "Rule"]
