"""Module-level request ids bumped on executor workers (`global` counter).

The shape of many SDK helpers that keep a module-global sequence number for
correlation ids (e.g. older jsonrpc/telemetry helpers): `_next_id()` is called
from every task the executor runs, and `global _seq; _seq += 1` is not atomic.
"""
import itertools
import threading
from concurrent.futures import ThreadPoolExecutor

_seq = 0
_executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="rpc")


def _next_id():
    global _seq
    # BUG: several executor workers run this at once.
    _seq += 1
    return _seq


def _call(transport, method, params):
    request = {"jsonrpc": "2.0", "id": _next_id(), "method": method, "params": params}
    return transport.roundtrip(request)


def call_async(transport, method, params=None):
    return _executor.submit(_call, transport, method, params or {})


def call_many(transport, calls):
    return [call_async(transport, m, p) for m, p in calls]
