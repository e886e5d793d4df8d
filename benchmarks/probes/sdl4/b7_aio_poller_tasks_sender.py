"""An asyncio metrics shipper: one poller task per source feeds an ``asyncio.Queue``,
one sender task batches and ships it.

Source: modeled on the aiokafka producer ``Sender`` / ``_sender_routine`` split and
opentelemetry's async exporters; the producer tasks live in a list.
BUG (SDL403): ``close()`` sends the end marker to the sender and awaits it before it
cancels the pollers; samples polled in between are put after the marker and lost,
and with a full queue the pollers block in ``await put`` until cancelled.
"""

import asyncio

_STOP = object()


class Shipper:
    def __init__(self, sources, transport, interval=1.0):
        self._sources = list(sources)
        self._transport = transport
        self._interval = interval
        self._queue = asyncio.Queue(maxsize=1000)
        self._pollers = []
        self._sender = None

    async def start(self):
        self._pollers = [asyncio.create_task(self._poll(src)) for src in self._sources]
        self._sender = asyncio.ensure_future(self._send_loop())

    async def _poll(self, source):
        while True:
            sample = await source.read()
            await self._queue.put(sample)
            await asyncio.sleep(self._interval)

    async def _send_loop(self):
        batch = []
        while True:
            item = await self._queue.get()
            if item is _STOP:
                break
            batch.append(item)
            if len(batch) >= 100:
                await self._transport.send(batch)
                batch = []
        if batch:
            await self._transport.send(batch)

    async def close(self):
        await self._queue.put(_STOP)
        await self._sender
        for task in self._pollers:
            task.cancel()
        await asyncio.gather(*self._pollers, return_exceptions=True)
        await self._transport.close()
