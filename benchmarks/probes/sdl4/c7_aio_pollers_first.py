"""Correct counterpart of b2/b7: cancel the pollers and wait for them, then send the
end marker and let the sender drain."""

import asyncio

_STOP = object()


class Shipper:
    def __init__(self, sources, transport):
        self._sources = list(sources)
        self._transport = transport
        self._queue = asyncio.Queue(maxsize=1000)
        self._pollers = []
        self._sender = None

    async def start(self):
        self._pollers = [asyncio.create_task(self._poll(src)) for src in self._sources]
        self._sender = asyncio.ensure_future(self._send_loop())

    async def _poll(self, source):
        while True:
            await self._queue.put(await source.read())

    async def _send_loop(self):
        while True:
            item = await self._queue.get()
            if item is _STOP:
                return
            await self._transport.send([item])

    async def close(self):
        for task in self._pollers:
            task.cancel()
        await asyncio.gather(*self._pollers, return_exceptions=True)
        await self._queue.put(_STOP)
        await self._sender
        await self._transport.close()
