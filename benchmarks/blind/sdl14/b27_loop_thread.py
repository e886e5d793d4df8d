"""Runs an asyncio loop on a background thread so synchronous code can use async streams."""
import asyncio
import threading


class StreamLoopThread:
    def __init__(self, endpoints):
        self._endpoints = list(endpoints)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="stream-loop", daemon=True)
        self._writers = []

    async def _connect_all(self):
        pairs = await asyncio.gather(*(asyncio.open_connection(h, p) for h, p in self._endpoints))
        self._writers = [w for _, w in pairs]

    def start(self, timeout=10.0):
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._connect_all(), self._loop).result(timeout)

    def send_all(self, payload, timeout=5.0):
        async def _send():
            for w in self._writers:
                w.write(payload)
            await asyncio.gather(*(w.drain() for w in self._writers))

        asyncio.run_coroutine_threadsafe(_send(), self._loop).result(timeout)

    def close(self):
        self._loop.call_soon_threadsafe(self._loop.stop)  # expect: SDL403
        self._thread.join(timeout=5)
        # the transports belong to the stopped loop: their close never completes
        for w in self._writers:
            w.close()
        self._loop.close()
