"""The rule catalogue: ALL_RULES is the one registry."""

from shutdownlint.rules.base import Rule
from shutdownlint.rules.sdl101_end_of_stream_skipped_on_error import EndOfStreamSkippedOnError
from shutdownlint.rules.sdl102_waiter_not_released_on_error import WaiterNotReleasedOnError
from shutdownlint.rules.sdl103_worker_leaked_on_error import WorkerLeakedOnError
from shutdownlint.rules.sdl104_listener_not_closed import ListenerNotClosed
from shutdownlint.rules.sdl105_worker_not_joined_on_stop import WorkerNotJoinedOnStop
from shutdownlint.rules.sdl201_unguarded_shared_attribute import UnguardedSharedAttribute
from shutdownlint.rules.sdl202_check_then_act_race import CheckThenActRace
from shutdownlint.rules.sdl203_unguarded_read_modify_write import UnguardedReadModifyWrite
from shutdownlint.rules.sdl301_blocking_put_without_timeout import BlockingPutWithoutTimeout
from shutdownlint.rules.sdl302_blocking_wait_in_shutdown_path import BlockingWaitInShutdownPath
from shutdownlint.rules.sdl401_add_after_close import AddAfterClose
from shutdownlint.rules.sdl403_consumer_stopped_before_producers import (
    ConsumerStoppedBeforeProducers,
)
from shutdownlint.rules.sdl900_parse_error import ParseError
from shutdownlint.rules.sdl999_internal_error import InternalError

ALL_RULES: list[type[Rule]] = [
    EndOfStreamSkippedOnError,
    WaiterNotReleasedOnError,
    WorkerLeakedOnError,
    ListenerNotClosed,
    WorkerNotJoinedOnStop,
    UnguardedSharedAttribute,
    CheckThenActRace,
    UnguardedReadModifyWrite,
    BlockingPutWithoutTimeout,
    BlockingWaitInShutdownPath,
    AddAfterClose,
    ConsumerStoppedBeforeProducers,
    ParseError,
    InternalError,
]

RULES_BY_CODE: dict[str, type[Rule]] = {rule.code: rule for rule in ALL_RULES}

__all__ = ["ALL_RULES", "RULES_BY_CODE", "Rule"]
