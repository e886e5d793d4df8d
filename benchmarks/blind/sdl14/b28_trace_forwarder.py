"""Collects spans from several local agents and forwards them in one batch stream."""
import asyncio
import logging

log = logging.getLogger(__name__)

STOP = object()


class TraceForwarder:
    def __init__(self, agents, upstream, batch=512):
        self._agents = agents
        self._upstream = upstream
        self._batch = batch
        self._spans = asyncio.Queue()
        self._collectors = ()
        self._sender = None

    async def start(self):
        self._sender = asyncio.create_task(self._send_loop())
        self._collectors = tuple(asyncio.create_task(self._collect(a)) for a in self._agents)

    async def _collect(self, agent):
        async for span in agent.stream():
            await self._spans.put(span)

    async def _export(self, batch):
        try:
            await self._upstream.export(batch)
        except ConnectionError:
            log.warning("dropped %d spans", len(batch))

    async def _send_loop(self):
        batch = []
        while (span := await self._spans.get()) is not STOP:
            batch.append(span)
            if len(batch) >= self._batch:
                await self._export(batch)
                batch = []
        if batch:
            await self._export(batch)

    async def shutdown(self):
        self._sender.cancel()  # expect: SDL403
        await asyncio.gather(self._sender, return_exceptions=True)
        for task in self._collectors:
            task.cancel()
        await asyncio.gather(*self._collectors, return_exceptions=True)
