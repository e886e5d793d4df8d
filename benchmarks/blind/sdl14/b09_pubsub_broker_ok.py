"""In-process asyncio pub/sub broker with long-poll style subscribers."""
import asyncio
import contextlib
from collections import defaultdict


class Broker:
    def __init__(self):
        self._waiters = defaultdict(list)
        self._closed = False

    async def next_message(self, topic, timeout=None):
        if self._closed:
            raise ConnectionError("broker closed")
        fut = asyncio.get_running_loop().create_future()
        self._waiters[topic].append(fut)
        try:
            return await asyncio.wait_for(fut, timeout)
        finally:
            with contextlib.suppress(ValueError):
                self._waiters[topic].remove(fut)

    def publish(self, topic, message):
        waiters = self._waiters.pop(topic, [])
        delivered = 0
        for fut in waiters:
            if fut.done():
                # its subscriber was cancelled or timed out
                continue
            fut.set_result(message)
            delivered += 1
        return delivered

    def subscriber_count(self, topic):
        return len(self._waiters.get(topic, ()))

    def close(self):
        self._closed = True
        waiters, self._waiters = self._waiters, defaultdict(list)
        for futs in waiters.values():
            for fut in futs:
                fut.cancel()
