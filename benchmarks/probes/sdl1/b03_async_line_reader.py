"""Read a subprocess's output lines into an asyncio.Queue for several consumers.

Shape of the asyncio subprocess "tail" helpers (e.g. in pre-commit / tox-style
runners and in aiodocker's log streaming): a reader task forwards lines and puts
a class sentinel when the stream ends. ``readline()`` raising (LimitOverrunError
for a line longer than the limit, or ValueError) ends the task without the
sentinel, and ``lines()`` waits forever.
"""

import asyncio


class _Closed:
    """End-of-stream marker put by the reader task."""


class LineStream:
    def __init__(self, stream: asyncio.StreamReader, decode="utf-8"):
        self._stream = stream
        self._decode = decode
        self._queue: asyncio.Queue = asyncio.Queue()
        self._task = None

    def start(self):
        self._task = asyncio.ensure_future(self._pump())

    async def _pump(self):
        while True:
            raw = await self._stream.readline()
            if not raw:
                break
            await self._queue.put(raw.decode(self._decode).rstrip("\n"))
        await self._queue.put(_Closed)

    async def lines(self):
        while True:
            line = await self._queue.get()
            if line is _Closed:
                return
            yield line

    async def close(self):
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
