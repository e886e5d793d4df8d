"""A synchronous facade over an asyncio client running on a private loop thread.

Source: modeled on jupyter-client 8.7.0 ``stop_channels`` (corpus case), but spelled
the way most sync-over-async wrappers are (nats.py / aio-pika sync bridges):
``threading.Thread(target=loop.run_forever)`` instead of a Thread subclass, and the
resources are subscriptions whose ``close()`` schedules the unsubscribe onto the loop.
BUG (SDL403): ``close()`` stops the loop and joins its thread first, then closes the
subscriptions; each ``close()`` then waits for a coroutine that never runs, times out,
and the server-side subscription is leaked.
"""

import asyncio
import threading


class Subscription:
    def __init__(self, conn, subject, loop):
        self._conn = conn
        self._subject = subject
        self._loop = loop

    async def _unsubscribe(self):
        await self._conn.unsubscribe(self._subject)

    def close(self, timeout=5.0):
        fut = asyncio.run_coroutine_threadsafe(self._unsubscribe(), self._loop)
        fut.result(timeout)


class SyncClient:
    def __init__(self, conn):
        self._conn = conn
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="io", daemon=True)
        self._subs = []

    def start(self):
        self._thread.start()

    def subscribe(self, subject):
        sub = Subscription(self._conn, subject, self._loop)
        self._subs.append(sub)
        return sub

    def close(self):
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5.0)
        for sub in self._subs:
            sub.close()
        self._subs = []
        self._loop.close()
